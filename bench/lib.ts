// Shared plumbing of the benchmark: scratch databases, child processes, CPU and memory readings,
// and a PostgreSQL wire proxy that counts the statements a server sends.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

export const ROOT = resolve(import.meta.dirname, '..');
export const ADMIN_URL =
  process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const SECRET = 'storygraph-bench-secret-0123456789abcdef0123456789';

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Runs one statement on the admin database (CREATE / DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the admin server. */
export function databaseUrl(name: string, port?: number): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  if (port) {
    url.hostname = '127.0.0.1';
    url.port = String(port);
  }
  return url.toString();
}

export const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });

/** User + system CPU time of a process, in milliseconds (from /proc, 100 ticks a second). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0; // the process is gone
  }
}

export const rssKb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** RSS moves with garbage collection: the median of seven samples taken once things are quiet. */
export async function steadyRssKb(pid: number, quietMs = 2000): Promise<number> {
  await sleep(quietMs);
  const samples: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    samples.push(rssKb(pid));
    await sleep(300);
  }
  return samples.sort((a, b) => a - b)[3] as number;
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
  Number.NaN;

/**
 * CPU used by the PostgreSQL backends serving database `name`, in milliseconds. Call `start()`,
 * run the load, then `stop()`: backends that exist at either point are counted.
 */
export function postgresCpu(name: string) {
  const backends = async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      return rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  };
  let before = new Map<number, number>();
  return {
    async start() {
      before = new Map((await backends()).map((pid) => [pid, cpuMs(pid)]));
    },
    async stop(): Promise<number> {
      const pids = new Set([...before.keys(), ...(await backends())]);
      let total = 0;
      for (const pid of pids) total += Math.max(0, cpuMs(pid) - (before.get(pid) ?? 0));
      return total;
    },
  };
}

/** A server process started by the benchmark. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `node args…` with `env`, its output in a temporary log file (a pipe the benchmark had to
 * drain would cost the benchmark's own CPU), and waits until the log contains `readyText`.
 */
export async function startChild(
  name: string,
  args: string[],
  env: Record<string, string>,
  readyText: string,
  timeoutMs = 120_000,
): Promise<Child> {
  const port = Number(env.PORT);
  const logPath = join(tmpdir(), `storygraph-bench-${name}-${process.pid}-${port}.log`);
  const fd = openSync(logPath, 'w');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const log = () => readFileSync(logPath, 'utf8');
  const deadline = Date.now() + timeoutMs;
  while (!log().includes(readyText)) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${log()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start in ${timeoutMs} ms:\n${log()}`);
    }
    await sleep(50);
  }
  return {
    name,
    process: child,
    pid: child.pid as number,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(logPath, { force: true });
    },
  };
}

/**
 * A TCP proxy in front of PostgreSQL that counts the statements clients send: each simple
 * `Query` message and each extended-protocol `Execute` counts as one. Used only to count, never
 * under load (it adds a hop).
 */
export async function statementCounter(target: URL): Promise<{
  port: number;
  count(): number;
  close(): Promise<void>;
}> {
  let statements = 0;
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', fail);
    upstream.on('error', fail);
    // Frontend messages: the startup message has no type byte; every later one is type + length.
    let buffered = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 4) return;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) return;
          const code = buffered.readInt32BE(4);
          buffered = buffered.subarray(length);
          // SSLRequest / GSSENCRequest (answered 'N' by a trust server) come before the startup.
          if (code !== 80877103 && code !== 80877104) started = true;
          continue;
        }
        if (buffered.length < 5) return;
        const length = buffered.readInt32BE(1);
        if (buffered.length < length + 1) return;
        const type = String.fromCharCode(buffered[0] as number);
        if (type === 'Q' || type === 'E') statements += 1;
        buffered = buffered.subarray(length + 1);
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as { port: number }).port,
    count: () => statements,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** POSTs a GraphQL request and returns the raw body text. */
export async function postRaw(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return response.text();
}

/** Arrival times of each event (by sequence) at the subscribers, as fan-out runs collect them. */
export type Arrivals = Map<number, number[]>;

/** Waits until every event reached every subscriber, or the deadline passes. */
export async function allDelivered(
  sequences: number[],
  arrivals: Arrivals,
  subscribers: number,
  deadlineMs: number,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (
    sequences.some((s) => (arrivals.get(s)?.length ?? 0) < subscribers) &&
    Date.now() < deadline
  )
    await sleep(20);
}

/**
 * Counts what a fan-out run delivered: deliveries missing and extra against `subscribers` per
 * event, and for each map of start times given, the sorted latencies from that start.
 */
export function tallyDeliveries(
  sequences: number[],
  arrivals: Arrivals,
  subscribers: number,
  ...starts: Map<number, number>[]
): { lost: number; duplicated: number; latencies: number[][] } {
  const latencies = starts.map(() => [] as number[]);
  let lost = 0;
  let duplicated = 0;
  for (const sequence of sequences) {
    const times = arrivals.get(sequence) ?? [];
    lost += Math.max(0, subscribers - times.length);
    duplicated += Math.max(0, times.length - subscribers);
    for (const [i, start] of starts.entries()) {
      for (const time of times) latencies[i]?.push(time - (start.get(sequence) as number));
    }
  }
  for (const list of latencies) list.sort((a, b) => a - b);
  return { lost, duplicated, latencies };
}
