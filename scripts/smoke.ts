// Starts the real server the way `npm start` does, queries the seeded story over HTTP, then stops
// it with SIGTERM and checks it exits 0. Used by CI for the embedded path; prints timings.
//   tsx scripts/smoke.ts [--embedded] [--compiled] [--restarts N]   (N restarts after the first start, default 1)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signToken } from '../src/core/auth.ts';

const root = resolve(import.meta.dirname, '..');
const embedded = process.argv.includes('--embedded');
// --compiled runs what the Docker image runs (`node dist/src/main.js`, after `npm run build`).
const entry = process.argv.includes('--compiled')
  ? ['dist/src/main.js']
  : ['--import', 'tsx', 'src/main.ts'];
const restartsAt = process.argv.indexOf('--restarts');
const restarts = restartsAt === -1 ? 1 : Number(process.argv[restartsAt + 1]);

const CONTRACT_QUERY = `{ summit(slug: "sco-summit-samarkand-2022") { name city startsOn participants { edges { node { leader { name } status } } } } }`;

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

async function startOnce(env: NodeJS.ProcessEnv, label: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, entry, {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const deadline = Date.now() + 60_000;
  while (!output.includes('storygraph ready')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`${label}: the server did not start:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 25));
  }
  const readyMs = performance.now() - started;
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: CONTRACT_QUERY }),
  });
  const body = (await response.json()) as {
    data?: {
      summit?: { city: string; participants: { edges: { node: { leader: { name: string } } }[] } };
    };
  };
  const names = body.data?.summit?.participants.edges.map((edge) => edge.node.leader.name) ?? [];
  if (
    body.data?.summit?.city !== 'Samarkand' ||
    !names.includes('Xi Jinping') ||
    !names.includes('Vladimir Putin')
  ) {
    child.kill('SIGKILL');
    throw new Error(`${label}: unexpected answer ${JSON.stringify(body)}`);
  }
  if (label.endsWith('first start')) await liveUpdate(port, label);
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`${label}: exited with ${code} after SIGTERM:\n${output}`);
  console.info(
    `${label}: ready in ${Math.round(readyMs)} ms (process start to listening), answered the summit query, exited 0 on SIGTERM`,
  );
  return readyMs;
}

/** Subscribes over graphql-ws, edits the summit as an editor, and waits for the event. */
async function liveUpdate(port: number, label: string): Promise<void> {
  const url = `http://127.0.0.1:${port}/graphql`;
  const client = createClient({
    url: url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const received = new Promise<{ sequence: number; label: string }>((resolve, reject) => {
    client.subscribe(
      { query: 'subscription { storyEvents { sequence label } }' },
      {
        next: ({ data }) =>
          resolve((data as { storyEvents: { sequence: number; label: string } }).storyEvents),
        error: reject,
        complete: () => {},
      },
    );
  });
  await new Promise((done) => setTimeout(done, 300));
  const token = await signToken('editor', env.JWT_SECRET as string, { expiresIn: '5m' });
  const post = async (query: string, variables: Record<string, unknown> = {}) =>
    (await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as { data?: { summit?: { id: string; version: number } }; errors?: unknown[] };
  const summit = (await post('{ summit(slug: "sco-summit-samarkand-2022") { id version } }')).data
    ?.summit;
  if (!summit) throw new Error(`${label}: the summit could not be read`);
  const result = await post(
    'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { status } } }',
    { input: { id: summit.id, expectedVersion: summit.version, patch: { status: 'CONFIRMED' } } },
  );
  if (result.errors) throw new Error(`${label}: mutation failed: ${JSON.stringify(result.errors)}`);
  const event = await Promise.race([
    received,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${label}: no event within 5 s`)), 5000),
    ),
  ]);
  if (event.label !== 'SUMMIT_CONFIRMED')
    throw new Error(`${label}: unexpected event ${JSON.stringify(event)}`);
  await client.dispose();
  console.info(
    `${label}: an editor's change reached a graphql-ws subscriber (event ${event.sequence})`,
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'storygraph-smoke-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  JWT_SECRET: process.env.JWT_SECRET || randomBytes(32).toString('hex'),
};
if (embedded) {
  env.DATABASE_URL = '';
  env.DATA_DIR = join(dataDir, 'data');
} else if (!env.DATABASE_URL) {
  console.error('set DATABASE_URL, or pass --embedded');
  process.exit(2);
}
try {
  const kind = embedded ? 'embedded' : 'postgres';
  await startOnce(env, `${kind}, first start`);
  // A restart reopens the same data: it must serve the story without seeding it again.
  for (let i = 1; i <= restarts; i += 1) await startOnce(env, `${kind}, restart ${i}`);
  console.info('smoke: ok');
} catch (error) {
  console.error(`smoke: FAILED: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
