// Throws a fixed-seed stream of hostile input at a real server on a real port: raw HTTP bodies and
// content types, GraphQL documents generated from the schema with wrong and huge arguments,
// WebSocket frames in and out of the graphql-ws protocol's order, and SSE requests. Afterwards the
// server must still answer, no response may be a 5xx or show internals, the heap must be back
// within 20 % of where it started, and the data must be unchanged. A second run covers the
// surfaces added with ingestion: hostile articles (sent concurrently too), APQ registrations with
// right and wrong hashes, and more SSE streams than one address may hold.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { schema } from '../src/schema/index.ts';
import { startApp, waitUntil } from './helpers/app.ts';

const SEED = 20221129;
const WARM_UP_DOCUMENTS = 300;
const HTTP_DOCUMENTS = 800;
const HTTP_BODIES = 350;
const SSE_REQUESTS = 150;
const WS_SESSIONS = 110;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** mulberry32: a small, fast PRNG whose sequence is fixed by its seed. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}
const random = prng(SEED);

// --- Values ------------------------------------------------------------------------------------

const WORDS = [
  'Xi',
  'Putin',
  'SCO',
  'Samarkand',
  'summit',
  '',
  ' ',
  'é',
  '中文',
  '🙂',
  "'",
  '%',
  '_',
];
const SLUGS = ['xi-jinping', 'vladimir-putin', 'sco-summit-samarkand-2022', 'nope', 'A B'];
const IDS = [
  'TGVhZGVyOjE=',
  'U3VtbWl0OjE=',
  'QXJ0aWNsZTox',
  'TGVhZGVyOjk5OTk5',
  'bm9wZQ==',
  '',
  '!!',
];
/** Literals that are wrong, huge or nasty for almost any argument. */
const HOSTILE_LITERALS = [
  '9007199254740993',
  '-2147483649',
  '2147483648',
  '1e400',
  '-1',
  '0',
  'null',
  'true',
  '"\\u0000"',
  '"0000-01-01"',
  '"2022-02-30"',
  '"+275760-09-13T00:00:00.000Z"',
  '"c3RvcnlFdmVudDow"',
  `"${'x'.repeat(20_000)}"`,
  `"${'\\u00e9'.repeat(500)}"`,
  '[[[[[[[[1]]]]]]]]',
  '{ a: { b: { c: 1 } } }',
  '[]',
  '{}',
  'NOT_AN_ENUM',
  '$undeclared',
];
const HOSTILE_JSON: unknown[] = [
  2 ** 53 + 2,
  -1,
  1e308,
  '\u0000',
  'x'.repeat(50_000),
  '0000-01-01',
  [],
  {},
  { __proto__: { admin: true } },
  Array(5_000).fill('ANNOUNCED'),
  Array(2_000).fill('x'),
  null,
  true,
  [[[[[[[[[[[]]]]]]]]]]],
];

function scalarLiteral(name: string): string {
  switch (name) {
    case 'Int':
      return String(random.pick([0, 1, 5, 20, 100, 101, -3, 2 ** 31]));
    case 'Float':
      return String(random.pick([0, 1.5, -2.25, 1e10]));
    case 'Boolean':
      return String(random.chance(0.5));
    case 'ID':
      return JSON.stringify(random.pick(IDS));
    case 'Date':
      return JSON.stringify(random.pick(['2022-09-15', '2022-13-01', '1999-01-01', '9999-12-31']));
    case 'DateTime':
      return JSON.stringify(
        random.pick([
          '2022-09-07T08:00:00.000Z',
          '2022-09-07',
          'yesterday',
          '2022-09-07T25:00:00Z',
        ]),
      );
    case 'JSON':
      return random.pick(['1', '"x"', '{ a: [1, 2] }', 'null']);
    default:
      return JSON.stringify(random.chance(0.5) ? random.pick(SLUGS) : random.pick(WORDS));
  }
}

