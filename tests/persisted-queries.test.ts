import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operationHash, readManifest } from '../src/persisted-queries.ts';
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
