import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { createLRUCache, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Context } from './context.ts';
import { type AuthOptions, type Viewer, viewerOfRequest } from './core/auth.ts';
import { maskError } from './core/errors.ts';
import type { FastDocuments } from './fast-reads.ts';
import { createReads } from './infra/compiled-reads.ts';
import type { Database } from './infra/db.ts';
import { yogaLogger } from './infra/logger.ts';
import { pendingMigrations } from './infra/migrate.ts';
import type { StoryFeed } from './live/feed.ts';
import type { LiveQueries } from './live/live-queries.ts';
import type { StoryPubSub } from './live/pubsub.ts';
import type { ResponseCache } from './live/response-cache.ts';
import { useSharedSubscriptionExecution } from './live/shared-execution.ts';
import type { LiveStream } from './live/streams.ts';
import { useStoryPages } from './pages/index.ts';
import { useOrderedExecution } from './plugins/execution.ts';
import { corsOption, DEFAULT_EXPOSURE, type Exposure, useExposure } from './plugins/exposure.ts';
import { GRAPHIQL_OPTIONS } from './plugins/graphiql.ts';
import { useInputGuards, useRequestParseGuard } from './plugins/input-guards.ts';
import { DEFAULT_LIMITS, type Limits, useLimits } from './plugins/limits.ts';
import { useLiveQueries } from './plugins/live-query.ts';
import {
  batchingSetting,
  type OperationsOptions,
  persistedQueryPlugins,
} from './plugins/persisted-queries.ts';
import { useRequestLog } from './plugins/request-log.ts';
import { useResponseCache } from './plugins/response-cache.ts';
import { useStoryCursor } from './plugins/story-cursor.ts';
import { schema } from './schema/index.ts';
import type { AnalysisPool } from './story/ingest/analysis-pool.ts';

/** What the transport hands Yoga along with each request. */
export interface ServerContext {
  /** The viewer already authenticated by the WebSocket `connection_init`, if any. */
  viewer?: Viewer;
  /** The graphql-ws operation or SSE response this request streams to, if any. */
  stream?: LiveStream;
}

/** Options of {@link buildYoga}. */
export interface YogaOptions {
  feed: StoryFeed;
  pubsub: StoryPubSub;
  /** Where ingestion analyses articles. */
  analysis: AnalysisPool;
  auth: AuthOptions;
  /** The app's database: resolvers read and write it, readiness checks it. */
  database: Database;
  /** Where operations and Yoga's own messages are logged. */
  logger: Logger;
  /** Extra plugins, such as metrics. */
  plugins?: Plugin[];
  /** What clients may send. @default DEFAULT_LIMITS */
  limits?: Limits;
  /** CORS, GraphiQL and introspection. @default DEFAULT_EXPOSURE */
  exposure?: Exposure;
  /** Persisted queries (APQ or a manifest only) and batching. @default APQ on, batching off */
  operations?: OperationsOptions;
  /** Answer plannable queries with one statement (infra/planned-reads.ts). @default true */
  plannedReads?: boolean;
  /** Where answers to queries are kept for the fast path to repeat, if anywhere. */
  responseCache?: ResponseCache;
  /** Where `@live` queries are kept current; without it, `@live` is refused. */
  liveQueries?: LiveQueries;
  /** Where planned query texts are kept for the fast path (fast-reads.ts). */
  fastDocuments?: FastDocuments;
}

/**
 * Decides who sends a request from its headers alone, before Yoga reads the body: a refused or
 * (where anonymous reads are off) missing token is answered 401 at once, whatever the body holds,
 * so an unauthenticated client learns nothing from the parser and costs no body read. GraphiQL's
 * page (a GET for HTML) is left to load; its requests carry the token.
 */
function useAuthenticationFirst(auth: AuthOptions, viewers: WeakMap<Request, Viewer>): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/graphql' || request.method === 'OPTIONS') return;
      if (request.method === 'GET' && request.headers.get('accept')?.includes('text/html')) return;
      try {
        viewers.set(request, await viewerOfRequest(request, auth));
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        endResponse(
          fetchAPI.Response.json(
            {
              errors: [
                { message: error.message, extensions: { ...error.extensions, http: undefined } },
              ],
            },
            { status: 401, headers: { 'www-authenticate': 'Bearer' } },
          ),
        );
      }
    },
  };
}

/** Distinct documents (and distinct unparsable texts) whose parse result is kept. */
const DOCUMENT_CACHE_SIZE = 256;