function literalFor(type: GraphQLInputType, depth = 0): string {
  if (random.chance(0.08)) return random.pick(HOSTILE_LITERALS);
  if (isNonNullType(type)) return literalFor(type.ofType as GraphQLInputType, depth);
  if (isListType(type)) {
    const count = random.int(0, 3);
    return `[${Array.from({ length: count }, () => literalFor(type.ofType as GraphQLInputType, depth + 1)).join(', ')}]`;
  }
  if (isEnumType(type)) return random.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    if (depth > 3) return '{}';
    const fields = Object.values(type.getFields()).filter(
      (field) => isNonNullType(field.type) || random.chance(0.4),
    );
    return `{ ${fields.map((field) => `${field.name}: ${literalFor(field.type, depth + 1)}`).join(', ')} }`;
  }
  return scalarLiteral((type as GraphQLNamedType).name);
}

// --- Documents generated from the schema ---------------------------------------------------------

function argumentsFor(args: readonly GraphQLArgument[], variables: Map<string, [string, unknown]>) {
  const chosen = args.filter((arg) => isNonNullType(arg.type) || random.chance(0.5));
  if (random.chance(0.05)) chosen.push({ name: 'bogus', type: args[0]?.type } as GraphQLArgument);
  if (!chosen.length) return '';
  const parts = chosen.map((arg) => {
    if (arg.type && random.chance(0.15)) {
      // Through a variable, often with a value of the wrong type.
      const name = `v${variables.size}`;
      const value = random.chance(0.6)
        ? random.pick(HOSTILE_JSON)
        : random.pick([...SLUGS, ...IDS]);
      variables.set(name, [String(arg.type), value]);
      return `${arg.name}: $${name}`;
    }
    return `${arg.name}: ${arg.type ? literalFor(arg.type) : '1'}`;
  });
  return `(${parts.join(', ')})`;
}

function selectionFor(
  type: GraphQLOutputType,
  depth: number,
  variables: Map<string, [string, unknown]>,
): string {
  const named = getNamedType(type);
  if (isScalarType(named) || isEnumType(named)) return random.chance(0.03) ? ' { oops }' : '';
  if (depth > 5) return ' { __typename }';
  if (isUnionType(named)) {
    const member = random.pick(named.getTypes());
    return ` { __typename ... on ${member.name}${selectionFor(member, depth + 1, variables)} }`;
  }
  if (!isObjectType(named) && !isInterfaceType(named)) return '';
  const fields = Object.values(named.getFields()) as GraphQLField<unknown, unknown>[];
  const count = random.int(1, 4);
  const parts: string[] = [];
  for (let i = 0; i < count; i += 1) {
    if (random.chance(0.04)) {
      parts.push(random.pick(['nonexistent', '__schema { types { name } }', '... on Nope { id }']));
      continue;
    }
    const field = random.pick(fields);
    const alias = random.chance(0.1) ? `a${i}: ` : '';
    parts.push(
      `${alias}${field.name}${argumentsFor(field.args, variables)}${selectionFor(field.type, depth + 1, variables)}`,
    );
  }
  return ` { ${parts.join(' ')} }`;
}

/** A random operation on the Query, Mutation or Subscription root, with its variables. */
function document(kind?: 'query' | 'mutation' | 'subscription') {
  const operation =
    kind ?? random.pick(['query', 'query', 'query', 'mutation', 'subscription'] as const);
  const root =
    operation === 'query'
      ? schema.getQueryType()
      : operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const variables = new Map<string, [string, unknown]>();
  const selection = selectionFor(root as GraphQLOutputType, 0, variables);
  const declared = [...variables].map(([name, [type]]) => `$${name}: ${type}`).join(', ');
  let query = `${operation}${declared ? ` (${declared})` : ''}${selection}`;
  if (random.chance(0.05)) query = query.slice(0, random.int(1, query.length)); // truncated
  if (random.chance(0.03)) query = `${query} ${query}`; // two anonymous operations
  return {
    query,
    variables: Object.fromEntries([...variables].map(([name, [, value]]) => [name, value])),
  };
}

