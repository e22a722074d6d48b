// `asOf` on a long log: the benchmark data's rows written as the events that would have made
// them, then edits until the log holds `total` events, then reads of one summit with its
// participants at random positions, against the same read of the present.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { encodeGlobalId, type NodeType } from '../src/story/global-id.ts';
import { ENTITIES, MENTION_TYPES, mentionsOf } from '../src/story/registry.ts';
import { percentile, ROOT } from './lib.ts';

/** A value as events store it (story/changes.ts): days as YYYY-MM-DD, instants as ISO text. */
function logged(value: unknown): unknown {
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  return value ?? null;
}

interface Event {
  kind: string;
  label: string | null;
  entityType: string;
  entityId: number;
  entityVersion: number;
  changes: { field: string; before: unknown; after: unknown }[];
  related: string[];
  detail?: unknown;
}

/** The fields of a row as its CREATED (or LINKED) event lists them. */
function created(type: NodeType, row: Record<string, unknown>): Event['changes'] {
  return Object.entries(ENTITIES[type].fields).flatMap(([field, rule]) => {
    const value = rule.references
      ? row[rule.references.column] == null
        ? null
        : encodeGlobalId(rule.references.type, row[rule.references.column] as number)
      : logged(row[field]);
    return value === null ? [] : [{ field, before: null, after: value }];
  });
}

/**
 * Rewrites the log of the database at `url` (filled by bench/data.ts, which writes rows without
 * events): one CREATED or LINKED event per row, the mentions' LINKED events with their spans, then
 * UPDATED events alternating between a summit's description and a participation's status until
 * the log holds `total` events; the tables end as the last events left them. Returns the count.
 */
