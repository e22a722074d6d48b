// The storygraph benchmark: storygraph (compiled, NODE_ENV=production) against hand-written
// references in the same run, alternating targets, warm-up then measured, on deterministic data.
//   npm run bench                 full run: writes bench/RESULTS.md and bench/results.json
//   npm run bench -- --quick      small data, seconds: checks SQL counts, identical responses, 0 lost
// Options: --rounds N (2), --duration S (5), --warmup S (2), --skip-fanout, --skip-writes,
// --subscribers 1000,5000, --only-timeline (the timeline part alone). See bench/README.md.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { signToken } from '../src/core/auth.ts';
import { type MixedResult, measureCacheMixed } from './cache-mixed.ts';
import { FULL, generate, QUICK } from './data.ts';
import { type FanoutResult, runFanout } from './fanout-run.ts';
import { measureIngestLoad } from './ingest-load.ts';
import { benchArticle, measureIngestRate } from './ingest-rate.ts';
import {
  ADMIN_URL,
  admin,
  type Child,
  cpuMs,
  databaseUrl,
  freePort,
  percentile,
  postgresCpu,
  postRaw,
  ROOT,
  SECRET,
  sleep,
  startChild,
  statementCounter,
  steadyRssKb,
} from './lib.ts';
import { type LiveRunResult, runLive } from './live.ts';
import { summarize } from './profile-summary.ts';
import { QUERY_NESTED, QUERY_SIMPLE } from './queries.ts';
import {
  measureTime,
  type TimeFigures,
  timeGoals,
  timeResults,
  timeSection,
  updateTimeResults,
} from './time.ts';
import { seedTimeline, TIMELINE_SIZE, timeTimeline, walkTimeline } from './timeline.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    subscribers: { type: 'string', default: '1000,5000,10000' },
    transport: { type: 'string', default: 'ws' },
    'skip-fanout': { type: 'boolean', default: false },
    'skip-writes': { type: 'boolean', default: false },
    'only-reads': { type: 'boolean', default: false },
    'only-fanout': { type: 'boolean', default: false },
    'only-writes': { type: 'boolean', default: false },
    'only-live': { type: 'boolean', default: false },
    'only-time': { type: 'boolean', default: false },
    'only-timeline': { type: 'boolean', default: false },
    'live-clients': { type: 'string', default: '1000' },
    'keep-database': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const QUICK_MODE = values.quick;
const ROUNDS = Number(values.rounds);
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);

/** The SQL statements storygraph may send for query (b); the quick check fails above this. */
export const MAX_NESTED_STATEMENTS = 2;

/**
 * The same two reads for PostGraphile v5 (bench/peer): the same rows in the same order, under its
 * own names. `checkIdentical` compares the values of the answers, key names aside.
 */
const PEER_QUERIES: Record<string, string> = {
  [QUERY_SIMPLE]: '{ leaderBySlug(slug: "leader-42") { name title } }',
  [QUERY_NESTED]: `query ($first: Int!) {
  articles(first: $first, orderBy: [PUBLISHED_AT_DESC, PRIMARY_KEY_DESC]) {
    edges { node {
      headline
      leaderMentions(first: 5, orderBy: PRIMARY_KEY_ASC) { edges { node { leader {
        name
        memberships(first: 5, orderBy: [STARTED_ON_ASC, PRIMARY_KEY_ASC]) {
          edges { node { role organization { name acronym } } }
        }
      } } } }
    } }
  }
}`,
};
/** The query a target answers for one of the benchmark's reads. */
const queryFor = (target: { name: string }, query: string) =>
  target.name === 'peer' ? (PEER_QUERIES[query] ?? query) : query;

const QUERY_SEARCH =
  '{ search(query: "Putin") { __typename ... on Leader { name } ... on Article { headline } } }';

const log = (...args: unknown[]) => console.info(`[bench ${new Date().toISOString()}]`, ...args);
const round1 = (value: number) => Math.round(value * 10) / 10;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

// ---------------------------------------------------------------------------------------------
// Build, database, servers

function buildIfStale(): void {
  const main = join(ROOT, 'dist/src/main.js');
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory()
          ? newest(join(dir, entry.name))
          : statSync(join(dir, entry.name)).mtimeMs,
      ),
    );
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(ROOT, 'src'))) return;
  log('building dist/ (npm run build)');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

async function migrateDatabase(url: string): Promise<void> {
  const { openPostgres } = await import('../src/infra/db.ts');
  const { migrate } = await import('../src/infra/migrate.ts');
  const database = openPostgres(url, 2);
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
}

const serverEnv = (url: string, port: number): Record<string, string> => ({
  DATABASE_URL: url,
  PORT: String(port),
  HOST: '127.0.0.1',
  NODE_ENV: 'production',
  JWT_SECRET: SECRET,
  MIGRATE_ON_START: 'false',
  // Every benchmark client connects from 127.0.0.1: the per-address socket cap (50 by default,
  // there to stop one anonymous client from holding thousands) would refuse the fan-out's.
  MAX_SOCKETS_PER_ADDRESS: '100000',
  // The same for the fan-out over server-sent events.
  MAX_SSE_STREAMS_PER_ADDRESS: '100000',
});

/**
 * storygraph as the benchmark runs it: with its response cache off (every read goes to the
 * database, as R1's and PostGraphile's do), except for the `storygraph-cached` target.
 */
async function startStorygraph(
  url: string,
  name = 'storygraph',
  profileDir?: string,
  extraEnv: Record<string, string> = {},
): Promise<Child> {
  const port = await freePort();
  const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const env = {
    ...serverEnv(url, port),
    RESPONSE_CACHE: name === CACHED ? 'true' : 'false',
    ...extraEnv,
  };
  return startChild(name, [...flags, 'dist/src/main.js'], env, 'storygraph ready');
}

/** The storygraph target with its response cache on (warm after the first request). */
const CACHED = 'storygraph-cached';

/** The standard fan-out run against a server: 20 events 250 ms apart (quick: `size` overrides). */
const fanoutAgainst = (
  server: Child,
  token: string,
  subscribers: number,
  size: { events: number; intervalMs: number; quietMs?: number } = { events: 20, intervalMs: 250 },
  transport: 'ws' | 'sse' = 'ws',
) =>
  runFanout({
    wsUrl: server.url.replace('http', 'ws'),
    pid: server.pid,
    subscribers,
    ...size,
    transport,
    trigger: server.name === 'r2' ? r2Trigger(server.port) : storygraphTrigger(server.url, token),
  });

/** The Redis two instances share in the live-query runs. */
const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Live queries against `summitUpdated` subscribers (bench/live.ts): for each round, both kinds,
 * alternating which goes first, each on two fresh instances sharing Redis.
 */
