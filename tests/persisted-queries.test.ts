import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APQ_STORE_LIMITS, type ApqStore, createApqStore } from '../src/plugins/apq-store.ts';
import { DEFAULT_LIMITS } from '../src/plugins/limits.ts';
import { operationHash, readManifest } from '../src/plugins/persisted-queries.ts';
import type { StoryYoga } from '../src/yoga.ts';
import { startApp, testApp, tokenFor } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';

const SUMMIT = 'query SummitName { summit(slug: "sco-summit-samarkand-2022") { id name } }';
const LEADERS = 'query LeaderCount { leaders(first: 1) { totalCount } }';
// From the start of the log: the edit below is replayed even if it lands before the subscription.
const EVENTS = 'subscription Events { storyEvents(after: "c3RvcnlFdmVudDow") { sequence } }';
const TOUCH =
  'mutation Touch($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }';

function persisted(hash: string) {
  return { persistedQuery: { version: 1, sha256Hash: hash } };
}

async function post(yoga: StoryYoga, body: unknown) {
  const response = await yoga.fetch('http://storygraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function get(yoga: StoryYoga, params: Record<string, string>) {
  const url = new URL('http://storygraph.test/graphql');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await yoga.fetch(url, { headers: { accept: 'application/json' } });
  return { status: response.status, body: (await response.json()) as any };
}

function manifestOf(...texts: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'storygraph-manifest-')), 'operations.json');
  writeFileSync(path, JSON.stringify(Object.fromEntries(texts.map((t) => [operationHash(t), t]))));
  return path;
}

describe('automatic persisted queries (Apollo protocol)', () => {
  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, then runs it by hash once registered', async () => {
    const { yoga } = testApp();
    const hash = operationHash(SUMMIT);
    // 1. The hash alone, as Apollo's first try (a GET, as Apollo sends hashed queries).
    const miss = await get(yoga, { extensions: JSON.stringify(persisted(hash)) });
    expect(miss.status).toBe(200);
    expect(miss.body.errors[0].message).toBe('PersistedQueryNotFound');
    expect(miss.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(miss.body.data).toBeUndefined();
    // 2. The retry with the query and its hash registers it.
    const register = await post(yoga, { query: SUMMIT, extensions: persisted(hash) });
    expect(register.body.data.summit.name).toBe('SCO Summit 2022');
    // 3. From now on the hash alone is enough, over GET and POST.
    const hitGet = await get(yoga, { extensions: JSON.stringify(persisted(hash)) });
    expect(hitGet.body).toEqual(register.body);
    const hitPost = await post(yoga, { extensions: persisted(hash) });
    expect(hitPost.body).toEqual(register.body);
  });

  it('refuses a query whose hash is not its sha256 with PERSISTED_QUERY_MISMATCH', async () => {
    const { yoga } = testApp();
    const result = await post(yoga, {
      query: SUMMIT,
      extensions: persisted(operationHash(LEADERS)),
    });
    expect(result.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_MISMATCH');
    expect(result.body.data).toBeUndefined();
  });

  it('still runs plain queries without any hash', async () => {
    const { yoga } = testApp();
    const result = await post(yoga, { query: LEADERS });
    expect(result.body.data.leaders.totalCount).toBeGreaterThan(0);
  });
});

/** Sends `query` with its hash, as an APQ client's retry does; the result's body. */
async function register(yoga: StoryYoga, query: string) {
  return (await post(yoga, { query, extensions: persisted(operationHash(query)) })).body;
}

/** What asking by hash alone gives: the data, or the error code. */
async function byHash(yoga: StoryYoga, query: string) {
  const { body } = await post(yoga, { extensions: persisted(operationHash(query)) });
  return body.errors ? body.errors[0].extensions.code : body.data;
}

/** A valid query `Q<name>` of exactly `bytes` UTF-8 bytes, padded in a comment (with `pad`). */
function sized(name: string, bytes: number, pad = 'x') {
  const head = `query Q${name} { __typename }\n#`;
  const padded = head + pad.repeat(Math.floor((bytes - head.length) / Buffer.byteLength(pad)));
  const query = padded + 'x'.repeat(bytes - Buffer.byteLength(padded));
  expect(Buffer.byteLength(query)).toBe(bytes);
  return query;
}

function appWith(store: ApqStore) {
  return testApp({ operations: { apqStore: store } }).yoga;
}