export async function writeLog(url: string, total: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const events: Event[] = [];
    const versions = new Map<string, Record<string, unknown>>();
    for (const type of [
      'Organization',
      'Leader',
      'Summit',
      'Membership',
      'Participation',
      'Article',
    ] as const) {
      const { rows } = await client.query(`SELECT * FROM "${type}" ORDER BY id`);
      for (const row of rows) {
        const link = type === 'Membership' || type === 'Participation';
        events.push({
          kind: link ? 'LINKED' : 'CREATED',
          label: null,
          entityType: type,
          entityId: row.id,
          entityVersion: 1,
          changes: created(type, row),
          related: [],
        });
        versions.set(`${type}:${row.id}`, { ...row, version: 1 });
      }
    }
    for (const mentionType of MENTION_TYPES) {
      const spec = mentionsOf(mentionType);
      const table = `${spec.table[0]?.toUpperCase()}${spec.table.slice(1)}`;
      const { rows } = await client.query(`SELECT * FROM "${table}" ORDER BY id`);
      for (const row of rows) {
        events.push({
          kind: 'LINKED',
          label: null,
          entityType: 'Article',
          entityId: row.articleId,
          entityVersion: 1,
          changes: [
            { field: spec.field, before: null, after: encodeGlobalId(mentionType, row[spec.key]) },
          ],
          related: [],
          detail: { spans: row.spans, matchedBy: row.matchedBy },
        });
      }
    }
    const summits = [...versions.keys()].filter((key) => key.startsWith('Summit:'));
    const participations = [...versions.keys()].filter((key) => key.startsWith('Participation:'));
    const statuses = ['EXPECTED', 'CONFIRMED', 'ATTENDED', 'WITHDRAWN'];
    for (let n = 0; events.length < total; n += 1) {
      const summit = n % 2 === 0;
      const list = summit ? summits : participations;
      // A stride prime to both list lengths visits every row, in an order that is not the ids'.
      const key = list[(n * 7919) % list.length] as string;
      const row = versions.get(key) as Record<string, unknown>;
      const field = summit ? 'description' : 'status';
      const after = summit
        ? `Revision ${n} of what the summit is about.`
        : (statuses[(statuses.indexOf(row.status as string) + 1) % statuses.length] as string);
      events.push({
        kind: 'UPDATED',
        label: null,
        entityType: key.split(':')[0] as string,
        entityId: row.id as number,
        entityVersion: (row.version as number) + 1,
        changes: [{ field, before: row[field], after }],
        related: [],
      });
      versions.set(key, { ...row, [field]: after, version: (row.version as number) + 1 });
    }
    await client.query('BEGIN');
    await client.query('TRUNCATE "StoryEvent", "StoryEventDetail", "StoryCheckpoint"');
    for (let start = 0; start < events.length; start += 5000) {
      const batch = events.slice(start, start + 5000).map((event, i) => ({
        ...event,
        sequence: start + i + 1,
        related: [encodeGlobalId(event.entityType, event.entityId)],
      }));
      await client.query(
        `INSERT INTO "StoryEvent" (sequence, kind, label, "entityType", "entityId", "entityVersion",
           changes, "relatedIds", "actorRole", "occurredAt")
         SELECT e.sequence, e.kind::"StoryEventKind", e.label, e."entityType", e."entityId",
           e."entityVersion", e.changes, ARRAY(SELECT jsonb_array_elements_text(e.related)), 'admin',
           timestamp '2022-01-01' + e.sequence * interval '1 minute'
         FROM jsonb_to_recordset($1::jsonb) AS e(sequence int, kind text, label text,
           "entityType" text, "entityId" int, "entityVersion" int, changes jsonb, related jsonb)`,
        [JSON.stringify(batch)],
      );
      const details = batch.filter((event) => event.detail !== undefined);
      if (details.length) {
        await client.query(
          `INSERT INTO "StoryEventDetail" (sequence, detail)
           SELECT e.sequence, e.detail FROM jsonb_to_recordset($1::jsonb) AS e(sequence int, detail jsonb)`,
          [JSON.stringify(details.map(({ sequence, detail }) => ({ sequence, detail })))],
        );
      }
    }
    // The tables as the last events left them, so the present read and asOf at the head agree.
    const finals = [...versions.entries()].filter(([key]) => /^(Summit|Participation):/.test(key));
    await client.query(
      `UPDATE "Summit" s SET description = v.description, version = v.version
       FROM jsonb_to_recordset($1::jsonb) AS v(id int, description text, version int) WHERE s.id = v.id`,
      [JSON.stringify(finals.filter(([k]) => k.startsWith('Summit:')).map(([, r]) => r))],
    );
    await client.query(
      `UPDATE "Participation" p SET status = v.status::"ParticipationStatus", version = v.version
       FROM jsonb_to_recordset($1::jsonb) AS v(id int, status text, version int) WHERE p.id = v.id`,
      [JSON.stringify(finals.filter(([k]) => k.startsWith('Participation:')).map(([, r]) => r))],
    );
    await client.query('UPDATE "StoryHead" SET sequence = $1 WHERE id = 1', [events.length]);
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE');
    return events.length;
  } finally {
    await client.end();
  }
}

/** The read both sides make: one summit with its six participants and their names. */
export const SUMMIT_READ = `summit(slug: $slug) {
  name status description startsOn
  participants(first: 10) { edges { node { status leader { name } } } }
}`;
export const PRESENT_QUERY = `query ($slug: String!) { ${SUMMIT_READ} }`;
export const AS_OF_QUERY = `query ($slug: String!, $sequence: Int!) {
  asOf(point: { sequence: $sequence }) { sequence ${SUMMIT_READ} }
}`;

/** Sends one query and returns its time in ms; fails on an error or an empty answer. */
export async function timed(url: string, query: string, variables: object): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  const elapsed = performance.now() - started;
  const summit = (body.data?.asOf as { summit?: unknown } | undefined)?.summit ?? body.data?.summit;
  if (body.errors || !summit) throw new Error(`asOf bench: ${JSON.stringify(body).slice(0, 500)}`);
  return elapsed;
}

/** p50 and p95 of `count` sequential reads, each with the variables `next` gives. */
export async function series(
  url: string,
  query: string,
  count: number,
  next: (i: number) => object,
): Promise<{ p50: number; p95: number; n: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) times.push(await timed(url, query, next(i)));
  times.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), n: count };
}

