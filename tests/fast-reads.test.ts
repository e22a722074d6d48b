// The fast path answers a planned query ahead of Yoga's pipeline exactly as the pipeline would:
// the same status, headers and body, the same log line, the same metrics; and everything it must
// not answer (CORS, other media types, bad tokens, bad variables, a cost over the limit, APQ,
// unseen documents) still gets the pipeline's own answer. Real sockets, two servers side by side.
import { Writable } from 'node:stream';
import { parse } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FastDocuments } from '../src/fast-reads.ts';
import { DEFAULT_LIMITS } from '../src/plugins/limits.ts';
import { startApp, tokenFor, waitUntil } from './helpers/app.ts';

/** A logger that keeps each line, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

const fastLog = capture();
const slowLog = capture();
// The cache is off on both: these tests are about plans answered ahead of the pipeline
// (tests/response-cache.test.ts is about answers repeated from memory).
const fast = await startApp({ logger: fastLog.logger, responseCache: false });
const slow = await startApp({ fastReads: false, logger: slowLog.logger, responseCache: false });

const QUERY = '{ leader(slug: "xi-jinping") { name title } }';
const WITH_VARIABLES = `query Page($first: Int!) {
  leaders(first: $first, orderBy: { field: NAME }) { edges { node { slug memberships(first: 2) { edges { node { organization { acronym } } } } } } }
}`;

interface Sent {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

async function send(
  app: { url: string },
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Sent> {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const picked: Record<string, string | null> = {};
  for (const name of [
    'content-type',
    'access-control-allow-origin',
    'www-authenticate',
    'x-request-id',
    'x-served-by',
  ])
    picked[name] = response.headers.get(name);
  return { status: response.status, headers: picked, body: await response.text() };
}

async function fastCount(): Promise<number> {
  const text = await (await fetch(fast.url.replace('/graphql', '/metrics'))).text();
  return Number(/^storygraph_fast_reads_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/** The same request to both servers, twice (the first run teaches the fast path the document). */
async function sideBySide(body: unknown, headers: Record<string, string> = {}) {
  // Both answers carry their server's `storyCursor`: compare once both feeds have read the same
  // log (an edit through one server reaches the other's feed at its next poll).
  await waitUntil(() => fast.feed.head === slow.feed.head, 5000, 'both feeds at one head');
  const id = { 'x-request-id': `side-by-side-${Math.random()}` };
  await send(fast, body, { ...headers, ...id });
  const before = await fastCount();
  const answered = await send(fast, body, { ...headers, ...id });
  const took = (await fastCount()) - before;
  const expected = await send(slow, body, { ...headers, ...id });
  return { answered, expected, took };
}

