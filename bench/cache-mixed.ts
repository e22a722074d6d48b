// The response cache under writes: readers repeat 20 different queries (one summit each) while
// editors commit about `editsPerSecond` edits to those summits. Every answer says which version
// of its summit it holds and which log position it reflects (`storyCursor`). An answer must
// reflect at least its stated position, and also the furthest position its reader had already
// been told the server reached: the server's feed only moves forward, and a cached answer must
// not outlive an event the server has read (its own stated position alone can not show that: a
// kept answer keeps the position it was computed at). Afterwards the log tells whether any answer
// was older than that: an event for its summit at or before it with a later version. Used by `npm run bench` (cacheStaleReads,
// mixedHitRatio and the reads per second the cache bought).
import pg from 'pg';
import { decodeEventCursor } from '../src/live/events.ts';
import { idOf } from '../src/story/global-id.ts';
import { postRaw, sleep } from './lib.ts';

const QUERIES = 20;
const READ = (i: number) => `{ summit(slug: "summit-${i}") { id version description } }`;
const EDIT =
  'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }';

export interface MixedResult {
  reads: number;
  readsPerSec: number;
  edits: number;
  editsPerSec: number;
  /** Answers older than the position they state, or than one their reader was already shown. */
  stale: number;
  /** Cache hits ÷ lookups on the server during the run. */
  hitRatio: number;
}

/** Sums the response cache's counters on a server's /metrics. */
async function counters(url: string): Promise<{ hits: number; misses: number }> {
  const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
  const read = (name: string) =>
    Number(new RegExp(`^storygraph_response_cache_${name}_total (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { hits: read('hits'), misses: read('misses') };
}

export async function measureCacheMixed(options: {
  url: string;
  databaseUrl: string;
  token: string;
  seconds: number;
  readers: number;
  editors: number;
  editsPerSecond: number;
}): Promise<MixedResult> {
  const { url, token } = options;
  const summits: { id: string; version: number }[] = [];
  for (let i = 1; i <= QUERIES; i += 1)
    summits.push(JSON.parse(await postRaw(url, READ(i))).data.summit);
  const answers: { id: string; version: number; sequence: number }[] = [];
  let edits = 0;
  const before = await counters(url);
  const started = Date.now();
  const until = started + options.seconds * 1000;

  const reader = async (r: number) => {
    let reached = 0;
    for (let n = r; Date.now() < until; n += 1) {
      const body = JSON.parse(await postRaw(url, READ((n % QUERIES) + 1)));
      reached = Math.max(reached, decodeEventCursor(body.extensions.storyCursor));
      answers.push({ ...body.data.summit, sequence: reached });
    }
  };
  const editor = async (e: number) => {
    const gap = (1000 * options.editors) / options.editsPerSecond;
    for (let n = e; Date.now() < until; n += options.editors) {
      const next = Date.now() + gap;
      const summit = summits[n % QUERIES] as { id: string; version: number };
      const input = {
        id: summit.id,
        expectedVersion: summit.version,
        patch: { description: `mixed ${e} ${n}` },
      };
      const body = JSON.parse(await postRaw(url, EDIT, { input }, token));
      if (body.data?.updateSummit) {
        summit.version = body.data.updateSummit.summit.version;
        edits += 1;
      } else {
        // Another editor got there first: read the version again.
        const fresh = JSON.parse(await postRaw(url, READ((n % QUERIES) + 1))).data.summit;
        summit.version = fresh.version;
      }
      await sleep(Math.max(0, next - Date.now()));
    }
  };
  await Promise.all([
    ...Array.from({ length: options.readers }, (_, r) => reader(r)),
    ...Array.from({ length: options.editors }, (_, e) => editor(e)),
  ]);
  const elapsed = (Date.now() - started) / 1000;
  const after = await counters(url);

  // Stale: the log holds an event for the summit at or before the position the answer had to
  // reflect (above) with a later version than the answer's.
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  const events = new Map<number, { sequence: number; version: number }[]>();
  try {
    const { rows } = await client.query(
      `SELECT "entityId" AS id, sequence, "entityVersion" AS version FROM "StoryEvent"
       WHERE "entityType" = 'Summit' ORDER BY sequence`,
    );
    for (const row of rows) {
      const list = events.get(row.id) ?? [];
      list.push({ sequence: row.sequence, version: row.version });
      events.set(row.id, list);
    }
  } finally {
    await client.end();
  }
  let stale = 0;
  for (const answer of answers) {
    const id = idOf('Summit', answer.id);
    const later = (events.get(id) ?? []).some(
      (event) => event.sequence <= answer.sequence && event.version > answer.version,
    );
    if (later) stale += 1;
  }
  const hits = after.hits - before.hits;
  const lookups = hits + after.misses - before.misses;
  return {
    reads: answers.length,
    readsPerSec: Math.round(answers.length / elapsed),
    edits,
    editsPerSec: Math.round((edits / elapsed) * 10) / 10,
    stale,
    hitRatio: lookups ? Math.round((hits / lookups) * 1000) / 1000 : 0,
  };
}
