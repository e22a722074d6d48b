import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';
import { startPGlite, tuneProcessForEmbedded } from './embedded.ts';
import { getEnv } from './env.ts';

/** Rows returned by a raw query. */
export interface SqlResult<Row> {
  rows: Row[];
}

/**
 * One connection for raw SQL: migrations and locks need to stay on a single session, which
 * Prisma's pool does not promise.
 */
export interface SqlSession {
  /** Runs one statement with positional parameters (`$1`, `$2`, …). */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<Row>>;
  /** Runs a script of several statements as one call, so `$$` bodies are never split. */
  exec(script: string): Promise<void>;
}

/** The database the process talks to: a PostgreSQL server or the embedded PGlite. */
export interface Database {
  /** `postgres` when `DATABASE_URL` is set, `embedded` for PGlite in `DATA_DIR`. */
  readonly kind: 'postgres' | 'embedded';
  /** Where the data lives, without credentials, for logs. */
  readonly location: string;
  readonly prisma: PrismaClient;
  /** Lends one raw connection to `work` and gives it back afterwards. */
  withSession<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Connections of the pool (the embedded database has one). */
  poolStats(): { total: number; idle: number; waiting: number };
  /**
   * Runs one read statement on the pool, outside any transaction, prepared once per connection
   * (the first 500 distinct texts; later ones run unprepared, so the count stays bounded).
   * PostgreSQL only: compiled reads (compiled-reads.ts) use it.
   */
  readRows?<Row>(sql: string, params: unknown[]): Promise<Row[]>;
  /** Disconnects Prisma and closes the pool or the embedded database. */
  close(): Promise<void>;
}

/** One SQL statement Prisma sent, as reported when query logging is on. */
export interface QueryEvent {
  query: string;
  params: string;
  duration: number;
}

type QueryListener = (event: QueryEvent) => void;
const queryListeners = new Set<QueryListener>();

/**
 * Calls `listener` for every SQL statement Prisma sends, until the returned function is called.
 * Only works when the client was opened with `logQueries` (the test configuration does): the
 * N+1 tests count statements with it.
 */
export function onQuery(listener: QueryListener): () => void {
  queryListeners.add(listener);
  return () => queryListeners.delete(listener);
}

function createClient(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  logQueries: boolean,
): PrismaClient {
  if (!logQueries) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => {
    for (const listener of queryListeners) listener(event);
  });
  return client as unknown as PrismaClient;
}

/**
 * How long opening a connection to PostgreSQL may take before the request fails with
 * `SERVICE_UNAVAILABLE`. `pg` waits forever by default: with a server that accepts TCP but never
 * answers (a stuck or half-started server, a dropped route), every request would hang.
 */
export const CONNECT_TIMEOUT_MS = 5000;

/** Distinct read statements prepared on each connection under a name. */
const MAX_PREPARED = 500;

/** Opens a PostgreSQL server through one `pg` pool shared by Prisma and raw sessions. */
export function openPostgres(url: string, poolSize = 10, logQueries = false): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Notice a server that vanished without closing the socket instead of waiting on it for hours.
    keepAlive: true,
  });
  // An idle client that loses its server (a restart, a network blip) emits 'error' on the pool;
  // without a listener that would crash the process instead of letting the pool reconnect.
  pool.on('error', () => {});
  const prisma = createClient(new PrismaPg(pool), logQueries);
  const statementNames = new Map<string, string>();
  const safeUrl = new URL(url);
  safeUrl.password = '';
  return {
    kind: 'postgres',
    location: `${safeUrl.host}${safeUrl.pathname}`,
    prisma,
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work({
          query: async (sql, params) => {
            const result = await client.query(sql, params as unknown[]);
            return { rows: result.rows };
          },
          exec: async (script) => {
            await client.query(script);
          },
        });
      } finally {
        client.release();
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async readRows<Row>(sql: string, params: unknown[]) {
      // Names belong to the pool: every connection prepares a text under the same name.
      let name = statementNames.get(sql);
      if (!name && statementNames.size < MAX_PREPARED) {
        name = `storygraph_read_${statementNames.size + 1}`;
        statementNames.set(sql, name);
      }
      const started = logQueries ? performance.now() : 0;
      const result = await pool.query({ text: sql, values: params, ...(name ? { name } : {}) });
      if (logQueries) {
        const event = {
          query: sql,
          params: JSON.stringify(params),
          duration: performance.now() - started,
        };
        for (const listener of queryListeners) listener(event);
      }
      return result.rows as Row[];
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/**
 * Opens (creating if needed) the embedded PGlite database in `dataDir`. Nothing touches the disk
 * until the first query, so importing the schema (to print it, say) never creates a data folder.
 */
export function openEmbedded(dataDir: string, logQueries = false): Database {
  const path = resolve(dataDir);
  tuneProcessForEmbedded();
  let pglite: PGlite | undefined;
  let opening: Promise<PGlite> | undefined;
  const instance = (): Promise<PGlite> => {
    // PGlite creates the data folder itself but not its parents. How it is started (a prepared
    // cluster, smaller buffers) is src/infra/embedded.ts's business.
    opening ??= Promise.resolve()
      .then(() => mkdirSync(path, { recursive: true }))
      .then(() => startPGlite(path))
      .then((started) => {
        pglite = started;
        return started;
      });
    return opening;
  };
  const adapter: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: 'pglite-lazy',
    connect: async () => new PrismaPGlite(await instance()).connect(),
    connectToShadowDb: async () => new PrismaPGlite(await instance()).connectToShadowDb(),
  };
  const prisma = createClient(adapter, logQueries);
  // PGlite is one session in this process: lend it to one raw user at a time, so that a
  // migration's BEGIN … COMMIT is never interleaved with another raw caller.
  let turn: Promise<unknown> = Promise.resolve();
  return {
    kind: 'embedded',
    location: path,
    prisma,
    withSession(work) {
      const run = turn.then(async () => {
        const db = await instance();
        return work({
          query: async (sql, params) => {
            const result = await db.query(sql, params as unknown[]);
            return { rows: result.rows as never[] };
          },
          exec: async (script) => {
            await db.exec(script);
          },
        });
      });
      turn = run.catch(() => {});
      return run;
    },
    poolStats: () => ({ total: pglite ? 1 : 0, idle: 0, waiting: 0 }),
    async close() {
      await prisma.$disconnect();
      await opening?.catch(() => {});
      await pglite?.close();
    },
  };
}

/** Opens the database that the configuration names. */
export function openDatabase(env = getEnv()): Database {
  const logQueries = env.NODE_ENV === 'test';
  return env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL, env.DATABASE_POOL_SIZE, logQueries)
    : openEmbedded(env.DATA_DIR, logQueries);
}
