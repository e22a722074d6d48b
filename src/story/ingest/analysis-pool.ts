// Text analysis runs on a small pool of worker threads (piscina), never on the event loop: an
// article of 100,000 characters takes the analysis up to about a second, and on the event loop
// every other request and subscription of the instance would wait that long.
// - Threads: one less than the CPUs (the event loop keeps one), at least one.
// - Queue: at most `maxQueue` articles wait for a thread; one more is refused at once with
//   SERVICE_UNAVAILABLE (HTTP 503) rather than piling up memory and latency.
// - Budget: an article's analysis must finish within `budgetMs` of being queued; past it the
//   thread is stopped and the ingestion fails with ANALYSIS_TIMEOUT, having written nothing.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ErrorCode, userError } from '../../core/errors.ts';
import type { Analysis, ArticleText } from './analyze.ts';
import type { KnownEntities } from './known.ts';

/** How the analysis pool is sized and bounded. */
export interface AnalysisPoolOptions {
  /** Worker threads. @default CPUs - 1, at least 1 */
  threads?: number;
  /** Articles that may wait for a thread. @default 16 */
  maxQueue?: number;
  /** How long one article's analysis may take from being queued, in ms. @default 10_000 */
  budgetMs?: number;
}

/** The defaults of {@link AnalysisPoolOptions} (docs/limits-and-security.md). */
export const ANALYSIS_DEFAULTS = { maxQueue: 16, budgetMs: 10_000 } as const;

/** Runs article analyses off the event loop. */
export interface AnalysisPool {
  analyze(article: ArticleText, known: KnownEntities): Promise<Analysis>;
  /** Stops the threads; analyses still running fail. Idempotent. */
  close(): Promise<void>;
}

/**
 * The worker's module: the compiled `.js` next to this file in `dist/`, or the `.ts` source under
 * tsx and in tests, which the thread then loads through tsx as the main thread does.
 */
function workerModule(): { filename: string; execArgv: string[] } {
  const typescript = import.meta.url.endsWith('.ts');
  const filename = new URL(`./analysis-worker.${typescript ? 'ts' : 'js'}`, import.meta.url).href;
  return {
    filename,
    execArgv: typescript ? ['--import', import.meta.resolve('tsx')] : [],
  };
}

/** A pool whose threads start on the first analysis: most instances never ingest. */
export function createAnalysisPool(options: AnalysisPoolOptions = {}): AnalysisPool {
  const threads = Math.max(1, options.threads ?? availableParallelism() - 1);
  const maxQueue = options.maxQueue ?? ANALYSIS_DEFAULTS.maxQueue;
  const budgetMs = options.budgetMs ?? ANALYSIS_DEFAULTS.budgetMs;
  let pool: Piscina | undefined;
  let closed = false;
  return {
    async analyze(article, known) {
      if (closed) throw new Error('the analysis pool is closed');
      if (!pool) {
        const { filename, execArgv } = workerModule();
        pool = new Piscina({
          filename,
          execArgv,
          minThreads: 0,
          maxThreads: threads,
          maxQueue,
          // Idle threads go after a minute: an instance that ingested once keeps no memory for it.
          idleTimeout: 60_000,
        });
      }
      // Queue full: piscina refuses synchronously-rejected runs with this message.
      if (pool.queueSize >= maxQueue) throw busy(maxQueue);
      try {
        return (await pool.run(
          { article, known },
          { signal: AbortSignal.timeout(budgetMs) },
        )) as Analysis;
      } catch (error) {
        if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
          throw userError(
            ErrorCode.ANALYSIS_TIMEOUT,
            `The article's analysis took longer than ${budgetMs} ms; nothing was stored. Shorten the text or split it.`,
            { budgetMs },
          );
        }
        if (/queue is at limit/i.test((error as Error).message)) throw busy(maxQueue);
        throw error;
      }
    },
    async close() {
      closed = true;
      await pool?.destroy();
      pool = undefined;
    },
  };
}

function busy(maxQueue: number) {
  return userError(
    ErrorCode.SERVICE_UNAVAILABLE,
    `${maxQueue} articles are already waiting for analysis on this instance; try again shortly.`,
    { http: { status: 503 } },
  );
}
