import { type Logger, pino } from 'pino';
import type { AuthOptions } from './core/auth.ts';
import { createFastReads, FastDocuments } from './fast-reads.ts';
import { createReads } from './infra/compiled-reads.ts';
import { type Database, openDatabase } from './infra/db.ts';
import { StoryFeed } from './live/feed.ts';
import { LiveQueries } from './live/live-queries.ts';
import { createStoryPubSub, type StoryPubSub } from './live/pubsub.ts';
import { ResponseCache } from './live/response-cache.ts';
import { DEFAULT_EXPOSURE, type Exposure } from './plugins/exposure.ts';
import { DEFAULT_LIMITS, type Limits } from './plugins/limits.ts';
import { createMetrics } from './plugins/metrics.ts';
import type { OperationsOptions } from './plugins/persisted-queries.ts';
import { schema } from './schema/index.ts';
import { buildServer, type StoryServer } from './server.ts';
import { type AsOfSettings, asOfCache, DEFAULT_AS_OF } from './story/as-of/source.ts';
import {
  type AnalysisPool,
  type AnalysisPoolOptions,
  createAnalysisPool,
} from './story/ingest/analysis-pool.ts';
import { buildYoga, type StoryYoga } from './yoga.ts';

/** The response cache's default budget: 64 MiB of answers. */
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** Options of {@link createStoryApp}. */
export interface StoryAppOptions {
  auth: AuthOptions;
  /** Share wake-ups with other instances through this Redis. @default in-process only */
  redisUrl?: string;
  /** How often the feed reads the log without a wake-up, in ms. @default 2000 */
  pollMs?: number;
  /** Events one subscription may have waiting before it is ended. @default 1000 */
  bufferCap?: number;
  /** The structured logger. @default a silent one */
  logger?: Logger;
  /** The app's database. @default one opened from the configuration, closed with the app */
  database?: Database;
  /** What clients may send (limits.ts). @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /** CORS, GraphiQL and introspection (exposure.ts). @default DEFAULT_EXPOSURE */
  exposure?: Partial<Exposure>;
  /** Persisted queries and batching. @default APQ on, batching off */
  operations?: OperationsOptions;
  /** The threads ingestion analyses articles on. @default CPUs - 1 threads, 16 queued, 10 s each */
  analysis?: AnalysisPoolOptions;
  /** Answer plannable queries with one statement (infra/planned-reads.ts). @default true */
  plannedReads?: boolean;
  /** Answer planned queries seen before ahead of Yoga's pipeline (fast-reads.ts). @default true */
  fastReads?: boolean;
  /**
   * Keep answers to queries until a committed event can change them, and answer repeats from
   * memory (live/response-cache.ts); `false` turns it off. @default { maxBytes: 64 MiB }
   */
  responseCache?: false | { maxBytes?: number };
  /** How `asOf` checkpoints the log (story/as-of/source.ts). @default { every: 1000, cacheMb: 64 } */
  asOf?: AsOfSettings;
}

/** One server instance: its pub/sub, feed, GraphQL handler and HTTP + WebSocket server. */
export interface StoryApp {
  yoga: StoryYoga;
  server: StoryServer;
  feed: StoryFeed;
  /** The live queries (`@live`) this instance keeps current. */
  live: LiveQueries;
  pubsub: StoryPubSub;
  /** The app's database (its own, or the one it was given). */
  database: Database;
  /** Where ingested articles are analysed, off the event loop. */
  analysis: AnalysisPool;
  /** Starts the feed and listens; resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Completes subscriptions, drains requests, closes sockets and Redis; idempotent. Closes the
   * database only if the app opened it.
   */
  close(): Promise<void>;
}

/**
 * Wires one instance together. `main.ts` uses it, and so do the tests. Every listener, timer and
 * connection belongs to the instance and is released by `close()`: two instances share nothing
 * but the database they are given, so they hear each other only through Redis, as processes do.
 */
export function createStoryApp(options: StoryAppOptions): StoryApp {
  // The app's own database: the one it is given (and leaves open), or one it opens from the
  // configuration and closes with itself. Every resolver, loader, feed read and write uses it.
  const owned = options.database === undefined;
  const database = options.database ?? openDatabase();
  const pubsub = createStoryPubSub(options.redisUrl);
  const feed = new StoryFeed({
    pubsub,
    db: database.prisma,
    pollMs: options.pollMs,
    bufferCap: options.bufferCap,
  });
  const logger = options.logger ?? pino({ level: 'silent' });
  // The instance's checkpoints of the log, which every `asOf` read of this database shares.
  asOfCache(database.prisma, options.asOf ?? DEFAULT_AS_OF);
  // Dropped from as the feed reads each batch of events, before any subscriber sees them.
  const cache =
    options.responseCache === false
      ? undefined
      : new ResponseCache(options.responseCache?.maxBytes ?? DEFAULT_CACHE_BYTES, () => feed.head);
  const following = cache
    ? [
        feed.follow((events) => cache.apply(events)),
        pubsub.onCommit((sequence) => cache.announced(sequence)),
      ]
    : [];
  // Live queries, run again as the feed reads the events that change them (after the cache).
  const live = new LiveQueries(feed);
  const metrics = createMetrics({
    feed,
    pubsub,
    database,
    sockets: () => server.sockets,
    cache,
    live,
  });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const exposure = { ...DEFAULT_EXPOSURE, ...options.exposure };
  const analysis = createAnalysisPool(options.analysis);
  // Planned query texts, filled by the pipeline and read by the fast path in front of it.
  const fastDocuments = new FastDocuments();
  const yoga = buildYoga({
    feed,
    pubsub,
    analysis,
    auth: options.auth,
    logger,
    database,
    plugins: metrics.plugins,
    limits,
    exposure,
    operations: options.operations,
    plannedReads: options.plannedReads,
    fastDocuments: options.fastReads === false ? undefined : fastDocuments,
    responseCache: cache,
    liveQueries: live,
  });
  // In front of Yoga: cache hits, and planned reads seen before (unless both are off).
  const planned = options.fastReads !== false && options.plannedReads !== false;
  const fastReads =
    !planned && !cache
      ? undefined
      : createFastReads({
          schema,
          auth: options.auth,
          reads: planned ? createReads(database) : {},
          documents: fastDocuments,
          maxRequestBytes: limits.maxRequestBytes,
          maxListItems: limits.maxListItems,
          hooks: {
            log: (line) => logger.info(line, 'operation'),
            record: metrics.recordFastRead,
          },
          head: () => feed.head,
          cache,
        });
  const server = buildServer(yoga, options.auth, limits, fastReads);
  let closing: Promise<void> | undefined;
  return {
    yoga,
    server,
    feed,
    live,
    pubsub,
    database,
    analysis,
    async listen(port, host) {
      await feed.start();
      return server.listen(port, host);
    },
    close() {
      closing ??= (async () => {
        feed.stop();
        live.close();
        for (const stop of following) stop();
        await server.close();
        await pubsub.close();
        await analysis.close();
        if (owned) await database.close();
      })();
      return closing;
    },
  };
}