describe('the fast path', () => {
  it('answers a planned query it has seen, with the bytes, status and headers of the pipeline', async () => {
    const { answered, expected, took } = await sideBySide({ query: QUERY });
    expect(took).toBe(1);
    expect(answered).toEqual(expected);
    expect(answered.status).toBe(200);
    expect(answered.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answered.headers['x-request-id']).toMatch(/^side-by-side-/);
  });

  it('answers with variables, an operation name, a token, and a JSON Accept', async () => {
    const token = await tokenFor('editor');
    for (const [body, headers] of [
      [{ query: WITH_VARIABLES, variables: { first: 3 } }, {}],
      [{ query: WITH_VARIABLES, variables: { first: 5 }, operationName: 'Page' }, {}],
      [{ query: QUERY }, { authorization: `Bearer ${token}` }],
      [{ query: QUERY }, { accept: 'application/json' }],
    ] as const) {
      const { answered, expected, took } = await sideBySide(body, headers);
      expect(took).toBe(1);
      expect(answered).toEqual(expected);
    }
  });

  it('reads the data of the moment: an edit shows in the next fast answer', async () => {
    await sideBySide({ query: '{ leader(slug: "vladimir-putin") { title version } }' });
    const before = JSON.parse(
      (await send(fast, { query: '{ leader(slug: "vladimir-putin") { id version } }' })).body,
    );
    const { id, version } = before.data.leader;
    const editor = await tokenFor('editor');
    const edit = await send(
      fast,
      {
        query:
          'mutation ($input: UpdateLeaderInput!) { updateLeader(input: $input) { leader { version } } }',
        variables: {
          input: {
            id,
            expectedVersion: version,
            patch: { title: 'President of Russia (fast path)' },
          },
        },
      },
      { authorization: `Bearer ${editor}` },
    );
    expect(edit.status).toBe(200);
    const { answered, took } = await sideBySide({
      query: '{ leader(slug: "vladimir-putin") { title version } }',
    });
    expect(took).toBe(1);
    expect(JSON.parse(answered.body).data.leader).toEqual({
      title: 'President of Russia (fast path)',
      version: version + 1,
    });
  });

  it.each([
    ['a browser request (CORS)', { query: QUERY }, { origin: 'https://reader.example' }],
    ['another media type', { query: QUERY }, { accept: 'application/graphql-response+json' }],
    ['a bad token', { query: QUERY }, { authorization: 'Bearer not-a-token' }],
    ['a NUL in a variable', { query: QUERY, variables: { x: 'a\u0000b' } }, {}],
    ['a wrong operation name', { query: QUERY, operationName: 'Other' }, {}],
    [
      'persisted-query extensions',
      { query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } },
      {},
    ],
    ['a batch', [{ query: QUERY }], {}],
    ['a body that is not JSON', '{"query": ', {}],
    ['a page over the limit', { query: WITH_VARIABLES, variables: { first: 101 } }, {}],
    ['a mutation', { query: 'mutation { __typename }' }, {}],
    [
      'a body over MAX_REQUEST_BYTES',
      { query: QUERY, variables: { pad: 'x'.repeat(DEFAULT_LIMITS.maxRequestBytes) } },
      {},
    ],
  ] as const)(
    'leaves %s to the pipeline, which answers as it always did',
    async (_, body, headers) => {
      // The document is known to the fast path (QUERY and WITH_VARIABLES were answered above).
      const { answered, expected, took } = await sideBySide(body, headers);
      expect(took).toBe(0);
      expect(answered).toEqual(expected);
    },
  );

  it('leaves a cost over the limit, reached through variables, to the pipeline', async () => {
    const nested = `query ($n: Int) { leaders(first: 100) { edges { node { memberships(first: 100) { edges { node { organization {
      memberships(first: $n) { edges { node { leader { name } } } } } } } } } } } }`;
    const under = await sideBySide({ query: nested, variables: { n: 1 } });
    expect(under.took).toBe(1);
    const over = await sideBySide({ query: nested, variables: { n: 100 } });
    expect(over.took).toBe(0);
    expect(over.answered).toEqual(over.expected);
    expect(JSON.parse(over.answered.body).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('names the operation of a document whose fragments come first', async () => {
    const query = `fragment who on Leader { name title }
      query Who { leader(slug: "xi-jinping") { ...who } }`;
    for (const operationName of [undefined, 'Who']) {
      const { answered, expected, took } = await sideBySide({ query, operationName });
      expect(took).toBe(1);
      expect(answered).toEqual(expected);
      const line = fastLog.lines.filter((entry) => entry.msg === 'operation').at(-1);
      expect(line).toMatchObject({ operation: 'Who', type: 'query' });
    }
  });

  it('writes the log line the pipeline writes', async () => {
    const { took } = await sideBySide({ query: WITH_VARIABLES, variables: { first: 2 } });
    expect(took).toBe(1);
    const last = (lines: Record<string, unknown>[]) => {
      const { time, pid, hostname, durationMs, ...rest } = lines
        .filter((line) => line.msg === 'operation')
        .at(-1) as Record<string, unknown>;
      expect(durationMs).toEqual(expect.any(Number));
      return rest;
    };
    expect(last(fastLog.lines)).toEqual(last(slowLog.lines));
    expect(last(fastLog.lines)).toMatchObject({ operation: 'Page', type: 'query', outcome: 'ok' });
  });

  it('counts what it answers in the request metrics the pipeline feeds', async () => {
    const count = async () => {
      const text = await (await fetch(fast.url.replace('/graphql', '/metrics'))).text();
      return Number(/^graphql_envelop_request\{operationType="query"\} (\d+)/m.exec(text)?.[1]);
    };
    await send(fast, { query: QUERY });
    const before = await count();
    const fastBefore = await fastCount();
    await send(fast, { query: QUERY });
    await send(fast, { query: QUERY });
    expect((await fastCount()) - fastBefore).toBe(2);
    expect((await count()) - before).toBe(2);
  });

  it('keeps at most 256 query texts, dropping the oldest first', () => {
    const documents = new FastDocuments();
    const doc = (i: number) => parse(`{ leader(slug: "s${i}") { name } }`);
    for (let i = 0; i < 256; i += 1) documents.add(doc(i));
    expect(documents.get('{ leader(slug: "s0") { name } }')).toBeDefined();
    documents.add(doc(256));
    expect(documents.get('{ leader(slug: "s0") { name } }')).toBeUndefined();
    expect(documents.get('{ leader(slug: "s1") { name } }')).toBeDefined();
    expect(documents.get('{ leader(slug: "s256") { name } }')).toBeDefined();
  });
});