// --- Hostile HTTP requests ---------------------------------------------------------------------

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, () => random.int(0, 255));
}

function hostileRequest(): { path: string; init: RequestInit } {
  const json = { 'content-type': 'application/json' };
  const valid = JSON.stringify({ query: '{ __typename }' });
  const choice = random.int(0, 19);
  switch (choice) {
    case 0:
      return {
        path: '/graphql',
        init: { method: 'POST', headers: json, body: randomBytes(random.int(0, 400)) },
      };
    case 1:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: valid.slice(0, random.int(0, valid.length - 1)),
        },
      };
    case 2:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify(
            random.pick<unknown>([
              { query: 123 },
              { query: null },
              { query: ['{a}'] },
              { variables: '{}' },
              'string',
              42,
              null,
              { query: '{ __typename }', variables: [1] },
              { query: '{ __typename }', operationName: {} },
              {
                query: '{ __typename }',
                extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } },
              },
            ]),
          ),
        },
      };
    case 3:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify(
            Array.from({ length: random.int(1, 50) }, () => ({ query: '{ __typename }' })),
          ),
        },
      };
    case 4:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: {
            'content-type': random.pick([
              'text/plain',
              'application/xml',
              'application/octet-stream',
              'image/png',
              'application/json; charset=utf-16',
              'application/graphql-response+json',
              '',
              ';;;',
              'multipart/form-data',
            ]),
          },
          body: random.chance(0.5) ? valid : randomBytes(64),
        },
      };
    case 5:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/graphql' },
          body: document().query,
        },
      };
    case 6:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `query=${encodeURIComponent(document().query)}&variables=%7B`,
        },
      };
    case 7: {
      const boundary = `b${random.int(0, 1e6)}`;
      const body = random.chance(0.5)
        ? `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"mutation { __typename }"}\r\n--${boundary}--`
        : `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n--nope`;
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
        },
      };
    }
    case 8: {
      const { query } = document(random.pick(['query', 'mutation'] as const));
      return {
        path: `/graphql?query=${encodeURIComponent(query)}&variables=${random.pick(['', '%7B', '{}', 'null', '[1]'])}`,
        init: {
          method: 'GET',
          headers: {
            accept: random.pick(['application/json', 'text/event-stream', '*/*', 'text/html']),
          },
        },
      };
    }
    case 9:
      return {
        path: '/graphql',
        init: { method: random.pick(['PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']), headers: json },
      };
    case 10:
      return {
        path: random.pick([
          '/',
          '/graphql/',
          '/GRAPHQL',
          '/graphql/../metrics',
          '/%00',
          '/graphql%2F..',
          '/live?x=%ff',
          '/health?x=1',
          `/${'a'.repeat(5_000)}`,
          '/graphql/stream',
        ]),
        init: { method: random.pick(['GET', 'POST']) },
      };
    case 11:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: {
            ...json,
            authorization: random.pick([
              'Bearer',
              'Bearer ',
              'Basic abc',
              'Bearer a.b.c',
              'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.',
              `Bearer ${'x'.repeat(8_000)}`,
            ]),
          },
          body: JSON.stringify(document('mutation')),
        },
      };
    case 12:
      // fetch sets Content-Length itself: a lying one goes over a raw socket.
      return {
        path: 'raw',
        init: {
          body: `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${random.pick(['-1', 'abc', '1, 2', '99999999999', '5'])}\r\nConnection: close\r\n\r\n${valid}`,
        },
      };
    case 13:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            query: `{ ${'leaders { totalCount } '.repeat(random.int(900, 4_000))}}`,
          }),
        },
      };
    case 14:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ query: `{ ${'a: __typename '.repeat(random.int(10, 300))}}` }),
        },
      };
    case 15:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            query: `query { ${Array.from({ length: random.int(1, 60) }, (_, i) => `l${i}: leaders(first: 100) { edges { node { memberships(first: 100) { edges { node { role } } } } } }`).join(' ')} }`,
          }),
        },
      };
    case 16:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: `{"query":"{ __typename }","pad":"${'x'.repeat(random.chance(0.3) ? 1_100_000 : 1_000)}"}`,
        },
      };
    case 17:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            query: `query Q${random.int(0, 1e9)} { __typename }`,
            operationName: `Other${random.int(0, 1e9)}`,
          }),
        },
      };
    case 18:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            query: `{ __typename ${'@include(if: true) '.repeat(random.int(1, 60))}}`,
          }),
        },
      };
    default:
      return {
        path: '/graphql',
        init: {
          method: 'POST',
          headers: json,
          body: `{"query":"{ __typename }","variables":${'['.repeat(random.int(10, 5_000))}`,
        },
      };
  }
}

