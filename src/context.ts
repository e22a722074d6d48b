// What every resolver sees about its request: who asks, and the instance's own feed, pub/sub and
// analysis pool. Kept apart from the schema builder so that the transports and plugins that make
// a context do not load the schema.
import type { Viewer } from './core/auth.ts';
import type { FastDocuments } from './fast-reads.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { Reads } from './infra/compiled-reads.ts';
import type { DirectTarget } from './live/direct.ts';
import type { StoryFeed } from './live/feed.ts';
import type { StoryPubSub } from './live/pubsub.ts';
import type { LiveStream } from './live/streams.ts';
import type { AnalysisPool } from './story/ingest/analysis-pool.ts';

/** What every resolver can see about the request. */
export interface Context {
  /** Who is asking; `role: 'anonymous'` without a valid token. */
  viewer: Viewer;
  /** The app's own database: every resolver, loader and story function reads and writes here. */
  db: PrismaClient;
  /** The same database's hot reads, as one compiled statement each where they can be. */
  reads: Reads;
  /** Query texts the pipeline answered through a plan, which the fast path may then answer. */
  fastDocuments?: FastDocuments;
  /** This server instance's change feed, for subscriptions. */
  feed: StoryFeed;
  /** This server instance's pub/sub: writes announce their commits through it. */
  pubsub: StoryPubSub;
  /** Where ingestion analyses articles, off the event loop. */
  analysis: AnalysisPool;
  /** Identifies the request in logs: the client's `X-Request-Id`, or a new one. */
  requestId: string;
  /** The graphql-ws operation or SSE response this request streams to, if any. */
  stream?: LiveStream;
  /** Set for a subscription over either: where the feed writes its live events (live/direct.ts). */
  direct?: DirectTarget;
  /** The last event this request committed, if it wrote: its response's `storyCursor`. */
  committed?: number;
}