async function measureLive(
  url: string,
  token: string,
  rounds: number,
  clients = Number(values['live-clients']),
): Promise<LiveRunResult[]> {
  const runs: LiveRunResult[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const kinds =
      round % 2 ? (['subscription', 'live'] as const) : (['live', 'subscription'] as const);
    for (const kind of kinds) {
      const servers = await Promise.all(
        [1, 2].map((n) =>
          startStorygraph(url, `storygraph-${kind}-${n}`, undefined, {
            REDIS_URL: BENCH_REDIS_URL,
          }),
        ),
      );
      try {
        const result = await runLive({
          kind,
          servers,
          token,
          clients,
          commits: QUICK_MODE ? 5 : 30,
          intervalMs: QUICK_MODE ? 50 : 200,
          ...(QUICK_MODE ? { quietMs: 100 } : {}),
        });
        runs.push(result);
        log('live', JSON.stringify(result));
      } finally {
        await Promise.all(servers.map((server) => server.stop()));
      }
    }
  }
  return runs;
}

/** The live-query goals from the runs: medians over the rounds. */
function liveFigures(runs: LiveRunResult[]) {
  const of = (kind: LiveRunResult['kind'], key: 'p99Ms' | 'rssPerClientKb') =>
    median(runs.filter((run) => run.kind === kind).map((run) => run[key]));
  const subscriberP99 = of('subscription', 'p99Ms');
  return {
    liveCommitToResultP99Ms: of('live', 'p99Ms'),
    subscriberCommitToResultP99Ms: subscriberP99,
    liveRssPerClientRatio: round3(
      of('live', 'rssPerClientKb') / of('subscription', 'rssPerClientKb'),
    ),
    liveLost: runs.reduce((sum, run) => sum + run.lost, 0),
  };
}

/** Runs `work` against a storygraph started under `--cpu-prof` and summarizes the profile. */
async function profiled(url: string, label: string, work: (server: Child) => Promise<unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'storygraph-profile-'));
  const server = await startStorygraph(url, `storygraph-profile-${label}`, dir);
  try {
    await work(server);
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return `${label}: no profile written`;
  mkdirSync(join(ROOT, 'bench/profiles'), { recursive: true });
  const kept = join(ROOT, 'bench/profiles', `${label}.cpuprofile`);
  copyFileSync(join(dir, file), kept);
  rmSync(dir, { recursive: true, force: true });
  return summarize(JSON.parse(readFileSync(kept, 'utf8')), 15);
}
async function startR1(url: string): Promise<Child> {
  const port = await freePort();
  return startChild('r1', ['--import', 'tsx', 'bench/r1.ts'], serverEnv(url, port), 'r1 ready');
}
/** PostGraphile v5, installed into bench/peer/node_modules from its lockfile on first use. */
async function startPeer(url: string): Promise<Child> {
  const peer = join(ROOT, 'bench/peer');
  if (!existsSync(join(peer, 'node_modules/postgraphile'))) {
    log('installing PostGraphile v5 into bench/peer (npm ci)');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], {
      cwd: peer,
      stdio: 'inherit',
    });
  }
  const port = await freePort();
  // Node 20 lacks Promise.withResolvers, which PostGraphile v5 uses.
  const polyfill =
    Number(process.versions.node.split('.')[0]) < 22
      ? ['--import', './bench/peer/polyfill.mjs']
      : [];
  return startChild(
    'peer',
    [...polyfill, 'bench/peer/server.mjs'],
    serverEnv(url, port),
    'peer ready',
  );
}
async function startR2(url: string): Promise<Child> {
  const port = await freePort();
  return startChild('r2', ['--import', 'tsx', 'bench/r2.ts'], serverEnv(url, port), 'r2 ready');
}

// ---------------------------------------------------------------------------------------------
// Deterministic checks: statements per request and identical responses

interface Counts {
  simple: number;
  nested20: number;
  nested100: number;
}

async function countStatements(
  url: string,
  counter: { count(): number },
  first100: boolean,
): Promise<Counts> {
  // Several tries, the fewest counted: a background poll of the feed may land inside one.
  const measure = async (query: string, variables: Record<string, unknown>) => {
    let fewest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 4; i += 1) {
      const before = counter.count();
      await postRaw(url, query, variables);
      await sleep(20);
      fewest = Math.min(fewest, counter.count() - before);
    }
    return fewest;
  };
  return {
    simple: await measure(QUERY_SIMPLE, {}),
    nested20: await measure(QUERY_NESTED, { first: 20 }),
    nested100: first100 ? await measure(QUERY_NESTED, { first: 100 }) : Number.NaN,
  };
}

/**
 * Statements one ingested 700-word article costs with `mentions` leader mentions: the fewest of
 * three (the feed's read of the new events may or may not land inside the count).
 */
async function countIngest(
  url: string,
  counter: { count(): number },
  token: string,
  mentions: number,
): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i += 1) {
    const key = `count-${mentions}-${i}-${process.pid}`;
    const before = counter.count();
    const answer = JSON.parse(
      await postRaw(
        url,
        'mutation ($input: IngestArticleInput!) { ingestArticle(input: $input) { created } }',
        {
          input: {
            ...benchArticle(key, mentions),
            publishedAt: '2022-09-10T08:00:00Z',
            url: `https://bench.example/${key}`,
          },
        },
        token,
      ),
    );
    if (!answer.data?.ingestArticle?.created) throw new Error(JSON.stringify(answer));
    await sleep(50);
    fewest = Math.min(fewest, counter.count() - before);
  }
  return fewest;
}

/** An answer's values in order, its key names left out: the peer names things its own way. */
const valuesOf = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(valuesOf)
    : value && typeof value === 'object'
      ? Object.values(value).map(valuesOf)
      : value;

async function checkIdentical(
  storygraph: string,
  r1: string,
  peer: string,
): Promise<{ identical: boolean; details: string[] }> {
  const details: string[] = [];
  for (const [label, query, variables] of [
    ['(a)', QUERY_SIMPLE, {}],
    ['(b) first 20', QUERY_NESTED, { first: 20 }],
    ['(b) first 100', QUERY_NESTED, { first: 100 }],
  ] as const) {
    const [a, b, c] = [
      await postRaw(storygraph, query, variables),
      await postRaw(r1, query, variables),
      await postRaw(peer, queryFor({ name: 'peer' }, query), variables),
    ];
    // storygraph's answers end with the log position they reflect, which R1 does not report.
    const data = a.replace(/,"extensions":\{"storyCursor":"[A-Za-z0-9+/=]+"\}\}$/, '}');
    if (data === a || data !== b || !a.startsWith('{"data":{')) {
      details.push(
        `${label} differs:\n  storygraph ${a.slice(0, 300)}\n  r1         ${b.slice(0, 300)}`,
      );
    }
    const same =
      JSON.stringify(valuesOf(JSON.parse(a).data)) ===
      JSON.stringify(valuesOf(JSON.parse(c).data ?? null));
    if (!same) {
      details.push(
        `${label}: the peer's values differ:\n  storygraph ${a.slice(0, 300)}\n  peer       ${c.slice(0, 300)}`,
      );
    }
  }
  return { identical: details.length === 0, details };
}

// ---------------------------------------------------------------------------------------------
// Load