// --- Checks --------------------------------------------------------------------------------------

/** Text that must never reach a client: stack frames, file paths, ORM and SQL detail. */
const INTERNALS =
  /\bat [\w$.<>]+ \(|\.(?:ts|js|mjs|cjs):\d+|node_modules|\/work\/|\/src\/|"stack"|Prisma|prisma\.|\bSELECT\b|\bINSERT INTO\b|DELETE FROM|violates|syntax error at or near|invalid input syntax|ECONNREFUSED/;

const outcomes = new Map<string, number>();
const leaks: string[] = [];
const serverErrors: string[] = [];
let inputs = 0;
const slow: string[] = [];

function record(outcome: string, text: string, what: string) {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  const leak = INTERNALS.exec(text);
  if (leak)
    leaks.push(
      `${what} → ${outcome}: …${text.slice(Math.max(0, leak.index - 80), leak.index + 80)}…`,
    );
}

function codesIn(text: string): string {
  const codes = [...text.matchAll(/"code":"([A-Z_]+)"/g)].map((match) => match[1]);
  return [...new Set(codes)].sort().join(',') || (text.includes('"data"') ? 'data' : 'none');
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/** A digest of every table's rows, to show that no input changed the data. */
async function dataDigest(): Promise<string> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1",
    );
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const { rows } = await client.query(
        `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`,
      );
      parts.push(`${name}:${rows[0].n}:${rows[0].digest}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

function heapAfterGc(): number {
  for (let i = 0; i < 4; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

// --- The run -------------------------------------------------------------------------------------

let app: Awaited<ReturnType<typeof startApp>>;
let origin: string;
beforeAll(async () => {
  app = await startApp();
  origin = `http://127.0.0.1:${app.port}`;
});
const open = new Set<WebSocket>();
afterAll(() => {
  for (const socket of open) socket.terminate();
});

/** Sends bytes as they are over a TCP socket and reads the status line of the answer. */
async function rawHttp(text: string): Promise<{ status: number; body: string }> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(app.port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ status, body: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    });
  });
}

async function httpInput(path: string, init: RequestInit, label: string) {
  inputs += 1;
  if (path === 'raw') {
    const { status, body } = await rawHttp(String(init.body));
    if (status >= 500) serverErrors.push(`raw → ${status} ${body.slice(0, 200)}`);
    record(`${label} raw ${status || 'closed'} ${codesIn(body)}`, body, 'raw');
    return;
  }
  const requestStarted = performance.now();
  let outcome: string;
  let text = '';
  try {
    const response = await fetch(`${origin}${path}`, {
      ...init,
      signal: AbortSignal.timeout(20_000),
    });
    text = init.method === 'HEAD' ? '' : await response.text();
    outcome = `${label} ${response.status} ${codesIn(text)}`;
    if (response.headers.get('content-type')?.startsWith('text/html')) {
      // GraphiQL's page: a public bundle whose code names its own build paths.
      outcome = `${label} ${response.status} GraphiQL page`;
      text = '';
    }
    const ms = performance.now() - requestStarted;
    if (ms > 1_000)
      slow.push(`${ms.toFixed(0)} ms: ${path.slice(0, 100)} ${String(init.body).slice(0, 300)}`);
    if (response.status >= 500)
      serverErrors.push(`${label} ${path.slice(0, 80)} → ${response.status} ${text.slice(0, 200)}`);
  } catch (error) {
    outcome = `${label} failed: ${(error as Error).name}`;
    serverErrors.push(
      `${label} ${path.slice(0, 80)} ${String(init.body).slice(0, 300)} → ${(error as Error).message}`,
    );
  }
  record(outcome, text, `${label} ${path.slice(0, 60)}`);
}

