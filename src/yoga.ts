import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { ANONYMOUS } from './auth.ts';
import type { Context } from './builder.ts';
import { type Database, database as defaultDatabase } from './db.ts';
import { maskError } from './errors.ts';
import { pendingMigrations } from './migrate.ts';
import { schema } from './schema/index.ts';

/** What the transport hands Yoga along with each request. */
export interface ServerContext {
  /** graphql-ws `connection_init` payload, when the operation came over a WebSocket. */
  connectionParams?: Record<string, unknown>;
}

/** Options of {@link buildYoga}. */
export interface YogaOptions {
  /** The database that readiness checks. @default the process's database */
  database?: Database;
}

export type StoryYoga = YogaServerInstance<ServerContext, Context>;

/**
 * Builds the GraphQL handler without listening anywhere. `buildServer` mounts it on HTTP and
 * WebSocket; tests call `yoga.fetch` on it directly.
 */
export function buildYoga(options: YogaOptions = {}): StoryYoga {
  const database = options.database ?? defaultDatabase;
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: { title: 'storygraph', subscriptionsProtocol: 'WS' },
    maskedErrors: { maskError },
    context: (): Context => ({ viewer: ANONYMOUS }),
    plugins: [
      {
        // `/ready`: the database answers and every committed migration is applied.
        async onRequest({ request, url, endResponse, fetchAPI }) {
          if (url.pathname !== '/ready' || request.method !== 'GET') return;
          const checks: Record<string, string> = {};
          try {
            const pending = await pendingMigrations(database);
            checks.database = pending.length ? `pending migrations: ${pending.join(', ')}` : 'ok';
          } catch (error) {
            checks.database = `unreachable: ${(error as Error).message}`;
          }
          const ready = Object.values(checks).every((value) => value === 'ok');
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
