// The compose stack as operators run it: real images, real containers, clients only through the
// nginx proxy's published port (or from inside the stack's network with `docker exec`).
// Started by scripts/compose-test.sh, which brings the stack up and passes:
//   COMPOSE_TEST_URL         the proxy, http://127.0.0.1:<published port>
//   COMPOSE_TEST_JWT_SECRET  the stack's JWT_SECRET, to sign an editor's token
//   COMPOSE_TEST_PROJECT     the Compose project name (storygraph)
//   COMPOSE_TEST_COMMAND     the docker-compose command line for this stack, without a subcommand
//   COMPOSE_TEST_DOCKER      the docker CLI (DOCKER_HOST already points at the stack's engine)
// The tests run in order: the later ones stop a replica, take the stack down and up again, and
// finally take it down with its volumes.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/core/auth.ts';
import { decodeEventCursor } from '../../src/live/events.ts';
import { type Collector, collect } from '../helpers/clients.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run these tests with bash scripts/compose-test.sh`);
  return value;
}

const URL_BASE = required('COMPOSE_TEST_URL');
const GRAPHQL = `${URL_BASE}/graphql`;
const SECRET = required('COMPOSE_TEST_JWT_SECRET');
const PROJECT = required('COMPOSE_TEST_PROJECT');
const COMPOSE_ARGS = required('COMPOSE_TEST_COMMAND').split(' ');
const COMPOSE = COMPOSE_ARGS.shift() as string;
const DOCKER = required('COMPOSE_TEST_DOCKER');
const SUMMIT = 'sco-summit-samarkand-2022';
const FEED = `subscription ($after: String, $filter: StoryEventFilter) {
  storyEvents(after: $after, filter: $filter) { cursor sequence entityId changes { field after } }
}`;

const exec = promisify(execFile);
const options = { maxBuffer: 64 * 1024 * 1024, env: process.env };

async function docker(...args: string[]): Promise<string> {
  return (await exec(DOCKER, args, options)).stdout.trim();
}

async function compose(...args: string[]): Promise<string> {
  return (await exec(COMPOSE, [...COMPOSE_ARGS, ...args], options)).stdout.trim();
}

/** Container IDs (12 characters, as the containers' host names) of one service, running or not. */
async function containers(service: string): Promise<string[]> {
  const ids = await docker(
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.ID}}',
  );
  return ids ? ids.split('\n').sort() : [];
}