async function sseInput() {
  inputs += 1;
  const { query, variables } = document(random.chance(0.7) ? 'subscription' : 'query');
  const controller = new AbortController();
  let text = '';
  let outcome: string;
  // A live subscription never ends by itself: read until the first event, then hang up.
  const deadline = setTimeout(() => controller.abort(), 3_000);
  try {
    const response = await fetch(`${origin}/graphql`, {
      method: random.chance(0.8) ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    }).catch(() =>
      fetch(`${origin}/graphql?query=${encodeURIComponent(query)}`, {
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      }),
    );
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    while (reader) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (/\n\n/.test(text) && /event: (next|complete)/.test(text)) break;
    }
    controller.abort();
    outcome = `sse ${response.status} ${codesIn(text)}`;
    if (response.status >= 500) serverErrors.push(`sse → ${response.status} ${text.slice(0, 200)}`);
  } catch (error) {
    outcome = `sse ${(error as Error).name === 'AbortError' ? 'no event before hang-up' : 'failed'}`;
  } finally {
    clearTimeout(deadline);
  }
  record(outcome, text, 'sse');
}

/** One WebSocket session: a few frames, in or out of protocol order, then a ping to see if it lives. */
async function wsSession() {
  const socket = new WebSocket(
    `${origin.replace('http', 'ws')}/graphql`,
    random.chance(0.9)
      ? 'graphql-transport-ws'
      : random.pick(['graphql-ws', 'nope', 'graphql-transport-ws-x']),
  );
  open.add(socket);
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(data.toString()));
  socket.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('open', () => resolve(true))),
    closed.then(() => false),
  ]);
  const frames = random.int(4, 9);
  for (let i = 0; i < frames; i += 1) {
    inputs += 1;
    if (!opened || socket.readyState !== WebSocket.OPEN) continue;
    const id = random.pick(['1', '2', '1', '', 'x'.repeat(2_000), '__proto__']);
    const frame = random.pick<() => string | Uint8Array<ArrayBuffer>>([
      () =>
        JSON.stringify({
          type: 'connection_init',
          payload: random.pick<unknown>([
            undefined,
            {},
            null,
            'x',
            { authorization: 'Bearer junk' },
            { token: 1 },
          ]),
        }),
      () => JSON.stringify({ type: 'connection_init' }),
      () => JSON.stringify({ id, type: 'subscribe', payload: document() }),
      () => JSON.stringify({ id, type: 'subscribe', payload: document('subscription') }),
      () =>
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: random.pick<unknown>([
            null,
            {},
            { query: 1 },
            { query: '{ __typename }', variables: 'x' },
          ]),
        }),
      () => JSON.stringify({ id, type: 'complete' }),
      () =>
        JSON.stringify({
          id,
          type: random.pick(['next', 'error', 'connection_ack', 'complete']),
          payload: {},
        }),
      () =>
        JSON.stringify({
          type: random.pick([
            'ping',
            'pong',
            'next',
            'error',
            'connection_ack',
            'nope',
            'start',
            'stop',
          ]),
          payload: {},
        }),
      () =>
        JSON.stringify(
          random.pick<unknown>([[], 1, null, 'x', { type: null }, { type: 'subscribe' }]),
        ),
      () => `{"type":"subscribe","id":"9","payload":`,
      () => randomBytes(random.int(1, 200)),
      () =>
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: { query: `{ ${'__typename '.repeat(2_000)}}` },
        }),
    ])();
    socket.send(frame);
  }
  let outcome: string;
  if (opened && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: 'ping' }));
    const answered = await Promise.race([
      new Promise<string>((resolve) => {
        const check = () => {
          if (messages.some((message) => message.includes('"pong"'))) resolve('open, answers ping');
          else setTimeout(check, 5);
        };
        check();
      }),
      closed.then(({ code }) => `closed ${code}`),
      new Promise<string>((resolve) => setTimeout(() => resolve('open, no pong in 5 s'), 5_000)),
    ]);
    outcome = `ws ${answered}`;
    socket.close(1000);
  } else {
    const { code } = await closed;
    outcome = `ws ${opened ? 'closed' : 'refused'} ${code}`;
  }
  const { code, reason } = await closed;
  if (code === 4500 || code === 1011) serverErrors.push(`ws closed ${code} ${reason}`);
  open.delete(socket);
  record(outcome, `${reason}\n${messages.join('\n')}`, 'ws');
}

