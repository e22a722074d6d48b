// Real processes for the multi-process and fault tests: API servers started as `main.ts` runs in
// production, a private redis-server and a private PostgreSQL cluster that a test may stop and
// start again, and the clients that load them: subscribers that resume from their last cursor
// and editors that record which edits were acknowledged. Everything started here is killed (and
// its files removed) after the test file.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll } from 'vitest';
import WebSocket from 'ws';
import { type Role, signToken } from '../../src/core/auth.ts';
import { freePort, waitUntil } from './net.ts';

/** The repository root, where child processes run. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** The `JWT_SECRET` of every API process started here. */
export const PROCESS_SECRET = 'storygraph-process-test-secret-0123456789abcdef';

const leftovers: (() => unknown)[] = [];
afterAll(async () => {
  for (const dispose of leftovers.splice(0).reverse()) await dispose();
});

export { freePort, waitUntil };

/** A token for `role` that API processes started here accept. */
export function processToken(role: Role): Promise<string> {
  return signToken(role, PROCESS_SECRET, { expiresIn: '1h' });
}

/** A child process whose output is kept, killed after the test file. */
export interface Child {
  readonly process: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  readonly output: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Resolves once the output matches `pattern`; rejects if the process exits first or after `ms`. */
  waitForOutput(pattern: RegExp, ms: number): Promise<void>;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts `command` and keeps its output. */
export function spawnChild(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): Child {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
  });
  let output = '';
  const watchers = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | string>((done) => {
    child.once('exit', (code, signal) => {
      done(code ?? signal ?? 'unknown');
      for (const watcher of watchers) watcher();
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  leftovers.push(() => stop('SIGKILL'));
  return {
    process: child,
    get output() {
      return output;
    },
    exited,
    stop,
    waitForOutput: (pattern, ms) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (pattern.test(output)) finish();
          else if (child.exitCode !== null || child.signalCode !== null) {
            finish(new Error(`${command} exited before printing ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(
          () =>
            finish(new Error(`${command} did not print ${pattern} within ${ms} ms:\n${output}`)),
          ms,
        );
        const finish = (error?: Error) => {
          clearTimeout(timer);
          watchers.delete(check);
          if (error) fail(error);
          else done();
        };
        watchers.add(check);
        check();
      }),
  };
}

/** A GraphQL response, loosely typed for assertions, with its HTTP status and duration. */
export interface HttpResult {
  status: number;
  body: any;
  ms: number;
}

/** One API process (`src/main.ts`), listening on 127.0.0.1. */
export interface Api {
  readonly port: number;
  /** `http://127.0.0.1:<port>/graphql` */
  readonly url: string;
  readonly child: Child;
  /**
   * Sends one operation. Resolves with what came back; a connection failure or a response slower
   * than `timeoutMs` rejects (a test then knows the request never got an answer).
   */
  graphql(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; timeoutMs?: number },
  ): Promise<HttpResult>;
  /** `GET /ready`. */
  ready(): Promise<HttpResult>;
}

/**
 * Starts `src/main.ts` in its own process, as the image does (NODE_ENV=production, a JWT secret,
 * no migration unless asked), and resolves once it logged that it is ready. `env` adds to or
 * overrides that; REDIS_URL and DATABASE_URL are only set when given. `options.nodeArgs` go to
 * Node after tsx's loader and before the script, such as a test-only `--import` preload.
 */
export async function startApi(
  env: Record<string, string>,
  ms = 60_000,
  options: { nodeArgs?: string[] } = {},
): Promise<Api> {
  const port = await freePort();
  const { REDIS_URL: _redis, DATABASE_URL: _database, ...inherited } = process.env;
  const args = ['--import', 'tsx', ...(options.nodeArgs ?? []), 'src/main.ts'];
  const child = spawnChild(process.execPath, args, {
    env: {
      ...inherited,
      NODE_ENV: 'production',
      JWT_SECRET: PROCESS_SECRET,
      MIGRATE_ON_START: 'false',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
      PORT: String(port),
    },
  });
  await child.waitForOutput(/storygraph ready/, ms);
  const origin = `http://127.0.0.1:${port}`;
  const request = async (path: string, init: RequestInit, timeoutMs: number) => {
    const started = performance.now();
    const response = await fetch(`${origin}${path}`, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: response.status, body, ms: performance.now() - started };
  };
  return {
    port,
    url: `${origin}/graphql`,
    child,
    graphql: (query, variables = {}, options = {}) =>
      request(
        '/graphql',
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
        },
        options.timeoutMs ?? 15_000,
      ),
    ready: () => request('/ready', { method: 'GET' }, 15_000),
  };
}

/** A redis-server owned by one test, on a fixed port so that it can come back where it was. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts it (again) and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Kills it (SIGKILL: a crash, not a shutdown) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts a private, non-persistent redis-server on a free port. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: Child | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawnChild('redis-server', [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ]);
      await child.waitForOutput(/Ready to accept connections/, 15_000);
    },
    async stop() {
      await child?.stop('SIGKILL');
    },
  };
  await server.start();
  return server;
}

/** A PostgreSQL cluster owned by one test, in a temporary directory, with trust authentication. */
export interface PostgresCluster {
  readonly port: number;
  /** A URL for `database` on this cluster (user postgres). */
  url(database?: string): string;
  /** Starts the server and resolves once it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop` in `mode` (fast: disconnect every client, then shut down cleanly). */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
}

const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * Creates a scratch cluster with initdb and starts it on a free port. PostgreSQL refuses to run
 * as root, so under root the cluster belongs to (and runs as) the `postgres` user.
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'storygraph-pg-'));
  const data = join(dir, 'data');
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    owner = {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    };
    chownSync(dir, owner.uid, owner.gid);
  }
  const run = async (binary: string, args: string[]) => {
    const child = spawnChild(join(PG_BIN, binary), args, { ...owner });
    const code = await child.exited;
    if (code !== 0)
      throw new Error(`${binary} ${args.join(' ')} failed (${code}):\n${child.output}`);
  };
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const cluster: PostgresCluster = {
    port,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    start: () =>
      run('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        // No fsync: the tests stop it cleanly or not at all, and it is thrown away afterwards.
        `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`,
        '-w',
        '-t',
        '60',
        'start',
      ]),
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']),
  };
  leftovers.push(async () => {
    await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  await cluster.start();
  return cluster;
}

// Clients of those processes.
/** One story event as the fault tests select it. */
export interface SeenEvent {
  sequence: number;
  cursor: string;
  entityId: string;
  entityVersion: number;
  changes: { field: string; after: unknown }[];
}

export const EVENT_FIELDS = 'sequence cursor entityId entityVersion changes { field after }';

/** A `storyEvents` subscriber that resubscribes after its last cursor whenever it ends. */
export interface Follower {
  readonly events: SeenEvent[];
  /** When each event arrived (`performance.now()`), index for index with `events`. */
  readonly arrivals: number[];
  /**
   * How each subscription ended before the follower resumed: error codes (with `resumeAfter=own
   * cursor` when the error's resume cursor is the follower's last one), or what closed it.
   */
  readonly endings: string[];
  /** Resolves once an event with at least `sequence` arrived; rejects after `ms`. */
  reach(sequence: number, ms: number): Promise<void>;
  /** Resolves once `count` events arrived in all; rejects after `ms`. */
  received(count: number, ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows the log on `url` from the cursor `after`. When the subscription errors or completes,
 * it subscribes again (a new socket) from the cursor of the last event it received, after
 * `retryMs`, until stopped.
 */
export function follow(url: string, after: string, retryMs = 200): Follower {
  const events: SeenEvent[] = [];
  const arrivals: number[] = [];
  const endings: string[] = [];
  const watchers = new Set<() => void>();
  let stopped = false;
  let current: { dispose(): void | Promise<void> } | undefined;
  const subscribe = () => {
    if (stopped) return;
    const cursor = events.at(-1)?.cursor ?? after;
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    current = client;
    let ended = false;
    // A coded ending, with whether its resume cursor is the one this subscriber would use.
    const describe = (errors: readonly { extensions?: Record<string, unknown> }[]) =>
      errors
        .map(({ extensions }) => {
          const code = String(extensions?.code);
          if (extensions?.resumeAfter === undefined) return code;
          return extensions.resumeAfter === cursor
            ? `${code} resumeAfter=own cursor`
            : `${code} resumeAfter=${String(extensions.resumeAfter)}, not ${cursor}`;
        })
        .join(',');
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      endings.push(why);
      void client.dispose();
      if (!stopped) setTimeout(subscribe, retryMs);
    };
    client.subscribe<{ storyEvents: SeenEvent }>(
      {
        query: `subscription ($after: String) { storyEvents(after: $after) { ${EVENT_FIELDS} } }`,
        variables: { after: cursor },
      },
      {
        next: (message) => {
          if (message.errors?.length) {
            end(describe(message.errors));
            return;
          }
          if (message.data) {
            events.push(message.data.storyEvents);
            arrivals.push(performance.now());
          }
          for (const watcher of watchers) watcher();
        },
        error: (error) => {
          const errors = error as { extensions?: Record<string, unknown> }[] | Error | CloseEvent;
          end(
            Array.isArray(errors)
              ? describe(errors)
              : errors instanceof Error
                ? errors.message
                : `closed ${(errors as { code?: number }).code}`,
          );
        },
        complete: () => end('complete'),
      },
    );
  };
  subscribe();
  const until = (test: () => boolean, ms: number, what: string) =>
    new Promise<void>((done, fail) => {
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        watchers.delete(check);
        done();
      };
      const timer = setTimeout(() => {
        watchers.delete(check);
        const last = events.at(-1)?.sequence ?? 0;
        fail(
          new Error(
            `follower did not receive ${what} in ${ms} ms: ${events.length} events up to ${last}; endings ${JSON.stringify(endings)}`,
          ),
        );
      }, ms);
      watchers.add(check);
      check();
    });
  const stop = async () => {
    stopped = true;
    await current?.dispose();
  };
  leftovers.push(stop);
  return {
    stop,
    events,
    arrivals,
    endings,
    reach: (sequence, ms) =>
      until(() => (events.at(-1)?.sequence ?? 0) >= sequence, ms, `sequence ${sequence}`),
    received: (count, ms) => until(() => events.length >= count, ms, `${count} events`),
  };
}

/** One request an editor made and what came of it. */
export interface Attempt {
  at: number;
  ms: number;
  /** `ok`, an error code, or `no answer: …` when the request got no response. */
  outcome: string;
  status?: number;
  version?: number;
  description?: string;
}

/** Keeps editing one summit's description through `api` until stopped. */
export interface Editor {
  readonly attempts: Attempt[];
  /** Edits the server acknowledged: the version and description they produced. */
  readonly acknowledged: { id: string; version: number; description: string }[];
  stop(): Promise<void>;
}

const UPDATE =
  'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { id version description } } }';

/**
 * Edits the summit `slug` in a loop, each edit based on the last version it knows. A CONFLICT
 * (an earlier edit committed although its answer was lost) adopts the current version; any other
 * failure waits `pauseMs` before the next try.
 */
export function startEditor(
  api: Api,
  token: string,
  slug: string,
  name: string,
  pauseMs = 100,
): Editor {
  const attempts: Attempt[] = [];
  const acknowledged: Editor['acknowledged'] = [];
  let stopped = false;
  const send = async (
    query: string,
    variables: Record<string, unknown>,
  ): Promise<{ result?: HttpResult; error?: string }> => {
    try {
      return { result: await api.graphql(query, variables, { token, timeoutMs: 20_000 }) };
    } catch (error) {
      return { error: `no answer: ${(error as Error).message}` };
    }
  };
  const pause = () => new Promise((done) => setTimeout(done, pauseMs));
  const loop = (async () => {
    let id: string | undefined;
    let version = 0;
    let count = 0;
    while (!stopped) {
      if (!id) {
        const read = await send(`{ summit(slug: "${slug}") { id version } }`, {});
        const summit = read.result?.body?.data?.summit;
        if (summit) {
          id = summit.id;
          version = summit.version;
        } else await pause();
        continue;
      }
      count += 1;
      const description = `${name} edit ${count}`;
      const at = Date.now();
      const sent = await send(UPDATE, {
        input: { id, expectedVersion: version, patch: { description } },
      });
      const attempt: Attempt = { at, ms: Date.now() - at, outcome: sent.error ?? 'ok' };
      if (sent.result) {
        attempt.status = sent.result.status;
        const summit = sent.result.body?.data?.updateSummit?.summit;
        const error = sent.result.body?.errors?.[0];
        if (summit && !error) {
          attempt.version = summit.version;
          attempt.description = summit.description;
          acknowledged.push({ id: summit.id, version: summit.version, description });
          version = summit.version;
        } else {
          attempt.outcome = String(error?.extensions?.code ?? `HTTP ${sent.result.status}`);
          if (attempt.outcome === 'CONFLICT') {
            version = Number(error.extensions.currentVersion);
          }
        }
      }
      attempts.push(attempt);
      if (attempt.outcome !== 'ok' && attempt.outcome !== 'CONFLICT') await pause();
    }
  })();
  const stop = async () => {
    stopped = true;
    await loop;
  };
  leftovers.push(stop);
  return { attempts, acknowledged, stop };
}

/** Every event in the log, read through `api` page by page. */
export async function readLog(api: Api): Promise<SeenEvent[]> {
  const events: SeenEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const page: HttpResult = await api.graphql(
      `query ($after: String) { storyEvents(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${EVENT_FIELDS} } } } }`,
      { after },
    );
    const connection = page.body?.data?.storyEvents;
    if (!connection) throw new Error(`could not read the log: ${JSON.stringify(page.body)}`);
    for (const edge of connection.edges) events.push(edge.node);
    if (!connection.pageInfo.hasNextPage) return events;
    after = connection.pageInfo.endCursor;
  }
}