interface LoadResult {
  target: string;
  query: string;
  connections: number;
  round: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerReq: number;
  postgresCpuUsPerReq: number;
  errors: number;
}

async function load(
  target: Child,
  database: string,
  query: string,
  variables: Record<string, unknown>,
  connections: number,
  duration: number,
): Promise<Omit<LoadResult, 'target' | 'query' | 'round'>> {
  const options = {
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: queryFor(target, query), variables }),
    connections,
  };
  await autocannon({ ...options, duration: WARMUP });
  const pgCpu = postgresCpu(database);
  await pgCpu.start();
  const cpuBefore = cpuMs(target.pid);
  const result = await autocannon({ ...options, duration });
  const serverCpu = cpuMs(target.pid) - cpuBefore;
  const postgres = await pgCpu.stop();
  const requests = Math.max(1, result.requests.total);
  return {
    connections,
    reqPerSec: Math.round(result.requests.total / duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    serverCpuUsPerReq: Math.round((serverCpu * 1000) / requests),
    postgresCpuUsPerReq: Math.round((postgres * 1000) / requests),
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

// ---------------------------------------------------------------------------------------------
// Writes

interface WriteResult {
  setup: string;
  committed: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  conflicts: number;
  errors: number;
}

const UPDATE_SUMMIT =
  'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }';

async function storygraphWrites(
  urls: string[],
  token: string,
  editors: number,
  seconds: number,
  label: string,
): Promise<WriteResult> {
  const latencies: number[] = [];
  let conflicts = 0;
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: editors }, async (_, editor) => {
      const url = urls[editor % urls.length] as string;
      const found = JSON.parse(
        await postRaw(url, `{ summit(slug: "summit-${editor + 1}") { id version } }`, {}, token),
      );
      const { id } = found.data.summit;
      let { version } = found.data.summit;
      let i = 0;
      while (Date.now() < until) {
        const started = performance.now();
        const body = JSON.parse(
          await postRaw(
            url,
            UPDATE_SUMMIT,
            { input: { id, expectedVersion: version, patch: { description: `edit ${i++}` } } },
            token,
          ),
        );
        if (body.errors) {
          if (body.errors[0]?.extensions?.code === 'CONFLICT') conflicts += 1;
          else errors += 1;
          const again = JSON.parse(
            await postRaw(url, `{ summit(slug: "summit-${editor + 1}") { version } }`, {}, token),
          );
          version = again.data.summit.version;
          continue;
        }
        latencies.push(performance.now() - started);
        version = body.data.updateSummit.summit.version;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    setup: label,
    committed: latencies.length,
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: round1(percentile(latencies, 50)),
    p99Ms: round1(percentile(latencies, 99)),
    conflicts,
    errors,
  };
}

/**
 * The transaction storygraph runs for `updateSummit`, as plain SQL from `pg` clients: head lock,
 * read, update, related ids, event insert, head update. The limit the write path is held to.
 */
async function sqlAloneWrites(url: string, editors: number, seconds: number): Promise<WriteResult> {
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: editors }, async (_, editor) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const summitId = editor + 1;
      let i = 0;
      try {
        while (Date.now() < until) {
          const started = performance.now();
          await client.query('BEGIN');
          const head = await client.query(
            'SELECT sequence FROM "StoryHead" WHERE id = 1 FOR UPDATE',
          );
          await client.query('SELECT * FROM "Summit" WHERE id = $1', [summitId]);
          const description = `sql ${editor} ${i++}`;
          const row = await client.query(
            'UPDATE "Summit" SET description = $2, version = version + 1, "updatedAt" = now() WHERE id = $1 RETURNING *',
            [summitId, description],
          );
          const related = await client.query(
            `SELECT s."organizerId",
               (SELECT array_agg("leaderId") FROM "Participation" WHERE "summitId" = s.id) AS leaders,
               (SELECT array_agg("articleId") FROM "SummitMention" WHERE "summitId" = s.id) AS articles
             FROM "Summit" s WHERE s.id = $1`,
            [summitId],
          );
          const sequence = (head.rows[0].sequence as number) + 1;
          await client.query(
            `INSERT INTO "StoryEvent" (sequence, kind, "entityType", "entityId", "entityVersion", changes, "relatedIds", "actorRole")
             VALUES ($1, 'UPDATED', 'Summit', $2, $3, $4, $5, 'editor')`,
            [
              sequence,
              summitId,
              row.rows[0].version,
              JSON.stringify([{ field: 'description', before: null, after: description }]),
              [`Summit:${summitId}`, ...(related.rows[0].leaders ?? []).map(String)],
            ],
          );
          await client.query('UPDATE "StoryHead" SET sequence = $1 WHERE id = 1', [sequence]);
          await client.query('COMMIT');
          latencies.push(performance.now() - started);
        }
      } finally {
        await client.end();
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    setup: `the same SQL alone (pg loop, ${editors} clients)`,
    committed: latencies.length,
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: round1(percentile(latencies, 50)),
    p99Ms: round1(percentile(latencies, 99)),
    conflicts: 0,
    errors: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Fan-out triggers

function storygraphTrigger(url: string, token: string) {
  let summit: { id: string; version: number } | undefined;
  return async (i: number): Promise<number> => {
    if (!summit) {
      summit = JSON.parse(await postRaw(url, '{ summit(slug: "summit-9") { id version } }')).data
        .summit as { id: string; version: number };
    }
    const body = JSON.parse(
      await postRaw(
        url,
        'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version history(last: 1) { edges { node { sequence } } } } } }',
        {
          input: {
            id: summit.id,
            expectedVersion: summit.version,
            patch: { description: `fan-out ${Date.now()} ${i}` },
          },
        },
        token,
      ),
    );
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    summit.version = body.data.updateSummit.summit.version;
    return body.data.updateSummit.summit.history.edges[0].node.sequence as number;
  };
}

function r2Trigger(port: number) {
  return async (i: number): Promise<number> => {
    const response = await fetch(`http://127.0.0.1:${port}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ summitId: 10, description: `fan-out ${Date.now()} ${i}` }),
    });
    if (!response.ok) throw new Error(await response.text());
    return ((await response.json()) as { sequence: number }).sequence;
  };
}

// ---------------------------------------------------------------------------------------------
// The timeline: its own database of 1,000 entries, so the page walk knows how many to expect.

interface TimelineResult {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  /** What the walk over every page found wrong; empty when each entry came once, in order. */
  walkProblems: string[];
}

async function measureTimelinePart(): Promise<TimelineResult> {
  const name = `storygraph_bench_timeline_${process.pid}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  let server: Child | undefined;
  try {
    await migrateDatabase(url);
    await seedTimeline(url);
    server = await startStorygraph(url, 'storygraph-timeline');
    const walkProblems = await walkTimeline(
      server.url,
      TIMELINE_SIZE.occurrences + TIMELINE_SIZE.summits,
    );
    const timing = await timeTimeline(server.url, QUICK_MODE ? 100 : 1000, QUICK_MODE ? 20 : 200);
    const result = { ...timing, walkProblems };
    log('timeline', JSON.stringify(result));
    return result;
  } finally {
    await server?.stop();
    if (!values['keep-database']) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The timeline's keys in results.json. */
const timelineFigures = (result: TimelineResult) => ({
  timelineP95Ms: result.p95Ms,
  timelineWalkProblems: result.walkProblems.length,
});

// ---------------------------------------------------------------------------------------------

const median = (xs: number[]) => {
  const sorted = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const range = (xs: number[]) => {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (!finite.length) return 'n/a';
  const [low, high] = [Math.min(...finite), Math.max(...finite)];
  const show = (x: number) => (Math.abs(x) >= 100 ? String(Math.round(x)) : String(round1(x)));
  return low === high ? show(low) : `${show(low)}–${show(high)}`;
};
const loadAverage = () => {
  try {
    return execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  } catch {
    return 'n/a';
  }
};

/** The "Time" part (bench/time.ts), in its own scratch database. */
const runTime = (name: string) =>
  measureTime({
    name,
    size: QUICK_MODE ? QUICK : FULL,
    events: QUICK_MODE ? 5_000 : 100_000,
    reads: QUICK_MODE ? 50 : 400,
    migrate: migrateDatabase,
    start: (url, env) => startStorygraph(url, 'storygraph', undefined, env),
    rssKb: steadyRssKb,
    log,
  });

async function main(): Promise<void> {
  const started = Date.now();
  buildIfStale();
  if (values['only-timeline']) {
    // For working on the timeline: its part alone. Its keys replace theirs in results.json (with
    // the date of this run), the other keys stay as the last full run left them.
    const result = await measureTimelinePart();
    const major = Number(process.versions.node.split('.')[0]);
    const file = join(ROOT, `bench/results${major === 26 ? '' : `-node${major}`}.json`);
    const kept = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    const merged = { ...kept, ...timelineFigures(result), timelineDate: new Date().toISOString() };
    writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
    log(`wrote the timeline's keys to ${file}`);
    if (result.walkProblems.length) throw new Error(result.walkProblems.join('\n'));
    return;
  }
  const name = `storygraph_bench_${process.pid}`;
  if (values['only-time']) {
    // For working on `asOf`: the part alone, its keys and section updated in place.
    updateTimeResults(await runTime(name));
    return;
  }
  await admin(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  const failures: string[] = [];
  const children: Child[] = [];
  const stopAll = async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  };
  const loadAtStart = loadAverage();
  try {
    await migrateDatabase(url);
    const size = QUICK_MODE ? QUICK : FULL;
    await generate(url, size);
    log(`data: ${JSON.stringify(size)} in ${name}`);

    // 1. Deterministic checks, through the statement-counting proxy.
    const counter = await statementCounter(new URL(ADMIN_URL));
    const countedUrl = databaseUrl(name, counter.port);
    const sgCounted = await startStorygraph(countedUrl);
    children.push(sgCounted);
    const r1Counted = await startR1(countedUrl);
    children.push(r1Counted);
    const sgCounts = await countStatements(sgCounted.url, counter, true);
    const r1Counts = await countStatements(r1Counted.url, counter, true);
    const peerCounted = await startPeer(countedUrl);
    children.push(peerCounted);
    const identical = await checkIdentical(sgCounted.url, r1Counted.url, peerCounted.url);
    // The same answers with the response cache on, twice (the second time from memory).
    const sgCached = await startStorygraph(countedUrl, CACHED);
    children.push(sgCached);
    for (const pass of [1, 2]) {
      const fromCache = await checkIdentical(sgCached.url, r1Counted.url, peerCounted.url);
      if (!fromCache.identical)
        identical.details.push(...fromCache.details.map((d) => `cached, pass ${pass}: ${d}`));
      identical.identical &&= fromCache.identical;
    }
    const token = await signToken('editor', SECRET, { expiresIn: '2h' });
    const ingestSql = {
      mentions3: await countIngest(sgCounted.url, counter, token, 3),
      mentions30: await countIngest(sgCounted.url, counter, token, 30),
    };
    log('SQL statements per ingested article:', ingestSql);
    if (ingestSql.mentions3 !== ingestSql.mentions30)
      failures.push(
        `ingestion sent ${ingestSql.mentions3} statements for 3 mentions but ${ingestSql.mentions30} for 30`,
      );
    await stopAll();
    await counter.close();
    log('SQL statements per request: storygraph', sgCounts, 'r1', r1Counts);
    if (!identical.identical) failures.push(...identical.details);
    if (sgCounts.simple !== 1) failures.push(`query (a) sent ${sgCounts.simple} statements, not 1`);
    if (sgCounts.nested20 !== sgCounts.nested100)
      failures.push(
        `query (b) sent ${sgCounts.nested20} statements for 20 articles but ${sgCounts.nested100} for 100`,
      );
    if (sgCounts.nested20 > MAX_NESTED_STATEMENTS)
      failures.push(
        `query (b) sent ${sgCounts.nested20} statements (at most ${MAX_NESTED_STATEMENTS})`,
      );

    if (QUICK_MODE) {
      // 2. Fan-out, small: every subscriber gets every event once.
      for (const transport of ['ws', 'sse'] as const) {
        for (const start of [startStorygraph, startR2] as const) {
          const server = await start(url);
          children.push(server);
          const result = await fanoutAgainst(
            server,
            token,
            50,
            { events: 3, intervalMs: 50, quietMs: 100 },
            transport,
          );
          log(`fan-out ${server.name} over ${transport}:`, result);
          if (result.lost || result.duplicated)
            failures.push(
              `${server.name} over ${transport}: ${result.lost} lost, ${result.duplicated} duplicated`,
            );
          await stopAll();
        }
      }
      // The timeline: every entry once, in order, over every page.
      const timeline = await measureTimelinePart();
      failures.push(...timeline.walkProblems.map((problem) => `timeline walk: ${problem}`));
      // Live queries and subscribers on two instances, small: every commit shown to every client.
      for (const run of await measureLive(url, token, 1, 50))
        if (run.lost) failures.push(`${run.kind} on two instances: ${run.lost} commits not shown`);
      log(`quick run took ${Math.round((Date.now() - started) / 1000)} s`);
      if (failures.length) throw new Error(`bench --quick failed:\n${failures.join('\n')}`);
      log(
        'quick checks passed: SQL counts, identical responses to R1, nothing lost, live queries current',
      );
      return;
    }
    if (failures.length) log(`WARNING, checks failed:\n${failures.join('\n')}`);

    if (values['only-writes']) {
      // For working on the write path: one instance against the SQL alone (and a profile).
      const one = await startStorygraph(url);
      children.push(one);
      log('writes', JSON.stringify(await storygraphWrites([one.url], token, 8, DURATION, 'one')));
      await stopAll();
      log('writes', JSON.stringify(await sqlAloneWrites(url, 8, DURATION)));
      if (values.profile) {
        const summary = await profiled(url, 'writes', (server) =>
          storygraphWrites([server.url], token, 8, DURATION, 'profiled'),
        );
        log(`profile writes\n${summary}`);
      }
      return;
    }
    if (values['only-live']) {
      // For working on live queries: their runs against summitUpdated subscribers alone.
      const runs = await measureLive(url, token, ROUNDS);
      log('live figures', JSON.stringify(liveFigures(runs)));
      return;
    }
    if (values['only-fanout']) {
      // For working on delivery: the fan-out alone (and its profile with --profile), over
      // graphql-ws or, with --transport sse, over server-sent events.
      const transport = values.transport === 'sse' ? 'sse' : 'ws';
      for (const subscribers of values.subscribers.split(',').map(Number)) {
        for (const start of [startStorygraph, startR2] as const) {
          const server = await start(url);
          children.push(server);
          const result = await fanoutAgainst(server, token, subscribers, undefined, transport);
          log('fan-out', server.name, JSON.stringify(result));
          await stopAll();
        }
      }
      if (values.profile) {
        const subscribers = Number(values.subscribers.split(',').at(-1));
        const summary = await profiled(url, 'fanout', (server) =>
          fanoutAgainst(server, token, subscribers, undefined, transport),
        );
        log(`profile fanout\n${summary}`);
      }
      return;
    }

    // 2. Reads under load, alternating targets within each round.
    const sg = await startStorygraph(url);
    children.push(sg);
    const r1 = await startR1(url);
    children.push(r1);
    const peer = await startPeer(url);
    children.push(peer);
    const cached = await startStorygraph(url, CACHED);
    children.push(cached);
    const loads: LoadResult[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [queryName, query, variables] of [
        ['a', QUERY_SIMPLE, {}],
        ['b', QUERY_NESTED, { first: 20 }],
      ] as const) {
        for (const connections of [1, 32]) {
          const order = round % 2 ? [sg, peer, r1] : [r1, peer, sg];
          // The cache only at 32 connections: its goals are req/s there ÷ R1's, uncached.
          if (connections === 32) order.splice(round % 2 ? 3 : 0, 0, cached);
          for (const target of order) {
            const result = await load(target, name, query, variables, connections, DURATION);
            const row = { target: target.name, query: queryName, round, ...result };
            loads.push(row);
            log(JSON.stringify(row));
          }
        }
      }
    }

    if (values['only-reads']) {
      // For working on the read path: the reads alone, summarized, nothing written to results.
      for (const query of ['a', 'b']) {
        for (const target of [sg.name, cached.name, peer.name, r1.name]) {
          const rows = loads.filter(
            (l) => l.query === query && l.target === target && l.connections === 32,
          );
          log(
            `(${query}) ${target} at 32: ${rows.map((r) => `${r.reqPerSec} req/s, ${r.serverCpuUsPerReq} µs server, ${r.postgresCpuUsPerReq} µs pg, p50/p99 ${r.p50Ms}/${r.p99Ms} ms`).join(' | ')}`,
          );
        }
      }
      await stopAll();
      if (values.profile) {
        for (const [label, query, variables] of [
          ['query-a', QUERY_SIMPLE, {}],
          ['query-b', QUERY_NESTED, { first: 20 }],
        ] as const) {
          const summary = await profiled(url, label, (server) =>
            load(server, name, query, variables, 32, DURATION),
          );
          log(`profile ${label}\n${summary}`);
        }
      }
      return;
    }

    // 3. Search, one client and eight (storygraph), and the search SQL alone through pg.
    const searches: { clients: number; p50Ms: number; p99Ms: number; reqPerSec: number }[] = [];
    for (const connections of [1, 8]) {
      const result = await load(sg, name, QUERY_SEARCH, {}, connections, DURATION);
      searches.push({
        clients: connections,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        reqPerSec: result.reqPerSec,
      });
      log('search', JSON.stringify(result));
    }

    // 3b. The response cache under writes: 8 readers over 20 queries while 4 editors commit about
    // 50 edits/s, on the cached server and (for the reads it buys) on the uncached one, in turns
    // whose order flips each round as the reads' do; the medians are kept (stale answers summed).
    const runs: Record<string, MixedResult[]> = { [CACHED]: [], [sg.name]: [] };
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const target of round % 2 ? [cached, sg] : [sg, cached]) {
        const result = await measureCacheMixed({
          url: target.url,
          databaseUrl: url,
          token,
          seconds: DURATION,
          readers: 8,
          editors: 4,
          editsPerSecond: 50,
        });
        runs[target.name]?.push(result);
        log('mixed reads and edits', target.name, round, JSON.stringify(result));
      }
    }
    const mixed: Record<string, MixedResult> = {};
    for (const [target, results] of Object.entries(runs))
      mixed[target] = {
        reads: results.reduce((sum, r) => sum + r.reads, 0),
        readsPerSec: median(results.map((r) => r.readsPerSec)),
        edits: results.reduce((sum, r) => sum + r.edits, 0),
        editsPerSec: median(results.map((r) => r.editsPerSec)),
        stale: results.reduce((sum, r) => sum + r.stale, 0),
        hitRatio: median(results.map((r) => r.hitRatio)),
      };
    await stopAll();

    // 4. Writes: 8 editors on 8 summits, one instance and two; then the SQL alone.
    const writes: WriteResult[] = [];
    if (!values['skip-writes']) {
      const seconds = DURATION;
      const one = await startStorygraph(url);
      children.push(one);
      writes.push(await storygraphWrites([one.url], token, 8, seconds, 'storygraph, 1 instance'));
      const two = await startStorygraph(url, 'storygraph-2');
      children.push(two);
      writes.push(
        await storygraphWrites([one.url, two.url], token, 8, seconds, 'storygraph, 2 instances'),
      );
      await stopAll();
      writes.push(await sqlAloneWrites(url, 8, seconds));
      for (const write of writes) log('writes', JSON.stringify(write));
    }

    // 5. Fan-out, alternating which target goes first; a fresh server for each run.
    const fanouts: (FanoutResult & { target: string })[] = [];
    const fanoutErrors: string[] = [];
    if (!values['skip-fanout']) {
      const sizes = values.subscribers.split(',').map(Number);
      // Over graphql-ws, then over server-sent events at the same sizes (each target's `-sse` run).
      for (const transport of ['ws', 'sse'] as const) {
        const suffix = transport === 'sse' ? '-sse' : '';
        for (const [index, subscribers] of sizes.entries()) {
          const order = index % 2 ? [startR2, startStorygraph] : [startStorygraph, startR2];
          for (const start of order) {
            const server = await start(url);
            children.push(server);
            try {
              const result = await fanoutAgainst(server, token, subscribers, undefined, transport);
              fanouts.push({ target: `${server.name}${suffix}`, ...result });
              log(`fan-out over ${transport}`, server.name, JSON.stringify(result));
            } catch (error) {
              fanoutErrors.push(
                `${server.name} over ${transport}, ${subscribers} subscribers: ${(error as Error).message}`,
              );
              log('fan-out failed', server.name, transport, subscribers, (error as Error).message);
            }
            await stopAll();
          }
        }
      }
    }

    // 5a. Live queries against summitUpdated subscribers, on two instances (bench/live.ts).
    const lives = await measureLive(url, token, ROUNDS);

    // 5c. asOf on a 100,000-event log, in its own scratch database (bench/time.ts).
    const time = await runTime(name);

    // 5b. Ingestion and the event loop: 4 editors ingest 100,000-character articles back to back
    // while one client times a cheap query (bench/ingest-load.ts).
    const ingestServer = await startStorygraph(url, 'storygraph-ingest');
    children.push(ingestServer);
    const ingestLoad = await measureIngestLoad({
      url: ingestServer.url,
      token,
      editors: 4,
      seconds: DURATION * 2,
    });
    log('ingestion load', JSON.stringify(ingestLoad));
    // 5c. Ingestion throughput: 8 editors, 700-word articles naming about 30 leaders each.
    const ingestRate = await measureIngestRate({
      url: ingestServer.url,
      token,
      clients: 8,
      seconds: DURATION * 2,
    });
    log('ingestion rate', JSON.stringify(ingestRate));
    await stopAll();

    // 5d. The timeline: its own 1,000 entries, timeline(first: 50) from one client, a page walk.
    const timeline = await measureTimelinePart();

    // 6. Profiles of storygraph alone under the same loads, for the goals that are missed.
    const profiles: { label: string; summary: string }[] = [];
    if (values.profile) {
      for (const [label, query, variables] of [
        ['query-a', QUERY_SIMPLE, {}],
        ['query-b', QUERY_NESTED, { first: 20 }],
      ] as const) {
        const summary = await profiled(url, label, (server) =>
          load(server, name, query, variables, 32, DURATION * 2),
        );
        profiles.push({ label: `${label}, 32 connections, ${DURATION * 2} s`, summary });
        log(`profile ${label}\n${summary}`);
      }
      const subscribers = Number(values.subscribers.split(',').at(-1));
      const summary = values['skip-fanout']
        ? ''
        : await profiled(url, 'fanout', (server) => fanoutAgainst(server, token, subscribers));
      if (summary) {
        profiles.push({ label: `fan-out, ${subscribers} subscribers (whole run)`, summary });
        log(`profile fanout\n${summary}`);
      }
    }

    // 7. Ratios and reports.
    const pick = (target: string, query: string, connections: number) =>
      loads.filter(
        (l) => l.target === target && l.query === query && l.connections === connections,
      );
    const at32 = (target: string, query: string, key: 'reqPerSec' | 'postgresCpuUsPerReq') =>
      median(pick(target, query, 32).map((l) => l[key]));
    const ratio = (query: string, to = 'r1') =>
      at32('storygraph', query, 'reqPerSec') / at32(to, query, 'reqPerSec');
    const nestedP50 = median(pick('storygraph', 'b', 32).map((l) => l.p50Ms));
    const nestedP99 = median(pick('storygraph', 'b', 32).map((l) => l.p99Ms));
    const fan = (target: string, subscribers: number) =>
      fanouts.find((f) => f.target === target && f.subscribers === subscribers);
    const maxSubscribers = Math.max(...fanouts.map((f) => f.subscribers), 0);
    // Server CPU per delivery ÷ R2's, the median over the sizes measured on one transport.
    const cpuRatio = (suffix: '' | '-sse') =>
      median(
        [
          ...new Set(
            fanouts.filter((f) => f.target === `storygraph${suffix}`).map((f) => f.subscribers),
          ),
        ].map(
          (n) =>
            (fan(`storygraph${suffix}`, n)?.cpuUsPerDelivery ?? Number.NaN) /
            (fan(`r2${suffix}`, n)?.cpuUsPerDelivery ?? Number.NaN),
        ),
      );
    const fanoutCpuRatio = cpuRatio('');
    const sseFanoutCpuRatio = cpuRatio('-sse');
    const sgBig = fan('storygraph', maxSubscribers);
    const r2Big = fan('r2', maxSubscribers);
    const sqlAlone = writes.find((w) => w.setup.startsWith('the same SQL'));
    const sgOne = writes.find((w) => w.setup === 'storygraph, 1 instance');
    const results = {
      nestedVsPeer: round3(ratio('b', 'peer')),
      nestedRatio: round3(ratio('b')),
      simpleVsPeer: round3(ratio('a', 'peer')),
      simpleRatio: round3(ratio('a')),
      cachedSimpleRatio: round3(at32(CACHED, 'a', 'reqPerSec') / at32('r1', 'a', 'reqPerSec')),
      cachedNestedRatio: round3(at32(CACHED, 'b', 'reqPerSec') / at32('r1', 'b', 'reqPerSec')),
      cacheStaleReads: (mixed[CACHED]?.stale ?? Number.NaN) + (mixed.storygraph?.stale ?? 0),
      mixedHitRatio: mixed[CACHED]?.hitRatio ?? null,
      mixedReadsPerSec: mixed[CACHED]?.readsPerSec ?? null,
      mixedReadsPerSecUncached: mixed.storygraph?.readsPerSec ?? null,
      pgCpuNestedRatio: round3(
        at32('storygraph', 'b', 'postgresCpuUsPerReq') / at32('r1', 'b', 'postgresCpuUsPerReq'),
      ),
      nestedP99OverP50: round3(nestedP99 / nestedP50),
      sqlSimple: sgCounts.simple,
      sqlNested: sgCounts.nested20,
      fanoutCpuRatio: round3(fanoutCpuRatio),
      p99Ratio10k: sgBig && r2Big ? round3(sgBig.p99Ms / r2Big.p99Ms) : null,
      rssRatio:
        sgBig && r2Big ? round3(sgBig.rssPerIdleSubscriberKb / r2Big.rssPerIdleSubscriberKb) : null,
      sseFanoutCpuRatio: Number.isNaN(sseFanoutCpuRatio) ? null : round3(sseFanoutCpuRatio),
      ...liveFigures(lives),
      ...timeResults(time),
      writeRatio: sgOne && sqlAlone ? round3(sgOne.perSecond / sqlAlone.perSecond) : null,
      ingestPerSec: ingestRate.errors.length ? null : ingestRate.perSecond,
      ingestSqlPerArticle: ingestSql.mentions30,
      searchP50Ms: searches.find((s) => s.clients === 1)?.p50Ms ?? null,
      ingestProbeP99Ms: ingestLoad.errors.length ? null : ingestLoad.p99Ms,
      lost: fanouts.reduce((sum, f) => sum + f.lost + f.duplicated, 0),
      ...timelineFigures(timeline),
      node: process.version,
      date: new Date().toISOString(),
    };
    // results.json and RESULTS.md are the run on the Node users run (26); a run on another line
    // (20, for comparison) writes results-node20.json, which RESULTS.md then shows beside it.
    const major = Number(process.versions.node.split('.')[0]);
    const suffix = major === 26 ? '' : `-node${major}`;
    writeFileSync(
      join(ROOT, `bench/results${suffix}.json`),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    writeFileSync(
      join(ROOT, `bench/RESULTS${suffix}.md`),
      report({
        results,
        loads,
        searches,
        writes,
        fanouts,
        lives,
        time,
        fanoutErrors,
        profiles,
        sgCounts,
        r1Counts,
        identical: identical.identical,
        ingestion: { rate: ingestRate, sql: ingestSql, load: ingestLoad },
        timeline,
        loadAtStart,
        loadAtEnd: loadAverage(),
        minutes: Math.round((Date.now() - started) / 6000) / 10,
      }),
    );
    log('results', results);
    log(`wrote bench/RESULTS${suffix}.md and bench/results${suffix}.json`);
  } finally {
    await stopAll();
    if (!values['keep-database']) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function report(input: {
  results: Record<string, unknown>;
  loads: LoadResult[];
  searches: { clients: number; p50Ms: number; p99Ms: number; reqPerSec: number }[];
  writes: WriteResult[];
  fanouts: (FanoutResult & { target: string })[];
  lives: LiveRunResult[];
  time: TimeFigures;
  fanoutErrors: string[];
  profiles: { label: string; summary: string }[];
  sgCounts: Counts;
  r1Counts: Counts;
  identical: boolean;
  ingestion: {
    rate: Awaited<ReturnType<typeof measureIngestRate>>;
    sql: { mentions3: number; mentions30: number };
    load: { p50Ms: number; p99Ms: number; ingested: number };
  };
  timeline: TimelineResult;
  loadAtStart: string;
  loadAtEnd: string;
  minutes: number;
}): string {
  const { results, loads } = input;
  const goal = (key: string, test: (value: number) => boolean, text: string) => {
    const value = results[key] as number | null;
    const met = value !== null && Number.isFinite(value) && test(value);
    return `| \`${key}\` | ${value ?? 'n/a'} | ${text} | ${met ? 'met' : '**missed**'} |`;
  };
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(
    `Written by \`npm run bench\` on ${results.date}. Node ${results.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL on loopback.`,
    `Load average (1/5/15 min, runnable/total, last pid) at start: \`${input.loadAtStart}\`; at end: \`${input.loadAtEnd}\`. The two cores were shared with other work, so absolute figures are noisy; the ratios compare targets measured in the same run, alternating, ${ROUNDS} rounds of ${WARMUP} s warm-up + ${DURATION} s measured each. The run took ${input.minutes} min.`,
    '',
  );
  const node20Path = join(ROOT, 'bench/results-node20.json');
  const node20: Record<string, unknown> | undefined =
    results.node !== undefined && String(results.node).startsWith('v26') && existsSync(node20Path)
      ? JSON.parse(readFileSync(node20Path, 'utf8'))
      : undefined;
  lines.push('## Goals', '', '| key | value | goal | |', '|---|---|---|---|');
  lines.push(
    goal('nestedVsPeer', (v) => v >= 1.25, '≥ 1.25 ((b) req/s ÷ PostGraphile v5, 32 connections)'),
    goal('nestedRatio', (v) => v >= 0.9, '≥ 0.90 ((b) req/s ÷ R1)'),
    goal('simpleVsPeer', (v) => v >= 0.8, '≥ 0.80 ((a) req/s ÷ PostGraphile v5, uncached)'),
    goal('simpleRatio', (v) => v >= 0.32, '≥ 0.32 ((a) req/s ÷ R1, uncached)'),
    goal(
      'cachedSimpleRatio',
      (v) => v >= 1,
      '≥ 1.0 ((a) req/s with the response cache warm ÷ R1 uncached; issue 19)',
    ),
    goal(
      'cachedNestedRatio',
      (v) => v >= 2,
      '≥ 2.0 ((b) req/s with the response cache warm ÷ R1 uncached; issue 19)',
    ),
    goal(
      'cacheStaleReads',
      (v) => v === 0,
      '0 (answers older than their storyCursor while 4 editors commit ~50 edits/s; issue 19)',
    ),
    goal(
      'mixedHitRatio',
      () => true,
      'reported (cache hits ÷ lookups, 8 readers over 20 queries, ~50 edits/s; issue 19)',
    ),
    goal(
      'mixedReadsPerSec',
      () => true,
      'reported (reads/s in that run with the cache; `mixedReadsPerSecUncached` without)',
    ),
    goal('pgCpuNestedRatio', (v) => v <= 0.8, '≤ 0.8 (PostgreSQL CPU per (b) ÷ R1)'),
    goal('nestedP99OverP50', (v) => v <= 2, '≤ 2 ((b) p99 ÷ p50 at 32 connections)'),
    goal('sqlSimple', (v) => v === 1, '1'),
    goal('sqlNested', (v) => v <= 2, '≤ 2'),
    goal(
      'fanoutCpuRatio',
      (v) => v <= 1.5,
      '≤ 1.5 (server CPU per delivery ÷ R2, median over the sizes)',
    ),
    goal('p99Ratio10k', (v) => v <= 1.25, '≤ 1.25 (request → subscriber p99 ÷ R2, largest size)'),
    goal('rssRatio', (v) => v <= 1.3, '≤ 1.3 (RSS per idle subscriber ÷ R2)'),
    goal(
      'sseFanoutCpuRatio',
      (v) => v <= 1.5,
      "≤ 1.5 (server CPU per delivery over server-sent events ÷ R2's, median over the sizes)",
    ),
    goal('writeRatio', (v) => v >= 0.5, '≥ 0.5 (committed edits/s ÷ the SQL alone)'),
    goal('searchP50Ms', (v) => v <= 10, '≤ 10 ms (one client)'),
    goal(
      'ingestProbeP99Ms',
      (v) => v < 50,
      '< 50 ms (`{ __typename }` p99 while 4 editors ingest 100,000-character articles)',
    ),
    goal('ingestPerSec', (v) => v > 0, 'reported (8 editors, 700 words, ~30 mentions)'),
    goal(
      'ingestSqlPerArticle',
      (v) => v === input.ingestion.sql.mentions3,
      'the same for 30 mentions as for 3',
    ),
    goal(
      'liveCommitToResultP99Ms',
      (v) => v <= 1.25 * (input.results.subscriberCommitToResultP99Ms as number),
      `≤ 1.25 × a summitUpdated subscriber's (${input.results.subscriberCommitToResultP99Ms} ms): commit → result p99, two instances, ${values['live-clients']} clients`,
    ),
    goal(
      'liveRssPerClientRatio',
      (v) => v <= 1.5,
      '≤ 1.5 (RSS per live query ÷ per idle subscription)',
    ),
    goal('liveLost', (v) => v === 0, '0 (commits a live query or subscriber never showed)'),
    ...timeGoals(input.time),
    goal('lost', (v) => v === 0, '0 (lost + duplicated deliveries)'),
    goal(
      'timelineP95Ms',
      (v) => v <= 30,
      '≤ 30 ms (`timeline(first: 50)` over 1,000 entries, one client, with subjects)',
    ),
    goal(
      'timelineWalkProblems',
      (v) => v === 0,
      '0 (a walk over every page of 50 sees each of the 1,000 entries once, in order)',
    ),
    '',
  );
  if (node20) {
    lines.push(
      `The same benchmark on Node ${node20.node} (\`bench/results-node20.json\`, \`bench/RESULTS-node20.md\`), run on ${node20.date}, just ${String(node20.date) < String(results.date) ? 'before' : 'after'} this one:`,
      '',
      '| key | Node 20 | Node 26 (above) |',
      '|---|---|---|',
      ...Object.keys(results)
        .filter((key) => key !== 'node' && key !== 'date')
        .map((key) => `| \`${key}\` | ${node20[key] ?? 'n/a'} | ${results[key] ?? 'n/a'} |`),
      '',
    );
  }
  lines.push(
    '## Reads',
    '',
    `Query (a) is \`${QUERY_SIMPLE}\`; query (b) is 20 articles → leaders (first 5) → memberships (first 5) → organization, as in \`bench/run.ts\`. Responses identical to R1 byte for byte, storygraph's \`extensions.storyCursor\` aside: **${input.identical ? 'yes' : 'NO'}**.`,
    '',
    '| query | target | connections | req/s | p50 / p99 ms | server CPU µs/req | PostgreSQL CPU µs/req |',
    '|---|---|---|---|---|---|---|',
  );
  for (const query of ['a', 'b']) {
    for (const connections of [1, 32]) {
      for (const target of ['storygraph', CACHED, 'peer', 'r1']) {
        const rows = loads.filter(
          (l) => l.query === query && l.connections === connections && l.target === target,
        );
        if (!rows.length) continue;
        lines.push(
          `| (${query}) | ${target} | ${connections} | ${range(rows.map((r) => r.reqPerSec))} | ${range(rows.map((r) => r.p50Ms))} / ${range(rows.map((r) => r.p99Ms))} | ${range(rows.map((r) => r.serverCpuUsPerReq))} | ${range(rows.map((r) => r.postgresCpuUsPerReq))} |`,
        );
      }
    }
  }
  lines.push(
    '',
    'Ranges are over the rounds; the ratios above use the median of each target at 32 connections.',
    '',
    '| SQL statements per request | (a) | (b) first 20 | (b) first 100 |',
    '|---|---|---|---|',
    `| storygraph | ${input.sgCounts.simple} | ${input.sgCounts.nested20} | ${input.sgCounts.nested100} |`,
    `| R1 | ${input.r1Counts.simple} | ${input.r1Counts.nested20} | ${input.r1Counts.nested100} |`,
    '',
    'Counted by a proxy on the PostgreSQL wire protocol (each `Query` or `Execute` message is one statement).',
    '',
  );
  lines.push('## Search', '', '| clients | p50 ms | p99 ms | req/s |', '|---|---|---|---|');
  for (const s of input.searches)
    lines.push(`| ${s.clients} | ${s.p50Ms} | ${s.p99Ms} | ${s.reqPerSec} |`);
  lines.push('', `The query: \`${QUERY_SEARCH}\`.`, '');
  if (input.writes.length) {
    lines.push(
      '## Writes (8 editors, each on its own summit)',
      '',
      '| setup | committed/s | p50 / p99 ms | conflicts | errors |',
      '|---|---|---|---|---|',
    );
    for (const w of input.writes)
      lines.push(
        `| ${w.setup} | ${w.perSecond} | ${w.p50Ms} / ${w.p99Ms} | ${w.conflicts} | ${w.errors} |`,
      );
    lines.push('');
  }
  if (input.fanouts.length) {
    lines.push(
      '## Fan-out (graphql-ws; `-sse`: server-sent events; 20 events 250 ms apart)',
      '',
      '| target | subscribers | deliveries | lost | duplicated | request → subscriber p50 / p99 ms | server CPU µs per delivery | RSS KB per idle subscriber |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const f of input.fanouts)
      lines.push(
        `| ${f.target} | ${f.subscribers} | ${f.deliveries} | ${f.lost} | ${f.duplicated} | ${f.p50Ms} / ${f.p99Ms} | ${round1(f.cpuUsPerDelivery)} | ${f.rssPerIdleSubscriberKb} |`,
      );
    lines.push('');
  }
  for (const error of input.fanoutErrors) lines.push(`Fan-out run that failed: ${error}`, '');
  lines.push(
    '## Live queries and summitUpdated subscribers (two instances, Redis; commit → result)',
    '',
    '| kind | clients | commits | lost | p50 ms | p99 ms | RSS per client KB |',
    '|---|---|---|---|---|---|---|',
    ...input.lives.map(
      (run) =>
        `| ${run.kind} | ${run.clients} | ${run.commits} | ${run.lost} | ${run.p50Ms} | ${run.p99Ms} | ${run.rssPerClientKb} |`,
    ),
    '',
  );
  const { rate, sql, load } = input.ingestion;
  lines.push(
    '## Ingestion',
    '',
    `- Throughput: ${rate.clients} editors ingesting 700-word articles that name about 30 leaders each (${rate.mentionsPerArticle} linked on average): **${rate.perSecond} articles/s**, ${rate.articles} in ${DURATION * 2} s, p50 / p99 ${rate.p50Ms} / ${rate.p99Ms} ms${rate.errors.length ? `, errors: ${rate.errors.join(', ')}` : ''}.`,
    `- SQL statements per article (counted on the wire, the feed's read of the new events included): ${sql.mentions3} with 3 mentions, **${sql.mentions30}** with 30.`,
    `- The event loop meanwhile: \`{ __typename }\` p50 / p99 ${load.p50Ms} / ${load.p99Ms} ms while 4 editors ingest 100,000-character articles (${load.ingested} ingested).`,
    '',
  );
  const { timeline } = input;
  lines.push(
    '## Timeline',
    '',
    `\`timeline(first: 50)\` with each entry's subject, over ${TIMELINE_SIZE.occurrences} occurrences and ${TIMELINE_SIZE.summits} summits in a database of their own (\`bench/timeline.ts\`), ${timeline.requests} requests one after another from one client: p50 / p95 / p99 **${timeline.p50Ms} / ${timeline.p95Ms} / ${timeline.p99Ms} ms**. The walk over every page: ${timeline.walkProblems.length ? timeline.walkProblems.join('; ') : 'each entry once, in order'}.`,
    '',
  );
  if (input.profiles.length) {
    lines.push(
      '## Where storygraph spends its time (`node --cpu-prof`, `bench/profile-summary.ts`)',
      '',
    );
    for (const profile of input.profiles)
      lines.push(`### ${profile.label}`, '', '```', profile.summary, '```', '');
  }
  lines.push('', ...timeSection(input.time));
  return `${lines.join('\n')}\n`;
}

await main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
