// The "Time" part of the benchmark: `asOf` on a 100,000-event log, in its own scratch database
// (it rewrites the log, which the other parts must not see). `npm run bench -- --only-time` runs
// it alone and updates its keys in results.json and its section of RESULTS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AsOfFigures, measureAsOf, writeLog } from './as-of.ts';
import { type DataSize, generate } from './data.ts';
import { admin, databaseUrl, ROOT } from './lib.ts';

/** The figures of the part, under the keys results.json gives them. */
export interface TimeFigures {
  asOf: AsOfFigures;
}

/** results.json's keys for the part. */
export function timeResults(figures: TimeFigures): Record<string, number> {
  const { asOf } = figures;
  return {
    asOfWarmP95Ms: asOf.warmP95Ms,
    asOfWarmOverPresent: asOf.warmOverPresent,
    asOfColdP95Ms: asOf.coldP95Ms,
    asOfCacheHeapMb: asOf.cacheHeapMb,
    asOfCacheRssMb: asOf.cacheRssMb,
  };
}

/** The goals of the part, as rows of RESULTS.md's goal table. */
export function timeGoals(figures: TimeFigures): string[] {
  const { asOf } = figures;
  const row = (key: string, value: number, met: boolean, text: string) =>
    `| \`${key}\` | ${value} | ${text} | ${met ? 'met' : '**missed**'} |`;
  return [
    row(
      'asOfWarmP95Ms',
      asOf.warmP95Ms,
      asOf.warmP95Ms <= 50 && asOf.warmOverPresent <= 3,
      `≤ 50 ms and ≤ 3 × the present read (${asOf.presentP95Ms} ms p95; ratio ${asOf.warmOverPresent}): a summit with its participants at a random recent position of ${asOf.events.toLocaleString('en')} events`,
    ),
    row(
      'asOfColdP95Ms',
      asOf.coldP95Ms,
      asOf.coldP95Ms <= 250,
      `≤ 250 ms: the same read anywhere in the log, from a fresh instance (first read ${asOf.coldFirstMs} ms)`,
    ),
    row(
      'asOfCacheHeapMb',
      asOf.cacheHeapMb,
      asOf.cacheHeapMb <= asOf.cacheMb && asOf.cacheHeapMb <= asOf.cacheCountedMb,
      `≤ AS_OF_CACHE_MB (${asOf.cacheMb} MiB) and ≤ what the cache counts (${asOf.cacheCountedMb} MiB): the heap a full cache keeps after a garbage collection (checkpoints of ${asOf.checkpointKb} KiB stored each)`,
    ),
  ];
}

/** RESULTS.md's section for the part. */
export function timeSection(figures: TimeFigures): string[] {
  const { asOf } = figures;
  return [
    '## Time',
    '',
    `\`asOf\` (bench/as-of.ts): the data's rows written as the ${asOf.events.toLocaleString('en')} events that made them and then edited them, a checkpoint every ${asOf.every} events, at most ${asOf.cacheMb} MiB of them in memory (the default); warm reads stay within the last ${asOf.warmCheckpoints} checkpoints. Building and storing all of them once took ${asOf.checkpointBuildMs} ms; one is ${asOf.checkpointKb} KiB stored.`,
    '',
    '| read | p95 ms |',
    '|---|---|',
    `| the present: \`summit(slug:)\` with its participants | ${asOf.presentP95Ms} |`,
    `| \`asOf\`, a recent position (warm) | ${asOf.warmP95Ms} |`,
    `| \`asOf\`, anywhere, fresh instance (cold) | ${asOf.coldP95Ms} |`,
    '',
    `Resident memory of the server grew by ${asOf.cacheRssMb} MiB over the cold and warm reads: besides the cache, the heap V8 grew to parse a checkpoint per cold read and has not returned (the bound is checked on the heap the cache keeps, \`asOfCacheHeapMb\`).`,
    '',
  ];
}

/**
 * Runs the part: a scratch database with the benchmark data and a rewritten log, a storygraph
 * started on it for each measurement by `start`.
 */
export async function measureTime(options: {
  name: string;
  size: DataSize;
  events: number;
  reads: number;
  migrate: (url: string) => Promise<void>;
  start: (
    url: string,
    env: Record<string, string>,
  ) => Promise<{ url: string; pid: number; stop(): Promise<void> }>;
  rssKb: (pid: number) => Promise<number>;
  log: (...args: unknown[]) => void;
}): Promise<TimeFigures> {
  const name = `${options.name}_time`;
  await admin(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  try {
    await options.migrate(url);
    await generate(url, options.size);
    const events = await writeLog(url, options.events);
    options.log(`time: ${events} events in ${name}`);
    const every = 1000;
    const cacheMb = 64;
    const asOf = await measureAsOf({
      url,
      start: () =>
        options.start(url, {
          AS_OF_CHECKPOINT_EVERY: String(every),
          AS_OF_CACHE_MB: String(cacheMb),
        }),
      rssKb: options.rssKb,
      events,
      summits: options.size.summits,
      every,
      cacheMb,
      warmCheckpoints: 2,
      reads: options.reads,
    });
    options.log('asOf', JSON.stringify(asOf));
    return { asOf };
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Puts the part's keys into results.json and its section into RESULTS.md, leaving the rest. */
export function updateTimeResults(figures: TimeFigures): void {
  const jsonPath = join(ROOT, 'bench/results.json');
  const results = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : {};
  Object.assign(results, timeResults(figures));
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  const mdPath = join(ROOT, 'bench/RESULTS.md');
  const md = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '# Benchmark results\n';
  const section = timeSection(figures).join('\n');
  const goals = timeGoals(figures).join('\n');
  const block = `${section}\n| key | value | goal | |\n|---|---|---|---|\n${goals}\n\n`;
  // The part's section replaces its previous one, wherever it is; a first one goes at the end.
  const start = md.indexOf('## Time\n');
  if (start < 0) {
    writeFileSync(mdPath, `${md.trimEnd()}\n\n${block}`);
    return;
  }
  const next = md.indexOf('\n## ', start + 1);
  writeFileSync(mdPath, md.slice(0, start) + block + (next < 0 ? '' : md.slice(next + 1)));
}
