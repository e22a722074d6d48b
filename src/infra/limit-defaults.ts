// The numbers of the limits (src/plugins/limits.ts enforces them). Kept apart from the plugins, which load
// the GraphQL stack, so that reading the environment (src/infra/env.ts) does not load it: the entry point
// opens the database while that stack loads.

/**
 * The limits one instance enforces on what a client may send. Every transport (HTTP, SSE and
 * graphql-ws) goes through the same Yoga plugins, so each limit is checked in one place.
 */
export interface Limits {
  /**
   * The largest HTTP request body and the largest WebSocket message, in bytes.
   * @default 1_048_576 (1 MiB)
   */
  maxRequestBytes: number;
  /** The largest GraphQL document (the `query` text), in characters. @default 65_536 */
  maxDocumentChars: number;
  /** Lexical tokens in one document, counted while parsing. @default 1_000 */
  maxTokens: number;
  /** Aliased fields in one operation (`__typename` aliases are free). @default 30 */
  maxAliases: number;
  /** Directives in one document. @default 20 */
  maxDirectives: number;
  /** How deeply fields may nest (introspection is exempt). @default 24 */
  maxDepth: number;
  /** Items in any one input list, in variables or literals (see input-guards.ts). @default 1_000 */
  maxListItems: number;
  /** Operations (subscriptions, queries, mutations) one WebSocket may have running. @default 100 */
  maxSubscriptionsPerSocket: number;
  /** Open WebSockets from one client address. @default 50 */
  maxSocketsPerAddress: number;
  /**
   * Open server-sent event streams (requests that accept `text/event-stream`) from one client
   * address: an SSE subscription holds a request and its buffers as a WebSocket does. @default 50
   */
  maxSseStreamsPerAddress: number;
  /**
   * Read the client address from the last `X-Forwarded-For` entry (the one the proxy in front
   * added) instead of the TCP peer. Only behind a proxy that sets it: a direct client could
   * otherwise choose its own address. @default false
   */
  trustProxy: boolean;
  /**
   * How long a request that sends `storyAfter` may wait for this instance to reach that
   * position of the log before it is answered with SERVICE_UNAVAILABLE, in ms. @default 5_000
   */
  storyAfterWaitMs: number;
}

/** The limits used when configuration does not say otherwise. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxRequestBytes: 1_048_576,
  maxDocumentChars: 65_536,
  maxTokens: 1_000,
  maxAliases: 30,
  maxDirectives: 20,
  maxDepth: 24,
  maxListItems: 1_000,
  maxSubscriptionsPerSocket: 100,
  maxSocketsPerAddress: 50,
  maxSseStreamsPerAddress: 50,
  trustProxy: false,
  storyAfterWaitMs: 5_000,
};

/** How `asOf` checkpoints the log, unless configured (src/story/as-of/source.ts). */
export const DEFAULT_AS_OF = { every: 1000, cacheMb: 64 } as const;