describe('the APQ store', () => {
  it('is bounded by 1,000 entries and 8 MiB by default', () => {
    expect(APQ_STORE_LIMITS).toEqual({ entries: 1000, bytes: 8 * 1024 * 1024, ttlMs: 36_000 });
  });

  it('keeps nothing that fails parsing, validation, a limit or its variables', async () => {
    const store = createApqStore();
    const yoga = appWith(store);
    const pages = (inner: string) =>
      `{ leaders(first: 100) { edges { node { memberships(first: 100) { edges { node { organization { memberships(first: 100) { edges { node { leader { ${inner} } } } } } } } } } } } }`;
    const refused: [string, string, Record<string, unknown>?][] = [
      ['query Broken { nope }', 'GRAPHQL_VALIDATION_FAILED'],
      ['{ leaders { ', 'GRAPHQL_PARSE_FAILED'],
      [`{ __typename }\n#${'x'.repeat(DEFAULT_LIMITS.maxDocumentChars)}`, 'QUERY_TOO_COMPLEX'],
      [`{ ${'__typename '.repeat(999)}}`, 'QUERY_TOO_COMPLEX'],
      [
        `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: leader(slug: "xi-jinping") { name }`).join(' ')} }`,
        'QUERY_TOO_COMPLEX',
      ],
      // The cost: Pothos refuses it as the root field resolves, after validation.
      [
        pages('memberships(first: 100) { edges { node { organization { name } } } }'),
        'QUERY_TOO_COMPLEX',
      ],
      ['{ leaders(first: 101) { totalCount } }', 'BAD_USER_INPUT'],
      // graphql-js gives a variable error no code.
      [
        'query Need($slug: String!) { leader(slug: $slug) { name } }',
        'Variable "$slug" of required type "String!" was not provided.',
        {},
      ],
    ];
    for (const [query, code, variables] of refused) {
      const hash = operationHash(query);
      const sent = await post(yoga, { query, variables, extensions: persisted(hash) });
      const [error] = sent.body.errors;
      expect(error.extensions?.code ?? error.message, query.slice(0, 60)).toBe(code);
      expect(await byHash(yoga, query)).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
    // An operation that runs is kept, even when a resolver reports an error about its data.
    const input = { id: 'U3VtbWl0OjE=', expectedVersion: 1, patch: { description: 'x' } };
    const ran = await post(yoga, {
      query: TOUCH,
      variables: { input },
      extensions: persisted(operationHash(TOUCH)),
    });
    expect(ran.body.errors[0]).toMatchObject({
      path: ['updateSummit'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(store.size).toBe(1);
  });

  it('does not grow when an anonymous client sends many large distinct queries that are refused', async () => {
    const store = createApqStore();
    const yoga = appWith(store);
    for (let i = 0; i < 40; i += 1) {
      // Alternately ~1 MB (over the document length) and ~60 KB (over the token limit).
      const query =
        i % 2 === 0
          ? `query Big${i} { __typename }\n#${'x'.repeat(1_000_000)}`
          : `query Many${i} { ${'__typename '.repeat(5_400)}}`;
      const body = await register(yoga, query);
      expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    }
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('keeps texts up to its byte bound, evicting the least recently used past it', async () => {
    const store = createApqStore({ bytes: 10_000 });
    const yoga = appWith(store);
    // 9,975 bytes, one of them padded with two-byte characters: all kept.
    const [q0, q1, q2, q3] = [
      sized('0', 2_500),
      sized('1', 2_500, 'é'),
      sized('2', 2_500),
      sized('3', 2_475),
    ] as const;
    for (const query of [q0, q1, q2, q3]) {
      expect((await register(yoga, query)).errors).toBeUndefined();
    }
    expect(store.bytes).toBe(9_975);
    // 25 bytes more reach the bound exactly: still all kept.
    const q4 = sized('4', 25);
    await register(yoga, q4);
    expect(store.bytes).toBe(10_000);
    for (const query of [q0, q1, q2, q3, q4]) {
      expect(await byHash(yoga, query)).toEqual({ __typename: 'Query' });
    }
    // Q0 used again, so Q1 is the least recently used; 26 bytes would go 26 over: Q1 goes.
    expect(await byHash(yoga, q0)).toEqual({ __typename: 'Query' });
    const q5 = sized('5', 26);
    expect((await register(yoga, q5)).errors).toBeUndefined();
    expect(store.size).toBe(5);
    expect(store.bytes).toBe(7_526);
    expect(await byHash(yoga, q1)).toBe('PERSISTED_QUERY_NOT_FOUND');
    for (const query of [q0, q2, q3, q4, q5]) {
      expect(await byHash(yoga, query)).toEqual({ __typename: 'Query' });
    }
  });

  it('never keeps a text larger than its byte bound, and evicts nothing for it', async () => {
    const store = createApqStore({ bytes: 10_000 });
    const yoga = appWith(store);
    const small = sized('Small', 100);
    await register(yoga, small);
    // 5,001 characters but 10,002 bytes: the bound counts UTF-8 bytes.
    const over = sized('Over', 10_002, 'é');
    expect((await register(yoga, over)).data).toEqual({ __typename: 'Query' });
    expect(await byHash(yoga, over)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await byHash(yoga, small)).toEqual({ __typename: 'Query' });
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(100);
  });

  it('keeps up to its entry bound, evicting the least recently used past it', async () => {
    const store = createApqStore({ entries: 3 });
    const yoga = appWith(store);
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((name) => `query ${name} { __typename }`) as [
      string,
      string,
      string,
      string,
    ];
    for (const query of [a, b, c]) await register(yoga, query);
    expect(store.size).toBe(3);
    for (const query of [a, b, c]) {
      expect(await byHash(yoga, query)).toEqual({ __typename: 'Query' });
    }
    // A used again, so B is the least recently used when a fourth arrives.
    await byHash(yoga, a);
    await register(yoga, d);
    expect(store.size).toBe(3);
    expect(await byHash(yoga, b)).toBe('PERSISTED_QUERY_NOT_FOUND');
    for (const query of [a, c, d]) {
      expect(await byHash(yoga, query)).toEqual({ __typename: 'Query' });
    }
  });

  it('forgets a query not used for ttlMs (36 s by default), just after and not just before', async () => {
    let clock = 0;
    const store = createApqStore({ ttlMs: 36_000 }, () => clock);
    const yoga = appWith(store);
    const query = 'query Kept { __typename }';
    await register(yoga, query);
    clock = 36_000; // just within: a use keeps it another 36 s
    expect(await byHash(yoga, query)).toEqual({ __typename: 'Query' });
    clock = 72_001; // just past 36 s since that use
    expect(await byHash(yoga, query)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('judges each operation of a batch on its own', async () => {
    const store = createApqStore();
    const yoga = testApp({ operations: { batchingLimit: 2, apqStore: store } }).yoga;
    const broken = 'query Broken { nope }';
    const result = await post(
      yoga,
      [LEADERS, broken].map((query) => ({ query, extensions: persisted(operationHash(query)) })),
    );
    expect(result.body[0].data.leaders.totalCount).toBeGreaterThan(0);
    expect(result.body[1].errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(store.size).toBe(1);
    expect(await byHash(yoga, LEADERS)).toEqual(result.body[0].data);
    expect(await byHash(yoga, broken)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('keeps a subscription over SSE once it has started, and not one refused by its cost', async () => {
    const store = createApqStore();
    const yoga = appWith(store);
    const subscribe = (query: string) =>
      yoga.fetch('http://storygraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, extensions: persisted(operationHash(query)) }),
      });
    // As in limits.test.ts: three nested pages of 100 under each event.
    const wide = `subscription Wide { storyEvents { node { ... on Leader {
      memberships(first: 100) { edges { node { organization { memberships(first: 100) { edges { node {
        leader { participations(first: 100) { edges { node { summit { name } } } } } } } } } } } }
    } } } }`;
    const refusal = await (await subscribe(wide)).text(); // one error event, then the end
    expect(refusal).toContain('QUERY_TOO_COMPLEX');
    expect(store.size).toBe(0);
    // The response starts once the subscription has: by then it is kept.
    const live = await subscribe(EVENTS);
    expect(live.status).toBe(200);
    expect(store.size).toBe(1);
    expect(store.get(operationHash(EVENTS))).toBe(EVENTS);
    const reader = (live.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first ping: the stream has started
    await reader.cancel();
  });
});

describe('trusted documents (PERSISTED_ONLY)', () => {
  const operations = () => ({
    persistedOnly: true,
    manifestPath: manifestOf(
      SUMMIT,
      EVENTS,
      TOUCH,
      'query Version { summit(slug: "sco-summit-samarkand-2022") { id version } }',
    ),
  });

  it('runs a manifest operation by its hash, or by its exact text', async () => {
    const { yoga } = testApp({ operations: operations() });
    const byHash = await post(yoga, { extensions: persisted(operationHash(SUMMIT)) });
    expect(byHash.body.data.summit.name).toBe('SCO Summit 2022');
    const byText = await post(yoga, { query: SUMMIT });
    expect(byText.body).toEqual(byHash.body);
  });

  it('refuses an unknown hash (PERSISTED_QUERY_NOT_FOUND) and any other text (PERSISTED_QUERY_ONLY)', async () => {
    const { yoga } = testApp({ operations: operations() });
    const unknown = await post(yoga, { extensions: persisted(operationHash(LEADERS)) });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.body.data).toBeUndefined();
    // An APQ client's retry with the text does not register it in this mode.
    const retry = await post(yoga, {
      query: LEADERS,
      extensions: persisted(operationHash(LEADERS)),
    });
    expect(retry.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    expect(retry.body.data).toBeUndefined();
    const again = await post(yoga, { extensions: persisted(operationHash(LEADERS)) });
    expect(again.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // One character more is another document.
    const edited = await post(yoga, { query: `${SUMMIT} ` });
    expect(edited.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
  });

  it('applies to graphql-ws too: a manifest subscription runs, any other document is refused', async () => {
    const app = await startApp({ operations: operations() });
    const client = wsClient(app.url);
    const other = collect(client, 'subscription Other { storyEvents { sequence } }');
    await other.ended(20_000);
    expect(JSON.stringify(other.errors)).toContain('PERSISTED_QUERY_ONLY');
    const known = collect(client, EVENTS);
    // An edit, sent as manifest operations too, shows up on the known subscription.
    const current = await post(app.yoga, {
      query: 'query Version { summit(slug: "sco-summit-samarkand-2022") { id version } }',
    });
    const { id, version } = current.body.data.summit;
    const editor = await tokenFor('editor');
    await expect
      .poll(async () => {
        const response = await app.yoga.fetch('http://storygraph.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${editor}` },
          body: JSON.stringify({
            query: TOUCH,
            variables: {
              input: { id, expectedVersion: version, patch: { description: 'persisted' } },
            },
          }),
        });
        return ((await response.json()) as any).data?.updateSummit.summit.version;
      })
      .toBe(version + 1);
    const [event] = await known.waitFor(1, 20_000);
    expect(event.sequence).toBeGreaterThan(0);
    expect(known.errors).toEqual([]);
    known.unsubscribe();
  }, 60_000);

  it('applies to Server-Sent Events too: a document outside the manifest is refused', async () => {
    const { yoga } = testApp({ operations: operations() });
    const response = await yoga.fetch('http://storygraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription Other { storyEvents { sequence } }' }),
    });
    // The refusal ends the stream, so reading it to the end terminates.
    const text = await response.text();
    expect(text).toContain('PERSISTED_QUERY_ONLY');
    expect(text).not.toContain('"sequence"');
  });

  it('refuses to start with a manifest entry whose key is not its hash', () => {
    const path = manifestOf(SUMMIT);
    writeFileSync(path, JSON.stringify({ [operationHash(LEADERS)]: SUMMIT }));
    expect(() => readManifest(path)).toThrow(/is not the sha256/);
  });
});

describe('batched requests (BATCHING_LIMIT)', () => {
  const batch = (size: number) => Array.from({ length: size }, () => ({ query: LEADERS }));

  it('are refused by default', async () => {
    const { yoga } = testApp();
    const result = await post(yoga, batch(2));
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(result.body)).not.toContain('totalCount');
  });

  it('run up to the limit, each answered in order', async () => {
    const { yoga } = testApp({ operations: { batchingLimit: 3 } });
    const result = await post(yoga, [
      { query: LEADERS },
      { query: SUMMIT },
      { query: 'query Broken { nope }' },
    ]);
    expect(result.status).toBe(200);
    expect(result.body).toHaveLength(3);
    expect(result.body[0].data.leaders.totalCount).toBeGreaterThan(0);
    expect(result.body[1].data.summit.name).toBe('SCO Summit 2022');
    expect(result.body[2].errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuse one operation over the limit as a whole, running none', async () => {
    const { yoga } = testApp({ operations: { batchingLimit: 3 } });
    const result = await post(yoga, batch(4));
    expect(result.status).toBe(413);
    expect(JSON.stringify(result.body)).toContain('Batching is limited to 3 operations');
    expect(JSON.stringify(result.body)).not.toContain('totalCount');
  });
});