export type StoryYoga = YogaServerInstance<ServerContext, Context>;

/**
 * Builds the GraphQL handler without listening anywhere. `buildServer` mounts it on HTTP and
 * WebSocket (the same plugins run for both); tests call `yoga.fetch` on it directly.
 */
export function buildYoga(options: YogaOptions): StoryYoga {
  const { database } = options;
  // The request id chosen in the context, echoed back so a client can quote it.
  const requestIds = new WeakMap<Request, string>();
  // The viewer of each HTTP request, decided from its headers before its body is read.
  const viewers = new WeakMap<Request, Viewer>();
  const reads = createReads(database);
  const limits = options.limits ?? DEFAULT_LIMITS;
  const exposure = options.exposure ?? DEFAULT_EXPOSURE;
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: yogaLogger(options.logger),
    graphiql: exposure.graphiql ? GRAPHIQL_OPTIONS : false,
    cors: corsOption(exposure.corsOrigins),
    maxRequestBodySize: limits.maxRequestBytes,
    // Parsed documents and parse errors are kept per distinct query text; Yoga's default of 1,024
    // of each, at up to 64 KB a text plus its syntax tree, is more memory than a client should be
    // able to pin. Ordinary clients send a handful of distinct documents.
    parserAndValidationCache: {
      documentCache: createLRUCache({ max: DOCUMENT_CACHE_SIZE }),
      errorCache: createLRUCache({ max: DOCUMENT_CACHE_SIZE }),
    },
    // Served from the package, not a CDN: GraphiQL works offline and leaks nothing to third parties.
    // Loaded on first use: the bundle is large, and most instances never serve GraphiQL.
    renderGraphiQL: async (graphiqlOptions) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    maskedErrors: { maskError },
    batching: batchingSetting(options.operations?.batchingLimit),
    context: async ({ request, viewer: socketViewer, stream }): Promise<Context> => {
      const requestId = request?.headers.get('x-request-id')?.slice(0, 100) || randomUUID();
      if (request) requestIds.set(request, requestId);
      // A WebSocket's viewer was decided once, at connection_init.
      const viewer =
        socketViewer ?? viewers.get(request) ?? (await viewerOfRequest(request, options.auth));
      return {
        viewer,
        db: database.prisma,
        reads,
        ...(options.fastDocuments ? { fastDocuments: options.fastDocuments } : {}),
        feed: options.feed,
        pubsub: options.pubsub,
        analysis: options.analysis,
        requestId,
        ...(stream ? { stream } : {}),
      };
    },
    plugins: [
      useAuthenticationFirst(options.auth, viewers),
      ...useLimits(limits),
      useInputGuards(limits.maxListItems),
      useRequestParseGuard(),
      ...useExposure(exposure),
      ...(options.plugins ?? []),
      ...persistedQueryPlugins(options.operations),
      useStoryCursor(limits.storyAfterWaitMs),
      ...(options.responseCache ? [useResponseCache(options.responseCache)] : []),
      useOrderedExecution({ planned: options.plannedReads }),
      // After the executor is chosen: a live query runs it again at each change.
      useLiveQueries(options.liveQueries),
      useRequestLog(options.logger),
      useSharedSubscriptionExecution(),
      useStoryPages(),
      {
        onResponse({ request, response }) {
          const requestId = requestIds.get(request);
          if (requestId) response.headers.set('x-request-id', requestId);
        },
      },
      {
        // `/ready`: the database answers, every committed migration is applied, Redis (when used)
        // is connected. Not ready answers 503 with the reason.
        async onRequest({ request, url, endResponse, fetchAPI }) {
          if (url.pathname !== '/ready' || request.method !== 'GET') return;
          const checks: Record<string, string> = {};
          try {
            const pending = await pendingMigrations(database);
            checks.database = pending.length ? `pending migrations: ${pending.join(', ')}` : 'ok';
          } catch (error) {
            checks.database = `unreachable: ${(error as Error).message}`;
          }
          const pubsub = options.pubsub.health();
          checks.pubsub = pubsub.ok
            ? options.pubsub.kind === 'redis'
              ? 'ok'
              : 'ok (in-process)'
            : pubsub.detail;
          const ready = Object.values(checks).every((value) => value.startsWith('ok'));
          endResponse(
            fetchAPI.Response.json(
              { status: ready ? 'ready' : 'not ready', checks },
              { status: ready ? 200 : 503 },
            ),
          );
        },
      },
    ],
  });
}