it('survives thousands of hostile inputs: no 5xx, no internals, memory back, data unchanged', async () => {
  const started = performance.now();
  const digestBefore = await dataDigest();
  // Warm up, so that the baseline is a server in its steady state: GraphiQL's 9 MB bundle is
  // loaded on its first request, and the bounded caches (Yoga's 256 parsed documents, Prisma's
  // query plans) fill with the first few hundred distinct documents. These count as inputs.
  await httpInput('/graphql', { method: 'GET', headers: { accept: 'text/html' } }, 'warm-up');
  await pool(
    Array.from({ length: WARM_UP_DOCUMENTS }, () => document('query')),
    8,
    (doc) =>
      httpInput(
        '/graphql',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(doc),
        },
        'document',
      ),
  );
  const heapBefore = heapAfterGc();

  const phases: string[] = [];
  let phaseStarted = performance.now();
  const phase = (name: string) => {
    phases.push(`${name} ${((performance.now() - phaseStarted) / 1000).toFixed(1)} s`);
    phaseStarted = performance.now();
  };
  const documents = Array.from({ length: HTTP_DOCUMENTS }, () =>
    document(random.pick(['query', 'query', 'query', 'mutation'] as const)),
  );
  await pool(documents, 8, (doc) =>
    httpInput(
      '/graphql',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: random.pick(['application/json', 'application/graphql-response+json', '*/*']),
        },
        body: JSON.stringify(doc),
      },
      'document',
    ),
  );
  phase('documents');
  const requests = Array.from({ length: HTTP_BODIES }, () => hostileRequest());
  await pool(requests, 8, ({ path, init }) => httpInput(path, init, 'http'));
  phase('http');
  await pool(Array.from({ length: SSE_REQUESTS }), 10, () => sseInput());
  phase('sse');
  await pool(Array.from({ length: WS_SESSIONS }), 8, () => wsSession());
  phase('websocket');

  // Afterwards: the server answers on every transport.
  const after = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ leader(slug: "xi-jinping") { name } }' }),
  });
  expect(((await after.json()) as { data: unknown }).data).toEqual({
    leader: { name: 'Xi Jinping' },
  });
  await waitUntil(() => app.server.sockets === 0, 15_000, 'every fuzz socket to be closed');
  await waitUntil(() => app.feed.subscribers === 0, 15_000, 'every fuzz subscription to end');

  const heapAfter = heapAfterGc();
  const digestAfter = await dataDigest();
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...outcomes].sort((a, b) => b[1] - a[1]);
  console.log(
    [
      `fuzz: seed ${SEED}, ${inputs} inputs in ${seconds.toFixed(1)} s (${phases.join(', ')})`,
      `heap after gc: ${(heapBefore / 1e6).toFixed(1)} MB before, ${(heapAfter / 1e6).toFixed(1)} MB after (${(((heapAfter - heapBefore) / heapBefore) * 100).toFixed(1)} %)`,
      'outcomes (transport, status or close, codes):',
      ...sorted.map(([outcome, count]) => `  ${String(count).padStart(5)}  ${outcome}`),
      ...(slow.length ? ['slow requests:', ...slow] : []),
    ].join('\n'),
  );

  expect(inputs).toBeGreaterThanOrEqual(2_000);
  expect(serverErrors).toEqual([]);
  expect(leaks).toEqual([]);
  expect([...outcomes.keys()].filter((key) => key.includes('INTERNAL_SERVER_ERROR'))).toEqual([]);
  expect(heapAfter).toBeLessThan(heapBefore * 1.2);
  expect(digestAfter).toBe(digestBefore);
}, 240_000);

