// Ingestion and the event loop: editors ingest the largest article the API accepts (100,000
// characters of the texts that were slowest to analyse), back to back, while one client sends a
// cheap query (`{ __typename }`) every few milliseconds and times each answer. The analysis runs
// on worker threads, so the cheap query should wait only for the event loop's own share of an
// ingestion (reading the body, writing the rows). Used by `npm run bench` and by
// tests/ingest-load.test.ts.

/** The texts that were slowest to analyse before the analysis was bounded, as 100,000-char bodies. */
export const HOSTILE_BODIES: readonly string[] = [
  'next week on Monday ',
  'Monday. ',
  'NATO ',
  'the leaders of several nations met and talked about trade and energy ',
  'Big Red Dog Went Home ',
  '“a ',
  'said Tass, according to Reuters ',
].map((unit) => unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000));

const INGEST = `mutation LoadIngest($input: IngestArticleInput!) {
  ingestArticle(input: $input) { created article { id } }
}`;

export interface IngestLoadOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** An editor's bearer token. */
  token: string;
  /** Concurrent editors, each ingesting one article after another. @default 4 */
  editors?: number;
  /** How long the cheap query is timed, after the first ingestion of each editor. @default 10 */
  seconds?: number;
  /** The pause between two cheap queries, in ms. @default 5 */
  probeEveryMs?: number;
}

export interface IngestLoadResult {
  /** Cheap queries timed. */
  probes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Articles ingested while timing. */
  ingested: number;
  /** Error codes the editors or the probe got (none expected). */
  errors: string[];
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** Runs the load against a server that is already up (see the module comment). */
export async function measureIngestLoad(options: IngestLoadOptions): Promise<IngestLoadResult> {
  const editors = options.editors ?? 4;
  const seconds = options.seconds ?? 10;
  const probeEveryMs = options.probeEveryMs ?? 5;
  const errors: string[] = [];
  const post = async (body: unknown, token?: string) => {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    for (const error of answer.errors ?? []) errors.push(error.extensions?.code ?? 'UNKNOWN');
    return answer;
  };
  const run = `${process.pid}-${Date.now()}`;
  let stop = false;
  let timing = false;
  let ingested = 0;
  let warm = 0;
  const editor = async (index: number) => {
    for (let n = 0; !stop; n++) {
      await post(
        {
          query: INGEST,
          variables: {
            input: {
              headline: `Load ${run} editor ${index} article ${n}`,
              body: HOSTILE_BODIES[(index + n) % HOSTILE_BODIES.length],
              publishedAt: '2022-09-07T00:00:00Z',
              url: `https://load.example/${run}/${index}/${n}`,
            },
          },
        },
        options.token,
      );
      if (n === 0) warm++;
      if (timing) ingested++;
    }
  };
  const working = Array.from({ length: editors }, (_, index) => editor(index));
  // The first ingestion of each editor starts the analysis threads; time the steady state.
  while (warm < editors) await new Promise((resolve) => setTimeout(resolve, 20));
  timing = true;
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await post({ query: '{ __typename }' });
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, probeEveryMs));
  }
  timing = false;
  stop = true;
  await Promise.all(working);
  latencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    probes: latencies.length,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    ingested,
    errors,
  };
}