/** A server the measurement can start and stop (bench/run.ts's storygraph). */
export interface AsOfServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** What `measureAsOf` reports (results.json's `asOf*` keys). */
export interface AsOfFigures {
  events: number;
  every: number;
  cacheMb: number;
  /** Building and storing every checkpoint from the log, once. */
  checkpointBuildMs: number;
  /** Stored size of one checkpoint (the last), in KiB. */
  checkpointKb: number;
  presentP95Ms: number;
  /** Positions anywhere in the log from a fresh instance: mostly a stored checkpoint and a page read. */
  coldP95Ms: number;
  coldFirstMs: number;
  /** Positions within the last `warmCheckpoints` checkpoints, which the instance holds. */
  warmP95Ms: number;
  warmCheckpoints: number;
  warmOverPresent: number;
  /** The instance's resident memory after the warm reads less before any asOf read, in MiB. */
  cacheRssMb: number;
  /** The heap a full cache keeps after a garbage collection (bench/as-of-heap.ts), in MiB. */
  cacheHeapMb: number;
  /** What the same cache counts against AS_OF_CACHE_MB, in MiB. */
  cacheCountedMb: number;
}

/** A deterministic sequence in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Measures `asOf` on the database at `url`, whose log `writeLog` wrote: `start` gives a fresh
 * storygraph on it (each cold measurement needs one). `summits` is how many summits the data has.
 */
export async function measureAsOf(options: {
  url: string;
  start: () => Promise<AsOfServer>;
  rssKb: (pid: number) => Promise<number>;
  events: number;
  summits: number;
  every: number;
  cacheMb: number;
  /** How many of the last checkpoints the warm reads stay within (all held in memory). */
  warmCheckpoints: number;
  reads: number;
}): Promise<AsOfFigures> {
  const { events, every, cacheMb, warmCheckpoints, reads } = options;
  const next = random(4242);
  const slug = () => `summit-${1 + Math.floor(next() * options.summits)}`;
  // 1. Build every checkpoint once, from a fresh instance walking the log upwards.
  let server = await options.start();
  const built = performance.now();
  for (let at = every; at <= events; at += every) {
    await timed(server.url, AS_OF_QUERY, { slug: 'summit-1', sequence: at });
  }
  const checkpointBuildMs = Math.round(performance.now() - built);
  await server.stop();
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  const size = await client.query(
    'SELECT octet_length(tables::text) AS bytes FROM "StoryCheckpoint" ORDER BY sequence DESC LIMIT 1',
  );
  await client.end();

  // 2. Cold: a fresh instance, positions anywhere in the log.
  server = await options.start();
  const rssBefore = await options.rssKb(server.pid);
  const coldFirstMs = await timed(server.url, AS_OF_QUERY, {
    slug: slug(),
    sequence: 1 + Math.floor(next() * events),
  });
  const cold = await series(server.url, AS_OF_QUERY, reads, () => ({
    slug: slug(),
    sequence: 1 + Math.floor(next() * events),
  }));
  // 3. Warm: positions among the last checkpoints (what readers of recent history ask), once to
  // load them, then measured.
  const recent = () => events - Math.floor(next() * warmCheckpoints * every);
  await series(server.url, AS_OF_QUERY, warmCheckpoints * 8, () => ({
    slug: slug(),
    sequence: recent(),
  }));
  const warm = await series(server.url, AS_OF_QUERY, reads, () => ({
    slug: slug(),
    sequence: recent(),
  }));
  const present = await series(server.url, PRESENT_QUERY, reads, () => ({ slug: slug() }));
  const rssAfter = await options.rssKb(server.pid);
  await server.stop();
  // 4. The bound: the heap a full cache keeps, in a process that can collect its garbage.
  const heap = JSON.parse(
    execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'bench/as-of-heap.ts',
        options.url,
        String(events),
        String(cacheMb),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .at(-1) as string,
  ) as { heapMb: number; countedMb: number };
  return {
    events,
    every,
    cacheMb,
    checkpointBuildMs,
    checkpointKb: Math.round(Number(size.rows[0]?.bytes ?? 0) / 1024),
    presentP95Ms: present.p95,
    coldP95Ms: cold.p95,
    coldFirstMs: Math.round(coldFirstMs * 100) / 100,
    warmP95Ms: warm.p95,
    warmCheckpoints,
    warmOverPresent: Math.round((warm.p95 / present.p95) * 100) / 100,
    cacheRssMb: Math.round(((rssAfter - rssBefore) / 1024) * 10) / 10,
    cacheHeapMb: heap.heapMb,
    cacheCountedMb: heap.countedMb,
  };
}
