import { readdirSync, readFileSync } from 'node:fs';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { COST_LIMIT, DEFAULT_LIMITS } from '../src/plugins/limits.ts';
import { schema } from '../src/schema/index.ts';
import { startApp, testApp, tokenFor, waitUntil } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';
import { editSummit, errorCodes, execute } from './helpers/graphql.ts';

const { yoga } = testApp();
const run = (query: string, variables?: Record<string, unknown>) => execute(yoga, query, variables);

/** Sockets opened by hand in this file, closed after it. */
const sockets: WebSocket[] = [];
afterAll(() => {
  for (const socket of sockets) socket.terminate();
});

/** A raw graphql-transport-ws socket, acknowledged, with every message and the close kept. */
async function rawSocket(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
  sockets.push(socket);
  const messages: any[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  socket.on('error', () => {});
  const opened = await new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
  return { socket, messages, closed, opened };
}

async function acknowledged(url: string, headers: Record<string, string> = {}) {
  const raw = await rawSocket(url, headers);
  if (!raw.opened) return raw;
  raw.socket.send(JSON.stringify({ type: 'connection_init' }));
  await waitUntil(
    () => raw.messages.some((m) => m.type === 'connection_ack'),
    10_000,
    'connection_ack',
  );
  return raw;
}

describe('document limits, checked before validation', () => {
  it('refuses the 4,000-times repeated field document fast (it took ~28 s to validate before)', async () => {
    const query = `{ ${'leaders { totalCount } '.repeat(4000)}}`;
    expect(query.length).toBeGreaterThan(90_000);
    const started = performance.now();
    const result = await run(query);
    const ms = performance.now() - started;
    console.log(`4,000-field document (${query.length} bytes) refused in ${ms.toFixed(0)} ms`);
    expect(errorCodes(result)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(ms).toBeLessThan(2_000);
    // The same repetition under the size limit is stopped by the token limit.
    const compact = `{ ${'__typename '.repeat(4000)}}`;
    const compactStarted = performance.now();
    const compactResult = await run(compact);
    const compactMs = performance.now() - compactStarted;
    console.log(
      `4,000 × __typename (${compact.length} bytes) refused in ${compactMs.toFixed(0)} ms`,
    );
    expect(errorCodes(compactResult)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(compactResult.errors?.[0]?.message).toMatch(/Token limit of 1000/);
    expect(compactMs).toBeLessThan(2_000);
  });

  it('takes a document of exactly the size limit and refuses one character more', async () => {
    const max = DEFAULT_LIMITS.maxDocumentChars;
    const head = '{ __typename }\n#';
    const atLimit = head + 'x'.repeat(max - head.length);
    expect(atLimit.length).toBe(max);
    expect((await run(atLimit)).data).toEqual({ __typename: 'Query' });
    const over = await run(`${atLimit}x`);
    expect(errorCodes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors?.[0]?.message).toMatch(/over the limit of 65536/);
  });

  it('takes 1,000 tokens and refuses 1,001', async () => {
    // `{`, `}` and 998 fields.
    const fields = (n: number) => `{ ${'__typename '.repeat(n)}}`;
    expect((await run(fields(998))).data).toEqual({ __typename: 'Query' });
    expect(errorCodes(await run(fields(999)))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('takes 30 aliases and refuses 31', async () => {
    const aliased = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: leader(slug: "xi-jinping") { name }`).join(' ')} }`;
    const ok = await run(aliased(30));
    expect(ok.errors).toBeUndefined();
    expect(Object.keys(ok.data)).toHaveLength(30);
    const over = await run(aliased(31));
    expect(errorCodes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors?.[0]?.message).toBe('Aliases limit of 30 exceeded, found 31.');
  });

  it('takes 20 directives and refuses 21', async () => {
    const directed = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename @include(if: true)`).join(' ')} }`;
    expect((await run(directed(20))).data).toMatchObject({ a0: 'Query', a19: 'Query' });
    expect(errorCodes(await run(directed(21)))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('takes fields nested 24 deep and refuses 25', async () => {
    // leader(1) memberships(2) edges(3) node(4) leader(5) …, the `__typename` leaf at `depth`.
    const nested = (depth: number) => {
      const path = ['memberships(first: 1)', 'edges', 'node', 'leader'];
      let selection = '__typename';
      for (let level = depth - 1; level >= 2; level -= 1) {
        selection = `${path[(level - 2) % 4]} { ${selection} }`;
      }
      return `{ leader(slug: "xi-jinping") { ${selection} } }`;
    };
    const ok = await run(nested(24));
    expect(ok.errors).toBeUndefined();
    const over = await run(nested(25));
    expect(errorCodes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors?.[0]?.message).toMatch(/depth limit of 24 exceeded, found 25/);
  });
});

describe('every transport', () => {
  it('applies the document limits to graphql-ws and SSE operations too', async () => {
    const app = await startApp();
    const huge = `{ ${'leaders { totalCount } '.repeat(4000)}}`;
    const aliased = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: leader(slug: "xi-jinping") { name }`).join(' ')} }`;
    const raw = await acknowledged(app.url);
    raw.socket.send(JSON.stringify({ id: 'huge', type: 'subscribe', payload: { query: huge } }));
    raw.socket.send(
      JSON.stringify({ id: 'aliased', type: 'subscribe', payload: { query: aliased } }),
    );
    await waitUntil(
      () => raw.messages.filter((m) => m.type === 'error').length === 2,
      10_000,
      'two errors',
    );
    for (const id of ['huge', 'aliased']) {
      const message = raw.messages.find((m) => m.id === id);
      expect(message.type).toBe('error');
      expect(message.payload.map((error: any) => error.extensions.code)).toEqual([
        'QUERY_TOO_COMPLEX',
      ]);
    }
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);

    for (const query of [huge, aliased]) {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query }),
      });
      expect(await response.text()).toContain('"code":"QUERY_TOO_COMPLEX"');
    }
  });
});

describe('graphql-ws messages out of place', () => {
  it('closes with 4400 (bad request), not 4500, on a message only a server may send', async () => {
    const app = await startApp();
    for (const type of ['connection_ack', 'next']) {
      for (const binary of [false, true]) {
        const raw = await acknowledged(app.url);
        raw.socket.send(JSON.stringify({ id: '1', type, payload: {} }), { binary });
        expect(await raw.closed).toEqual({ code: 4400, reason: 'Invalid message received' });
      }
    }
  });
});

describe('breadth', () => {
  it('takes 300 fields in an operation and refuses 301', async () => {
    const fields = (n: number) => `{ leader(slug: "xi-jinping") { ${'name '.repeat(n - 1)}} }`;
    expect((await run(fields(COST_LIMIT.breadth))).errors).toBeUndefined();
    const over = await run(fields(COST_LIMIT.breadth + 1));
    expect(errorCodes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors?.[0]?.message).toBe("The query's breadth is 301, over the limit of 300.");
  });
});

describe('request size', () => {
  const post = (body: string) =>
    yoga.fetch('http://storygraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const padded = (bytes: number) => {
    const head = '{"query":"{ __typename }","variables":{"pad":"';
    const tail = '"}}';
    return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
  };

  it('takes an HTTP body of exactly MAX_REQUEST_BYTES and refuses one byte more with 413', async () => {
    const max = DEFAULT_LIMITS.maxRequestBytes;
    const ok = await post(padded(max));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown }).data).toEqual({ __typename: 'Query' });
    const over = await post(padded(max + 1));
    expect(over.status).toBe(413);
    const text = await over.text();
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(text).not.toMatch(/stack|\/src\//);
  });

  it('takes a WebSocket message of exactly MAX_REQUEST_BYTES and closes with 1009 on one byte more', async () => {
    const app = await startApp();
    const max = DEFAULT_LIMITS.maxRequestBytes;
    const message = (bytes: number) => {
      const head =
        '{"id":"1","type":"subscribe","payload":{"query":"{ __typename }","variables":{"pad":"';
      const tail = '"}}}';
      return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
    };
    const ok = await acknowledged(app.url);
    ok.socket.send(message(max));
    await waitUntil(
      () => ok.messages.some((m) => m.type === 'next'),
      10_000,
      'the answer to a full-size message',
    );
    expect(ok.messages.find((m) => m.type === 'next').payload.data).toEqual({
      __typename: 'Query',
    });
    const logged = vi.spyOn(console, 'error');
    const over = await acknowledged(app.url);
    over.socket.send(message(max + 1));
    expect((await over.closed).code).toBe(1009);
    // A client's oversized frame is not logged as the server's internal error.
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });
});

describe('cost by page size', () => {
  const costOf = (query: string) => complexityFromQuery(query, { schema }).complexity;
  const nestedPages = (pages: number[], leaf = 'name') => {
    // leaders(first: a) → memberships(first: b) → organization.memberships(first: c) → …
    let selection = leaf;
    for (let i = pages.length - 1; i >= 1; i -= 1) {
      const inner = i % 2 === 1 ? `organization { ${selection} }` : `leader { ${selection} }`;
      selection = `memberships(first: ${pages[i]}) { edges { node { ${inner} } } }`;
    }
    return `{ leaders(first: ${pages[0]}) { edges { node { ${selection} } } } }`;
  };

  it('refuses four nested pages of 100', async () => {
    const query = nestedPages([100, 100, 100, 100]);
    expect(costOf(query)).toBeGreaterThan(COST_LIMIT.complexity);
    const result = await run(query);
    expect(errorCodes(result)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(result.errors?.[0]?.message).toMatch(/complexity is \d+, over the limit of 1000000/);
  });

  it('charges a connection by the page asked for: just under the limit passes, just over fails', async () => {
    // Find the largest innermost page that keeps three nested pages under the limit.
    let inner = 1;
    while (costOf(nestedPages([100, 100, inner + 1])) <= COST_LIMIT.complexity) inner += 1;
    expect(inner).toBeLessThan(100);
    const under = await run(nestedPages([100, 100, inner]));
    expect(under.errors).toBeUndefined();
    expect(errorCodes(await run(nestedPages([100, 100, inner + 1])))).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
    // The same shape asked through variables costs the same.
    const withVariables = `query ($n: Int) ${nestedPages([100, 100, 0]).replace('first: 0', 'first: $n')}`;
    expect(errorCodes(await run(withVariables, { n: inner + 1 }))).toEqual(['QUERY_TOO_COMPLEX']);
    expect((await run(withVariables, { n: inner })).errors).toBeUndefined();
  });

  it("passes the /story page's own query, two levels of full pages", async () => {
    const page = readFileSync(new URL('../src/pages/story.html', import.meta.url), 'utf8');
    const start = page.indexOf('const STORY_FIELDS = [');
    const block = page.slice(start, page.indexOf('].join(', start));
    const fields = [...block.matchAll(/'(.*)'/g)].map((match) => match[1]).join('\n');
    const query = `query StoryView {\n${fields}\n}`;
    expect(costOf(query)).toBeGreaterThan(200_000);
    const result = await run(query);
    expect(result.errors).toBeUndefined();
    expect(result.data.leaders.totalCount).toBeGreaterThan(0);
    // The slider reads the same selection through asOf: it passes too.
    const past = await run(`query StoryAsOf { asOf(point: { sequence: 20 }) {\n${fields}\n} }`);
    expect(past.errors).toBeUndefined();
    expect(past.data.asOf.leaders.totalCount).toBeGreaterThan(0);
  });

  it('passes every query in the README and docs/, with the variables shown under it', async () => {
    const readme = ['README.md', ...readdirSync(new URL('../docs', import.meta.url))]
      .filter((name) => name.endsWith('.md'))
      .map((name) =>
        readFileSync(
          new URL(name === 'README.md' ? '../README.md' : `../docs/${name}`, import.meta.url),
          'utf8',
        ),
      )
      .join('\n');
    const examples = [
      ...readme.matchAll(/```graphql\n([\s\S]*?)```(?:\s*```json\n([\s\S]*?)```)?/g),
    ]
      .map((match) => ({
        query: match[1] as string,
        variables: match[2] ? (JSON.parse(match[2]) as Record<string, unknown>) : {},
      }))
      .filter(({ query }) => !/^\s*(mutation|subscription)/.test(query));
    expect(examples.length).toBeGreaterThan(3);
    for (const { query, variables } of examples) {
      const cost = complexityFromQuery(query, { schema, variables }).complexity;
      expect(cost).toBeLessThan(COST_LIMIT.complexity / 2);
      expect(errorCodes(await run(query, variables)), query).not.toContain('QUERY_TOO_COMPLEX');
    }
  });
});

describe('subscriptions', () => {
  const wide = `subscription { storyEvents(after: "c3RvcnlFdmVudDow") { node { ... on Leader {
    memberships(first: 100) { edges { node { organization { memberships(first: 100) { edges { node {
      leader { participations(first: 100) { edges { node { summit { name } } } } } } } } } } } }
  } } } }`;

  it('refuses a too costly subscription once, when it is made, over WebSocket and SSE', async () => {
    const app = await startApp();
    const client = wsClient(app.url);
    const refused = collect(client, wide);
    await refused.ended();
    expect(refused.items).toEqual([]);
    expect(refused.errors.map((error: any) => error.extensions?.code)).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
    // A narrow one on the same socket is accepted and hears an edit.
    const narrow = collect(client, 'subscription { storyEvents { sequence } }');
    await waitUntil(() => app.feed.subscribers > 0, 10_000, 'the narrow subscription to start');
    const sco = (await execute(app.yoga, '{ summit(slug: "sco-summit-samarkand-2022") { id } }'))
      .data.summit.id;
    await editSummit(app.yoga, sco, `touched ${Date.now()}`, await tokenFor('editor'));
    await narrow.waitFor(1);
    narrow.unsubscribe();

    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: wide }),
    });
    const text = await response.text(); // ends: one error event, then complete
    expect(text).toContain('QUERY_TOO_COMPLEX');
    expect(text.match(/^event: next$/gm)).toHaveLength(1);
  });

  it('runs MAX_SUBSCRIPTIONS_PER_SOCKET operations on one socket and refuses one more', async () => {
    const app = await startApp({ limits: { maxSubscriptionsPerSocket: 3 } });
    const raw = await acknowledged(app.url);
    for (const id of ['1', '2', '3', '4']) {
      raw.socket.send(
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: { query: 'subscription { storyEvents { sequence } }' },
        }),
      );
    }
    await waitUntil(
      () => raw.messages.some((m) => m.id === '4'),
      10_000,
      'the answer to the fourth',
    );
    const fourth = raw.messages.find((m) => m.id === '4');
    expect(fourth.type).toBe('error');
    expect(fourth.payload[0].extensions.code).toBe('LIMIT_EXCEEDED');
    expect(raw.messages.filter((m) => ['1', '2', '3'].includes(m.id))).toEqual([]);
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
    // Completing one frees its place.
    raw.socket.send(JSON.stringify({ id: '1', type: 'complete' }));
    raw.socket.send(
      JSON.stringify({ id: '5', type: 'subscribe', payload: { query: '{ __typename }' } }),
    );
    await waitUntil(
      () => raw.messages.some((m) => m.id === '5' && m.type === 'complete'),
      10_000,
      'op 5',
    );
    expect(raw.messages.find((m) => m.id === '5').type).toBe('next');
  });

  it('opens MAX_SOCKETS_PER_ADDRESS sockets from one address and closes one more with 1013', async () => {
    const app = await startApp({ limits: { maxSocketsPerAddress: 3 } });
    const open = await Promise.all([1, 2, 3].map(() => acknowledged(app.url)));
    expect(open.every((raw) => raw.socket.readyState === WebSocket.OPEN)).toBe(true);
    const fourth = await rawSocket(app.url);
    expect(await fourth.closed).toEqual({
      code: 1013,
      reason: 'Too many connections from this address',
    });
    // X-Forwarded-For is ignored unless TRUST_PROXY is set.
    const spoofed = await rawSocket(app.url, { 'x-forwarded-for': '203.0.113.9' });
    expect((await spoofed.closed).code).toBe(1013);
    // A closed socket frees its place.
    open[0]?.socket.close();
    await open[0]?.closed;
    await waitUntil(() => app.server.sockets === 2, 10_000, 'the server to count the close');
    const again = await acknowledged(app.url);
    expect(again.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('holds MAX_SSE_STREAMS_PER_ADDRESS event streams from one address and refuses one more with 429', async () => {
    const app = await startApp({ limits: { maxSseStreamsPerAddress: 3 } });
    const aborts: AbortController[] = [];
    const stream = async (headers: Record<string, string> = {}) => {
      const abort = new AbortController();
      aborts.push(abort);
      const response = await fetch(app.url, {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query: 'subscription { storyEvents { cursor } }' }),
      });
      return { response, abort };
    };
    try {
      // Just under: three streams held open at once.
      const held = await Promise.all([1, 2, 3].map(() => stream()));
      expect(held.map(({ response }) => response.status)).toEqual([200, 200, 200]);
      // Just over: the fourth is refused before Yoga reads it.
      const fourth = await stream();
      expect(fourth.response.status).toBe(429);
      const body = (await fourth.response.json()) as {
        errors: { extensions: { code: string; max: number } }[];
      };
      expect(body.errors[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', max: 3 });
      // X-Forwarded-For is ignored unless TRUST_PROXY is set.
      expect((await stream({ 'x-forwarded-for': '203.0.113.9' })).response.status).toBe(429);
      // A plain query from the same address is not a stream and is not counted.
      expect(errorCodes(await execute(app.yoga, '{ __typename }'))).toEqual([]);
      // Closing one frees its place (the server counts the close when the response ends).
      held[0]?.abort.abort();
      let again = await stream();
      for (let tries = 0; again.response.status === 429 && tries < 100; tries++) {
        await new Promise((resolve) => setImmediate(resolve));
        again = await stream();
      }
      expect(again.response.status).toBe(200);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });

  it('counts event streams by the proxy-added X-Forwarded-For entry with TRUST_PROXY', async () => {
    const app = await startApp({ limits: { maxSseStreamsPerAddress: 1, trustProxy: true } });
    const aborts: AbortController[] = [];
    const status = async (forwarded: string) => {
      const abort = new AbortController();
      aborts.push(abort);
      const response = await fetch(app.url, {
        method: 'POST',
        signal: abort.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'x-forwarded-for': forwarded,
        },
        body: JSON.stringify({ query: 'subscription { storyEvents { cursor } }' }),
      });
      return response.status;
    };
    try {
      expect(await status('198.51.100.1, 203.0.113.1')).toBe(200);
      expect(await status('198.51.100.1, 203.0.113.2')).toBe(200);
      expect(await status('192.0.2.7, 203.0.113.1')).toBe(429);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });

  it('counts sockets by the proxy-added X-Forwarded-For entry with TRUST_PROXY', async () => {
    const app = await startApp({ limits: { maxSocketsPerAddress: 1, trustProxy: true } });
    const a = await acknowledged(app.url, { 'x-forwarded-for': '198.51.100.1, 203.0.113.1' });
    const b = await acknowledged(app.url, { 'x-forwarded-for': '198.51.100.1, 203.0.113.2' });
    expect([a.socket.readyState, b.socket.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN]);
    // The client-chosen first entry does not matter; the last one does.
    const c = await rawSocket(app.url, { 'x-forwarded-for': '192.0.2.7, 203.0.113.1' });
    expect((await c.closed).code).toBe(1013);
  });
});
