// Runs the example client against a live server, the way a user would, and checks what it prints:
//   1. the server starts on a free port against a scratch PostgreSQL database (or, with
//      --embedded, the embedded database in a temporary folder);
//   2. the client reads the story and follows the feed; an edit made then is printed;
//   3. the client is stopped (SIGTERM); two edits are made while it is down;
//   4. started again, it resumes from its saved cursor: it prints those two, then a live one;
//   5. the server restarts under it: it reconnects and prints the next edit;
//      and no event is printed twice across both runs.
// Run by examples/ci.sh after codegen and the type check; exits non-zero on any failure.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const examples = import.meta.dirname;
const root = resolve(examples, '..');
const embedded = process.argv.includes('--embedded');
const DEADLINE_MS = 60_000;
const started = performance.now();

function log(message: string): void {
  console.log(`[examples ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** A child process whose output is collected, with a way to wait for a line in it. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { output: '', child };
  child.stdout?.on('data', (chunk) => {
    state.output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    state.output += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    state,
    exited,
    /** Waits until the output matches, or fails with the output so far. */
    async waitFor(pattern: RegExp, what: string): Promise<RegExpMatchArray> {
      const deadline = Date.now() + DEADLINE_MS;
      for (;;) {
        const match = state.output.match(pattern);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`waiting for ${what}, got:\n${state.output}`);
        }
        await new Promise((done) => setTimeout(done, 25));
      }
    },
  };
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  child.kill('SIGTERM');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await exited;
  clearTimeout(timeout);
  return code;
}

const secret = randomBytes(32).toString('hex');
const scratch = mkdtempSync(join(tmpdir(), 'storygraph-examples-'));
const database = `storygraph_examples_${process.pid}`;
/** Runs one statement as postgres on the local server's `postgres` database. */
const psql = (sql: string) =>
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', sql, 'postgres']);
const env: NodeJS.ProcessEnv = { ...process.env, JWT_SECRET: secret, LOG_LEVEL: 'warn' };
if (embedded) {
  env.DATA_DIR = join(scratch, 'data');
  delete env.DATABASE_URL;
} else {
  psql(`CREATE DATABASE ${database}`);
  env.DATABASE_URL = `postgresql://postgres@127.0.0.1:5432/${database}`;
}

const port = await freePort();
const url = `http://127.0.0.1:${port}/graphql`;
/** Starts the server on `port` and waits until /ready answers 200 (migrated, seeded, listening). */
async function startServer() {
  const handle = run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return handle;
    if (Date.now() > deadline || handle.state.child.exitCode !== null) {
      handle.state.child.kill('SIGKILL');
      throw new Error(`the server did not become ready:\n${handle.state.output}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}
let server: ReturnType<typeof run> | undefined;
const clients: ReturnType<typeof run>[] = [];

function startClient(script = 'src/client.ts') {
  const client = run(process.execPath, ['--import', 'tsx', script], {
    cwd: examples,
    env: { ...process.env, STORYGRAPH_URL: url, CURSOR_FILE: join(scratch, 'cursor') },
  });
  clients.push(client);
  return client;
}

let failed = false;
try {
  server = await startServer();
  log(`server ready on port ${port} (${embedded ? 'embedded database' : 'PostgreSQL'})`);
  const token = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/token.ts', '--role', 'editor'],
    {
      cwd: root,
      env,
      encoding: 'utf8',
    },
  ).trim();

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors || !body.data)
      throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  /** Changes the summit's description; returns the sequence of the event it made. */
  async function edit(description: string): Promise<number> {
    const { summit } = await graphql<{ summit: { id: string; version: number } }>(
      'query Current { summit(slug: "sco-summit-samarkand-2022") { id version } }',
    );
    const data = await graphql<{
      updateSummit: { summit: { history: { edges: { node: { sequence: number } }[] } } };
    }>(
      'mutation Edit($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { id history(last: 1) { edges { node { sequence } } } } } }',
      { input: { id: summit.id, expectedVersion: summit.version, patch: { description } } },
    );
    const sequence = data.updateSummit.summit.history.edges[0]?.node.sequence;
    if (sequence === undefined) throw new Error('the edit has no history');
    return sequence;
  }

  const printed = (output: string) =>
    [...output.matchAll(/^event (\d+) /gm)].map((match) => Number(match[1]));

  // First run: reads the story, then hears a live edit.
  const first = startClient();
  await first.waitFor(/^story: \d+ summits, \d+ leaders$/m, 'the client to print the story');
  await first.waitFor(/^following the story feed$/m, 'the client to follow the feed');
  const live = await edit('Edited while the example client listens');
  await first.waitFor(
    new RegExp(
      `^event ${live} UPDATED Summit "SCO Summit 2022" description: .*"Edited while the example client listens"$`,
      'm',
    ),
    `event ${live} in the first run`,
  );
  log(`first run printed the live edit (event ${live})`);
  const firstCode = await stop(first.state.child, first.exited);
  if (firstCode !== 0)
    throw new Error(`the client exited ${firstCode} on SIGTERM:\n${first.state.output}`);

  // While it is down.
  const missed = [
    await edit('Edited while the client was down (1)'),
    await edit('Edited while the client was down (2)'),
  ];

  // Second run: resumes from the saved cursor, so the missed edits come first, then a live one.
  const second = startClient();
  await second.waitFor(/^resuming after cursor \S+$/m, 'the client to resume from its cursor');
  for (const sequence of missed) {
    await second.waitFor(
      new RegExp(`^event ${sequence} `, 'm'),
      `missed event ${sequence} after the restart`,
    );
  }
  await second.waitFor(/^following the story feed$/m, 'the second run to follow the feed');
  const after = await edit('Edited after the restart');
  await second.waitFor(
    new RegExp(`^event ${after} `, 'm'),
    `event ${after} live in the second run`,
  );

  // The server restarts under the running client: it reconnects and goes on after its cursor.
  await stop(server.state.child, server.exited);
  log('server stopped under the running client');
  server = await startServer();
  await second.waitFor(/^reconnected; following again$/m, 'the client to reconnect');
  const reconnected = await edit('Edited after the server restarted');
  await second.waitFor(
    new RegExp(`^event ${reconnected} `, 'm'),
    `event ${reconnected} after the reconnection`,
  );
  log(`after the server restart the client printed event ${reconnected}`);
  await stop(second.state.child, second.exited);

  const firstEvents = printed(first.state.output);
  const secondEvents = printed(second.state.output);
  const all = [...firstEvents, ...secondEvents];
  if (new Set(all).size !== all.length) {
    throw new Error(
      `an event was printed twice: first run ${firstEvents}, second run ${secondEvents}`,
    );
  }
  const expected = [...missed, after, reconnected];
  if (secondEvents.join(',') !== expected.join(',')) {
    throw new Error(`the second run printed ${secondEvents}, expected ${expected}`);
  }
  if (/^story:/m.test(second.state.output)) {
    throw new Error('the second run read the story again instead of resuming');
  }
  log(`second run resumed: printed ${secondEvents.join(', ')}, nothing twice`);

  // The live query (src/live-summit.ts): the summit at once, then again after an edit.
  const liveSummit = startClient('src/live-summit.ts');
  await liveSummit.waitFor(
    /^summit v\d+ \w+: Edited after the server restarted \(at \S+\)$/m,
    'the live summit',
  );
  await edit('Edited while a live query watches');
  await liveSummit.waitFor(
    /^summit v\d+ \w+: Edited while a live query watches \(at \S+\)$/m,
    'the live summit after the edit',
  );
  await stop(liveSummit.state.child, liveSummit.exited);
  log('the live query printed the summit, then the edit');
  console.log('--- first run ---');
  console.log(first.state.output.trimEnd());
  console.log('--- second run ---');
  console.log(second.state.output.trimEnd());
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
  console.error(`--- server output ---\n${server?.state.output ?? ''}`);
} finally {
  for (const client of clients)
    if (client.state.child.exitCode === null) client.state.child.kill('SIGKILL');
  const code = server ? await stop(server.state.child, server.exited) : 0;
  if (code !== 0) {
    failed = true;
    console.error(`the server exited ${code}`);
  }
  if (!embedded) {
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  rmSync(scratch, { recursive: true, force: true });
}
log(failed ? 'FAILED' : 'passed');
process.exit(failed ? 1 : 0);
