// Fan-out benchmark: N graphql-ws subscribers on one storygraph instance, M summit updates.
// Measures delivery latency (mutation commit → subscriber) and server memory per idle subscriber.
//   npx tsx bench/fanout.ts [--subscribers 1000] [--updates 50] [--interval 200]
// Needs PostgreSQL (BENCH_ADMIN_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres);
// creates and drops its own scratch database. The server runs as a separate process, as in production.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signToken } from '../src/core/auth.ts';
import {
  admin,
  allDelivered,
  databaseUrl,
  freePort,
  percentile,
  ROOT,
  SECRET,
  sleep,
  steadyRssKb,
  tallyDeliveries,
} from './lib.ts';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    updates: { type: 'string', default: '50' },
    interval: { type: 'string', default: '200' },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const UPDATES = Number(values.updates);
const INTERVAL = Number(values.interval);
const dbName = `storygraph_bench_${process.pid}`;
await admin(`CREATE DATABASE ${dbName}`);
const port = await freePort();
const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: ROOT,
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl(dbName),
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    JWT_SECRET: SECRET,
    // All subscribers come from 127.0.0.1: lift the per-address socket cap.
    MAX_SOCKETS_PER_ADDRESS: '100000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
server.stdout.on('data', (chunk) => {
  output += chunk;
});
const pid = server.pid as number;

try {
  while (!output.includes('storygraph ready')) {
    if (server.exitCode !== null) throw new Error(`server exited:\n${output}`);
    await sleep(50);
  }
  const url = `http://127.0.0.1:${port}/graphql`;
  const token = await signToken('editor', SECRET, { expiresIn: '1h' });
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as any;
  };
  const summit = (await post('{ summit(slug: "sco-summit-samarkand-2022") { id version } }')).data
    .summit;
  // Warm up: the first queries compile Prisma's query plans.
  for (let i = 0; i < 5; i += 1)
    await post('{ summit(slug: "sco-summit-samarkand-2022") { id version } }');
  const rssBefore = await steadyRssKb(pid);

  const received = new Map<number, number[]>(); // sequence → arrival times
  const occurred = new Map<number, number>();
  let connected = 0;
  const clients = Array.from({ length: SUBSCRIBERS }, () =>
    createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: {
        connected: () => {
          connected += 1;
        },
      },
    }),
  );
  for (const client of clients) {
    client.subscribe(
      { query: 'subscription { storyEvents { sequence occurredAt changes { field after } } }' },
      {
        next: ({ data }: any) => {
          const now = Date.now();
          const event = data.storyEvents;
          const times = received.get(event.sequence) ?? [];
          received.set(event.sequence, times);
          times.push(now);
          occurred.set(event.sequence, Date.parse(event.occurredAt));
        },
        error: (error) => console.error('subscription error', error),
        complete: () => {},
      },
    );
  }
  while (connected < SUBSCRIBERS) await sleep(50);
  const rssIdle = await steadyRssKb(pid); // also lets every subscription register

  const sentAt = new Map<number, number>();
  let version = summit.version;
  const sequences: number[] = [];
  for (let i = 0; i < UPDATES; i += 1) {
    const started = Date.now();
    const result = await post(
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version history(last: 1) { edges { node { sequence } } } } } }',
      { input: { id: summit.id, expectedVersion: version, patch: { description: `bench ${i}` } } },
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    version = result.data.updateSummit.summit.version;
    const sequence = result.data.updateSummit.summit.history.edges[0].node.sequence as number;
    sequences.push(sequence);
    sentAt.set(sequence, started);
    await sleep(INTERVAL);
  }
  await allDelivered(sequences, received, SUBSCRIBERS, 30_000);
  const {
    lost,
    duplicated,
    latencies: [fromSend = [], fromCommit = []],
  } = tallyDeliveries(sequences, received, SUBSCRIBERS, sentAt, occurred);
  const perSubscriberKb = (rssIdle - rssBefore) / SUBSCRIBERS;
  console.info(
    JSON.stringify(
      {
        subscribers: SUBSCRIBERS,
        updates: UPDATES,
        deliveries: fromSend.length,
        lost,
        duplicated,
        latencyFromMutationSentMs: {
          p50: percentile(fromSend, 50),
          p99: percentile(fromSend, 99),
          max: fromSend.at(-1),
        },
        latencyFromCommitMs: {
          p50: percentile(fromCommit, 50),
          p99: percentile(fromCommit, 99),
          max: fromCommit.at(-1),
        },
        serverRssKb: { before: rssBefore, withIdleSubscribers: rssIdle },
        rssPerIdleSubscriberKb: Math.round(perSubscriberKb * 10) / 10,
        node: process.version,
      },
      null,
      2,
    ),
  );
  await Promise.all(clients.map((client) => client.dispose()));
} finally {
  server.kill('SIGTERM');
  await new Promise((done) => server.once('exit', done));
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
process.exit(0);
