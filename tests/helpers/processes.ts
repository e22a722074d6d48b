// Real processes for the multi-process and fault tests: API servers started as `main.ts` runs in
// production, a private redis-server and a private PostgreSQL cluster that a test may stop and
// start again. Everything started here is killed (and its files removed) after the test file.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { type Role, signToken } from '../../src/auth.ts';

/** The repository root, where child processes run. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** The `JWT_SECRET` of every API process started here. */
export const PROCESS_SECRET = 'storygraph-process-test-secret-0123456789abcdef';

const leftovers: (() => unknown)[] = [];
afterAll(async () => {
  for (const dispose of leftovers.splice(0).reverse()) await dispose();
});

/** A port of 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** Checks `test` every `every` ms until it holds; throws naming `what` after `ms`. */
export async function waitUntil(
  test: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  every = 50,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await test()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, every));
  }
}

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
 * overrides that; REDIS_URL and DATABASE_URL are only set when given.
 */
export async function startApi(env: Record<string, string>, ms = 60_000): Promise<Api> {
  const port = await freePort();
  const { REDIS_URL: _redis, DATABASE_URL: _database, ...inherited } = process.env;
  const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
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