// --- The surfaces added with ingestion ---------------------------------------------------------

const INGEST_DOCUMENTS = 120;
const APQ_REGISTRATIONS = 300;
const SSE_STREAMS = 60;

/** An ingestion input built from hostile pieces: the slow texts, odd characters, wrong types. */
function hostileIngestInput(): unknown {
  const units = [
    'next week on Monday ',
    'Monday. ',
    'NATO ',
    'Big Red Dog ',
    '“a ',
    'said Tass, according to Reuters ',
    'Xi Jinping met Vladimir Putin in Samarkand on Thursday. ',
    'ж',
    '\u0000',
    '😀 ',
    '"quoted" ',
    'in 0001 and 9999, next year ',
  ];
  const length = random.pick([0, 1, 50, 2_000, 40_000, 100_000, 100_001]);
  const body = random
    .pick(units)
    .repeat(Math.ceil(length / 2) + 1)
    .slice(0, length);
  const url = random.pick<unknown>([
    undefined,
    `https://fuzz.example/${random.int(0, 20)}`,
    `https://fuzz.example/${'ж'.repeat(random.pick([1_000, 1_020, 1_030, 1_995]))}`,
    'ftp://x',
    'not a url',
    42,
  ]);
  return {
    headline: random.pick<unknown>(['Fuzzed', '', 'x'.repeat(301), 'ж'.repeat(300), null, 7]),
    body,
    publishedAt: random.pick<unknown>([
      '2022-09-07T00:00:00Z',
      '0001-01-01T00:00:00Z',
      '9999-12-31T00:00:00Z',
      '10000-01-01T00:00:00Z',
      'yesterday',
    ]),
    ...(url === undefined ? {} : { url }),
  };
}