/** The one container of a service. */
async function single(service: string): Promise<string> {
  const ids = await containers(service);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The two api replicas. */
async function replicaPair(): Promise<[string, string]> {
  const ids = await containers('api');
  expect(ids).toHaveLength(2);
  return ids as [string, string];
}

async function inspect(id: string, format: string): Promise<string> {
  return docker('inspect', '--format', format, id);
}

async function waitUntil(test: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await test().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Both replicas healthy and the proxy answering a query. */
async function waitForStack(ms = 180_000): Promise<void> {
  await waitUntil(
    async () => {
      const ids = await containers('api');
      if (ids.length !== 2) return false;
      for (const id of ids) {
        if ((await inspect(id, '{{.State.Health.Status}}')) !== 'healthy') return false;
      }
      const response = await fetch(GRAPHQL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      return response.ok;
    },
    ms,
    'two healthy api replicas behind the proxy',
  );
}

/**
 * The newest `storyCursor` this client has been answered with. Sent back as `Story-After`, as
 * docs/operations.md tells a client behind the proxy to: whichever replica answers next, whatever
 * it holds in its response cache, the answer is no older than what this client already saw (its
 * own writes through the other replica included).
 */
let seen: { cursor: string; sequence: number } | undefined;

async function graphql(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ data?: any; errors?: unknown[]; servedBy: string | null }> {
  const response = await fetch(GRAPHQL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(seen ? { 'story-after': seen.cursor } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  // The proxy's own error pages are HTML; name the status rather than fail on JSON.parse.
  if (!response.headers.get('content-type')?.includes('json'))
    throw new Error(`HTTP ${response.status} from the proxy: ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as {
    data?: any;
    errors?: unknown[];
    extensions?: { storyCursor?: string };
  };
  const cursor = body.extensions?.storyCursor;
  if (cursor) {
    const sequence = decodeEventCursor(cursor);
    if (!seen || sequence > seen.sequence) seen = { cursor, sequence };
  }
  return { ...body, servedBy: response.headers.get('x-served-by') };
}

let editor: string;

/** Sets the summit's description through the proxy, as an editor; returns the summit's ID. */
async function describeSummit(description: string): Promise<string> {
  const current = await graphql(`{ summit(slug: "${SUMMIT}") { id version } }`);
  const result = await graphql(
    'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
    {
      input: {
        id: current.data.summit.id,
        expectedVersion: current.data.summit.version,
        patch: { description },
      },
    },
    editor,
  );
  expect(result.errors).toBeUndefined();
  return current.data.summit.id;
}

/** The cursor of the newest event in the log, so a subscription can start just after it. */
async function lastCursor(): Promise<string> {
  const result = await graphql('{ storyEvents(last: 1) { edges { cursor } } }');
  return result.data.storyEvents.edges[0]?.cursor ?? Buffer.from('storyEvent:0').toString('base64');
}

const clients: { dispose(): void | Promise<void> }[] = [];

/** A graphql-ws client through the proxy, and the replica (container ID) its upgrade reached. */
async function wsClient(): Promise<{ client: WsClient; replica: string }> {
  let reached!: (replica: string) => void;
  const replica = new Promise<string>((resolve) => {
    reached = resolve;
  });
  class TrackedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      this.once('upgrade', (response) => reached(String(response.headers['x-served-by'])));
    }
  }
  const client = createWsClient({
    url: GRAPHQL.replace(/^http/, 'ws'),
    webSocketImpl: TrackedWebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
  });
  clients.push(client);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('no WebSocket upgrade within 10 s')), 10_000),
  );
  return { client, replica: await Promise.race([replica, timeout]) };
}

/** graphql-ws clients until one is on each replica (the proxy spreads connections). */
async function wsClientOn(replica: string): Promise<WsClient> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = await wsClient();
    if (candidate.replica === replica) return candidate.client;
    await candidate.client.dispose();
  }
  throw new Error(`20 WebSocket connections through the proxy and none reached ${replica}`);
}

function eventsOf(collector: Collector<any>) {
  return collector.items.map((event) => event.sequence as number);
}

beforeAll(async () => {
  editor = await signToken('editor', SECRET, { expiresIn: '1h' });
  await waitForStack();
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

describe('the compose stack, through the proxy', () => {
  it('answers with the seeded story', async () => {
    const result = await graphql(
      `{ summit(slug: "${SUMMIT}") { name city } leaders(first: 1) { totalCount } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.summit).toEqual({ name: 'SCO Summit 2022', city: 'Samarkand' });
    expect(result.data.leaders.totalCount).toBeGreaterThan(0);
  });

  it('ran migrate once, to a clean exit', async () => {
    const migrate = await single('migrate');
    expect(await inspect(migrate, '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}')).toBe(
      'exited 0 0',
    );
    const { stdout, stderr } = await exec(DOCKER, ['logs', migrate], options);
    const logs = stdout + stderr;
    expect(logs.match(/: \d+ applied, \d+ already applied/g)).toHaveLength(1);
    // On the fresh volume the story was empty, so it was seeded (through the event log).
    expect(logs.match(/: seeded the story \(\d+ events\)|: the story is not empty/g)).toEqual([
      expect.stringMatching(/seeded the story/),
    ]);
  });

  it('has two healthy api replicas, and the proxy sends traffic to both', async () => {
    const replicas = await containers('api');
    expect(replicas).toHaveLength(2);
    for (const id of replicas)
      expect(await inspect(id, '{{.State.Health.Status}}')).toBe('healthy');
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const result = await graphql('{ __typename }');
      expect(result.data).toEqual({ __typename: 'Query' });
      if (result.servedBy) seen.add(result.servedBy);
    }
    expect([...seen].sort()).toEqual(replicas);
  });

  it('runs the api and migrate containers as the unprivileged node user', async () => {
    const migrate = await single('migrate');
    expect(await inspect(migrate, '{{.Config.User}}')).toBe('node');
    for (const id of await containers('api')) {
      expect(await inspect(id, '{{.Config.User}}')).toBe('node');
      // The server process itself, seen from the host: uid 1000 (node), never 0.
      const pid = await inspect(id, '{{.State.Pid}}');
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
      expect(await docker('exec', id, 'id', '-un')).toBe('node');
    }
  });

  it('keeps the build-time CA bundle and any .npmrc out of every layer of the image', async () => {
    const image = `${PROJECT}_api`;
    const folder = await mkdtemp(join(tmpdir(), 'storygraph-image-'));
    try {
      await exec('sh', ['-c', `"${DOCKER}" save "${image}" | tar -x -C "${folder}"`], options);
      const layers = (await readdir(folder, { recursive: true })).filter((file) =>
        file.endsWith('layer.tar'),
      );
      expect(layers.length).toBeGreaterThan(3);
      const files: string[] = [];
      for (const layer of layers) {
        files.push(
          ...(await exec('tar', ['-tf', join(folder, layer)], options)).stdout.split('\n'),
        );
      }
      expect(files).toContain('app/dist/src/main.js');
      expect(files.filter((file) => /(^|\/)(npm-ca\.pem|\.npmrc)$/.test(file))).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const cafile = await docker(
      'run',
      '--rm',
      '--entrypoint',
      'npm',
      image,
      'config',
      'get',
      'cafile',
    );
    expect(cafile).toBe('null');
    expect(await docker('history', '--no-trunc', image)).not.toContain('npm-ca');
  });

  it('does not serve /metrics or /ready through the proxy; each replica serves them inside the network', async () => {
    for (const path of [
      '/metrics',
      '/ready',
      '/metrics?x=1',
      '/ready/',
      '//metrics',
      '/%6Detrics',
    ]) {
      const response = await fetch(`${URL_BASE}${path}`);
      expect(`${path} ${response.status}`).toBe(`${path} 404`);
      expect(await response.text()).not.toMatch(/process_cpu|"checks"/);
    }
    // The health check's path stays open: it says nothing about the inside.
    expect((await fetch(`${URL_BASE}/health`)).status).toBe(200);
    const replicas = await replicaPair();
    const addresses = await Promise.all(
      replicas.map((id) => inspect(id, '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')),
    );
    for (const [index, address] of addresses.entries()) {
      const probe = `Promise.all(['metrics','ready'].map(p=>fetch('http://${address}:4000/'+p).then(async r=>r.status+' '+(await r.text()).length)))
        .then(r=>console.log(r.join(',')))`;
      // From the other replica, over the stack's own network.
      const output = await docker('exec', replicas[1 - index] as string, 'node', '-e', probe);
      expect(output).toMatch(/^200 [1-9]\d*,200 [1-9]\d*$/);
    }
  });

  it("delivers an editor's mutation to graphql-ws subscribers on different replicas and to an SSE subscriber", async () => {
    const [a, b] = await replicaPair();
    const onA = await wsClientOn(a);
    const onB = await wsClientOn(b);
    const sse = createSseClient({ url: GRAPHQL, retryAttempts: 0 });
    clients.push(sse);
    const summit = (await graphql(`{ summit(slug: "${SUMMIT}") { id } }`)).data.summit.id;
    const variables = { after: await lastCursor(), filter: { entityIds: [summit] } };
    const subscribers = [onA, onB, sse].map((client) => collect(client, FEED, variables));
    await describeSummit('seen on both replicas and over SSE');
    for (const subscriber of subscribers) {
      const [event] = await subscriber.waitFor(1, 15_000);
      expect(event).toMatchObject({
        entityId: summit,
        changes: [{ field: 'description', after: 'seen on both replicas and over SSE' }],
      });
    }
    const [first, ...others] = subscribers.map((subscriber) => subscriber.items);
    for (const items of others) expect(items).toEqual(first);
    for (const subscriber of subscribers) subscriber.unsubscribe();
  });

  it('loses nothing for a subscriber that resumes from its last cursor after its replica stops mid-stream', async () => {
    const [doomed, survivor] = await replicaPair();
    const summit = (await graphql(`{ summit(slug: "${SUMMIT}") { id } }`)).data.summit.id;
    const filter = { entityIds: [summit] };
    const first = collect(await wsClientOn(doomed), FEED, { after: await lastCursor(), filter });
    await describeSummit('before the stop');
    await first.waitFor(1, 15_000);

    // Edits keep coming while the replica shuts down (the proxy moves them to the survivor).
    const stopping = docker('stop', doomed);
    for (let i = 1; i <= 3; i++) await describeSummit(`during the stop ${i}`);
    await stopping;
    await first.ended(20_000);
    // Exit code 0: it drained and exited on SIGTERM, before Docker's 10 s limit would SIGKILL it.
    expect(await inspect(doomed, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 0');
    await describeSummit('after the stop');

    const before = first.items;
    const resumed = await wsClient();
    expect(resumed.replica).toBe(survivor);
    const second = collect(resumed.client, FEED, {
      after: before.at(-1).cursor,
      filter,
    });
    await second.waitFor(5 - before.length, 15_000);
    const sequences = [...eventsOf(first), ...eventsOf(second)];
    // Five edits, five events, in log order, none twice.
    expect(sequences).toHaveLength(5);
    expect(new Set(sequences).size).toBe(5);
    expect([...sequences].sort((x, y) => x - y)).toEqual(sequences);
    expect(second.items.at(-1).changes[0].after).toBe('after the stop');
    second.unsubscribe();

    await docker('start', doomed);
    await waitForStack();
  });

  it('keeps the edits across `down` and a second `up` on the same volumes', async () => {
    await describeSummit('kept across a restart of the stack');
    const before = (await graphql(`{ summit(slug: "${SUMMIT}") { description version } }`)).data;
    await compose('down');
    expect(await containers('api')).toEqual([]);
    await compose('up', '-d', '--no-build');
    await waitForStack();
    const after = (await graphql(`{ summit(slug: "${SUMMIT}") { description version } }`)).data;
    expect(after).toEqual(before);
    expect(after.summit.description).toBe('kept across a restart of the stack');
    // The second migrate run found the migrations applied and the story not empty: no re-seed.
    const migrate = await single('migrate');
    expect(await inspect(migrate, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 0');
    const { stdout, stderr } = await exec(DOCKER, ['logs', migrate], options);
    expect(stdout + stderr).toMatch(/: 0 applied, \d+ already applied/);
    expect(stdout + stderr).toMatch(/: the story is not empty; nothing seeded/);
  });

  it('`down -v` leaves no container, volume or network behind', async () => {
    await compose('down', '-v');
    const label = `label=com.docker.compose.project=${PROJECT}`;
    expect(await docker('ps', '-aq', '--filter', label)).toBe('');
    expect(await docker('volume', 'ls', '-q', '--filter', label)).toBe('');
    expect(await docker('network', 'ls', '-q', '--filter', label)).toBe('');
  });
});
