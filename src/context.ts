// What every resolver sees about its request: who asks, and the instance's own feed, pub/sub and
// analysis pool. Kept apart from the schema builder so that the transports and plugins that make
// a context do not load the schema.
import type { Viewer } from './auth.ts';
import type { StoryPubSub } from './pubsub.ts';
import type { StoryFeed } from './story/feed.ts';
import type { AnalysisPool } from './story/ingest/analysis-pool.ts';

/** What every resolver can see about the request. */
export interface Context {
  /** Who is asking; `role: 'anonymous'` without a valid token. */
  viewer: Viewer;
  /** This server instance's change feed, for subscriptions. */
  feed: StoryFeed;
  /** This server instance's pub/sub: writes announce their commits through it. */
  pubsub: StoryPubSub;
  /** Where ingestion analyses articles, off the event loop. */
  analysis: AnalysisPool;
  /** Identifies the request in logs: the client's `X-Request-Id`, or a new one. */
  requestId: string;
}