it('survives hostile ingestion, APQ registration and SSE streams: bounded, no 5xx, no internals', async () => {
  const { APQ_STORE_LIMITS, createApqStore } = await import('../src/plugins/apq-store.ts');
  const { signToken } = await import('../src/core/auth.ts');
  const { TEST_SECRET } = await import('./helpers/app.ts');
  const store = createApqStore();
  const target = await startApp({ operations: { apqStore: store } });
  const editor = await signToken('editor', TEST_SECRET, { expiresIn: '1h' });
  leaks.length = 0;
  serverErrors.length = 0;
  const checked = new Map<string, number>();
  const post = async (body: unknown, what: string, headers: Record<string, string> = {}) => {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const outcome = `${what} ${response.status} ${codesIn(text)}`;
    checked.set(outcome, (checked.get(outcome) ?? 0) + 1);
    record(outcome, text, what);
    if (response.status >= 500 && response.status !== 503)
      serverErrors.push(`${what} → ${response.status} ${text.slice(0, 200)}`);
    return text;
  };
  // Two rounds of the same kinds of input: the first fills every bounded cache (Yoga's parsed
  // documents, the APQ store, Prisma's plans) and starts the analysis threads; the heap after it
  // is the baseline the second round must stay near.
  const { operationHash } = await import('../src/plugins/persisted-queries.ts');
  const round = async () => {
    // Ingestion: hostile inputs four at a time, some sent twice at once.
    await pool(
      Array.from({ length: INGEST_DOCUMENTS }, () => 0),
      4,
      async () => {
        const body = {
          query:
            'mutation ($input: IngestArticleInput!) { ingestArticle(input: $input) { created article { id slug } proposals { text } } }',
          variables: { input: hostileIngestInput() },
        };
        const sends = random.chance(0.2) ? 2 : 1;
        await Promise.all(
          Array.from({ length: sends }, () =>
            post(body, 'ingest', { authorization: `Bearer ${editor}` }),
          ),
        );
      },
    );
    // APQ: registrations with right and wrong hashes, refused and huge documents, hashes alone.
    await pool(Array.from({ length: APQ_REGISTRATIONS }), 8, async () => {
      const query = random.pick([
        () => `{ __typename a${random.int(0, 1e9)}: __typename }`,
        () => `{ ${'__typename '.repeat(random.int(100, 5_000))}}`,
        () => `{ nope${random.int(0, 1e9)} }`,
        () => `# ${'x'.repeat(random.int(1, 60_000))}\n{ __typename }`,
        () => document('query').query,
      ])();
      const hash = random.chance(0.85) ? operationHash(query) : 'f'.repeat(64);
      const persisted = { persistedQuery: { version: 1, sha256Hash: hash } };
      await post(
        random.chance(0.8) ? { query, extensions: persisted } : { extensions: persisted },
        'apq',
      );
    });
    expect(store.size).toBeLessThanOrEqual(APQ_STORE_LIMITS.entries);
    expect(store.bytes).toBeLessThanOrEqual(APQ_STORE_LIMITS.bytes);
  };
  await round();
  const heapBefore = heapAfterGc();
  await round();

  // SSE: the 50 streams one address may hold, then 10 more at once; then every one is closed.
  const aborts: AbortController[] = [];
  const open = (count: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const abort = new AbortController();
        aborts.push(abort);
        const response = await fetch(target.url, {
          method: 'POST',
          signal: abort.signal,
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: 'subscription { storyEvents { cursor } }' }),
        });
        return response.status;
      }),
    );
  const first = await open(50);
  expect(first.filter((status) => status !== 200)).toEqual([]);
  // Under load a stream may have ended already (an error event), freeing its place: the ten
  // more may take exactly the places free now, and the server never holds more than 50.
  const heldBefore = target.server.eventStreams;
  expect(heldBefore).toBeLessThanOrEqual(50);
  const more = await open(SSE_STREAMS - 50);
  expect(more.filter((status) => status !== 200 && status !== 429)).toEqual([]);
  expect(more.filter((status) => status === 200).length).toBeLessThanOrEqual(50 - heldBefore);
  expect(target.server.eventStreams).toBeLessThanOrEqual(50);
  for (const abort of aborts) abort.abort();
  await waitUntil(() => target.feed.subscribers === 0, 15_000, 'every fuzzed stream to end');

  // Afterwards the server answers, and what it holds is back where it was.
  const after = await post({ query: '{ leader(slug: "xi-jinping") { name } }' }, 'after');
  expect(JSON.parse(after).data).toEqual({ leader: { name: 'Xi Jinping' } });
  const heapAfter = heapAfterGc();
  console.log(
    [
      `fuzz (ingestion, APQ, SSE): heap ${(heapBefore / 1e6).toFixed(1)} MB before, ${(heapAfter / 1e6).toFixed(1)} MB after; APQ store ${store.size} entries, ${store.bytes} bytes`,
      ...[...checked]
        .sort((a, b) => b[1] - a[1])
        .map(([o, n]) => `  ${String(n).padStart(5)}  ${o}`),
    ].join('\n'),
  );
  expect(serverErrors).toEqual([]);
  expect(leaks).toEqual([]);
  expect([...checked.keys()].filter((key) => key.includes('INTERNAL_SERVER_ERROR'))).toEqual([]);
  // The APQ store may still be filling towards its 8 MiB of text (up to twice that in the heap,
  // where a string can take two bytes a character); beyond that, within 20 %.
  expect(heapAfter).toBeLessThan(heapBefore * 1.2 + 2 * APQ_STORE_LIMITS.bytes);
}, 240_000);
