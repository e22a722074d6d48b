// The response cache (src/live/response-cache.ts): a repeated query is answered from memory, in
// front of Yoga, with the pipeline's own bytes, status and headers; answers are dropped as the
// feed reads committed events that can change them (on every instance, whoever wrote); what is
// never kept (mutations, errors) and whose answer is whose (the role, never the token); the
// size bound; the switch. Real sockets and PostgreSQL; two apps on one database stand in for
// two replicas whose feeds do not wake each other.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { StoryEvent } from '../src/generated/prisma/client.ts';
import { encodeEventCursor } from '../src/live/events.ts';
import { answerTags, ResponseCache } from '../src/live/response-cache.ts';
import { schema } from '../src/schema/index.ts';
import { encodeGlobalId } from '../src/story/global-id.ts';
import { startApp, tokenFor, waitUntil } from './helpers/app.ts';

const SLOW_POLL = 60_000;
const cached = await startApp({ pollMs: SLOW_POLL });
const other = await startApp({ pollMs: SLOW_POLL });
const uncached = await startApp({ pollMs: SLOW_POLL, responseCache: false, fastReads: false });

const SUMMIT = '{ summit(slug: "sco-summit-samarkand-2022") { id version description } }';

interface Sent {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

async function send(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Sent> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'cache-test', ...headers },
    body: JSON.stringify(body),
  });
  const picked: Record<string, string | null> = {};
  for (const name of ['content-type', 'access-control-allow-origin', 'x-request-id'])
    picked[name] = response.headers.get(name);
  return { status: response.status, headers: picked, body: await response.text() };
}

/** A counter of an app's /metrics. */
async function metric(app: { url: string }, name: string): Promise<number> {
  const text = await (await fetch(app.url.replace('/graphql', '/metrics'))).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** Edits the SCO summit's description through `app`; resolves with the mutation's storyCursor. */
async function edit(app: { url: string }, description: string): Promise<string> {
  const current = JSON.parse((await send(app.url, { query: SUMMIT })).body).data.summit;
  const result = JSON.parse(
    (
      await send(
        app.url,
        {
          query:
            'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
          variables: {
            input: { id: current.id, expectedVersion: current.version, patch: { description } },
          },
        },
        { authorization: `Bearer ${await tokenFor('editor')}` },
      )
    ).body,
  );
  expect(result.errors).toBeUndefined();
  return result.extensions.storyCursor;
}

/** All three apps have read the log to its end, so their answers carry the same cursor. */
async function settled(): Promise<void> {
  for (const app of [cached, other, uncached]) app.feed.wake();
  await waitUntil(
    () => cached.feed.head === uncached.feed.head && other.feed.head === uncached.feed.head,
    5000,
    'the three feeds at one head',
  );
}

describe('the response cache', () => {
  it("answers a repeat from memory with the pipeline's bytes, status and headers", async () => {
    await settled();
    const query = {
      query: '{ leaders(first: 3, orderBy: { field: NAME }) { edges { node { name } } } }',
    };
    const first = await send(cached.url, query);
    const hits = await metric(cached, 'storygraph_response_cache_hits_total');
    const repeat = await send(cached.url, query);
    expect(await metric(cached, 'storygraph_response_cache_hits_total')).toBe(hits + 1);
    const expected = await send(uncached.url, query);
    expect(repeat).toEqual(expected);
    expect(first).toEqual(expected);
    expect(JSON.parse(repeat.body).extensions.storyCursor).toBe(
      encodeEventCursor(cached.feed.head),
    );
  });

  it('drops an answer once its instance reads an event that can change it, whoever wrote it', async () => {
    await settled();
    const before = await send(cached.url, { query: SUMMIT });
    await send(cached.url, { query: SUMMIT });
    const unrelated = { query: '{ __typename }' };
    await send(cached.url, unrelated);

    // Written through another instance: the cached one has not read the event yet, so it still
    // answers what it has, with the older cursor it reflects.
    const cursor = await edit(other, 'cache: written elsewhere');
    const stale = await send(cached.url, { query: SUMMIT });
    expect(stale.body).toBe(before.body);

    // Sent back as storyAfter, the cursor makes the instance read the log first: the event
    // drops the summit's answer (and the repeat after it is fresh too).
    const invalidations = await metric(cached, 'storygraph_response_cache_invalidations_total');
    const fresh = JSON.parse(
      (await send(cached.url, { query: SUMMIT, extensions: { storyAfter: cursor } })).body,
    );
    expect(fresh.data.summit.description).toBe('cache: written elsewhere');
    expect(await metric(cached, 'storygraph_response_cache_invalidations_total')).toBeGreaterThan(
      invalidations,
    );
    const repeat = JSON.parse((await send(cached.url, { query: SUMMIT })).body);
    expect(repeat.data.summit.description).toBe('cache: written elsewhere');
    expect(repeat.extensions.storyCursor).toBe(encodeEventCursor(cached.feed.head));

    // An answer no event can change (it reaches no entity type) is still served from memory.
    const hits = await metric(cached, 'storygraph_response_cache_hits_total');
    await send(cached.url, unrelated);
    expect(await metric(cached, 'storygraph_response_cache_hits_total')).toBe(hits + 1);

    // The summit's answer names it by ID: an edit to another summit leaves it in memory.
    const eef = '{ summit(slug: "eastern-economic-forum-2022") { id version } }';
    const { id, version } = JSON.parse((await send(uncached.url, { query: eef })).body).data.summit;
    const editor = { authorization: `Bearer ${await tokenFor('editor')}` };
    const mutation =
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }';
    const patch = { description: 'cache: the other summit' };
    const elsewhere = JSON.parse(
      (
        await send(
          cached.url,
          { query: mutation, variables: { input: { id, expectedVersion: version, patch } } },
          editor,
        )
      ).body,
    );
    const edited = elsewhere.extensions.storyCursor as string;
    await waitUntil(
      () => encodeEventCursor(cached.feed.head) === edited,
      5000,
      'the cached instance to read the edit',
    );
    const kept = await send(cached.url, { query: SUMMIT });
    expect(await metric(cached, 'storygraph_response_cache_hits_total')).toBe(hits + 2);
    expect(JSON.parse(kept.body).data.summit.description).toBe('cache: written elsewhere');
  });

  it('keeps answers apart by role, and never keeps a mutation or an answer with an error', async () => {
    await settled();
    const editor = { authorization: `Bearer ${await tokenFor('editor')}` };
    const query = { query: '{ leader(slug: "xi-jinping") { name } }' };
    await send(cached.url, query);
    const hits = await metric(cached, 'storygraph_response_cache_hits_total');
    await send(cached.url, query, editor);
    expect(await metric(cached, 'storygraph_response_cache_hits_total')).toBe(hits);
    await send(cached.url, query, editor);
    expect(await metric(cached, 'storygraph_response_cache_hits_total')).toBe(hits + 1);

    const failing = { query: '{ leaders(first: 5000) { totalCount } }' };
    const errors = [await send(cached.url, failing), await send(cached.url, failing)];
    for (const answer of errors) expect(JSON.parse(answer.body).errors).toBeDefined();
    expect(await metric(cached, 'storygraph_response_cache_hits_total')).toBe(hits + 1);

    // The same mutation twice: the second is a CONFLICT, and neither comes from memory.
    const current = JSON.parse((await send(uncached.url, { query: SUMMIT })).body).data.summit;
    const mutation = {
      query:
        'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { description } } }',
      variables: {
        input: { id: current.id, expectedVersion: current.version, patch: { description: 'once' } },
      },
    };
    const misses = await metric(cached, 'storygraph_response_cache_misses_total');
    const once = JSON.parse((await send(cached.url, mutation, editor)).body);
    const twice = JSON.parse((await send(cached.url, mutation, editor)).body);
    // A text the cache holds nothing for is not even looked up.
    expect(await metric(cached, 'storygraph_response_cache_misses_total')).toBe(misses);
    expect(once.data.updateSummit.summit.description).toBe('once');
    expect(twice.errors[0].extensions.code).toBe('CONFLICT');
    expect(await metric(cached, 'storygraph_response_cache_hits_total')).toBe(hits + 1);
  });

  it('answers a read right after a write through the same instance with that write', async () => {
    await settled();
    await send(cached.url, { query: SUMMIT });
    for (let i = 0; i < 20; i += 1) {
      await edit(cached, `cache: own write ${i}`);
      // No storyAfter: the commit was announced to this instance, so memory waits for its feed.
      const read = JSON.parse((await send(cached.url, { query: SUMMIT })).body);
      expect(read.data.summit.description).toBe(`cache: own write ${i}`);
    }
  });

  it('is off with responseCache: false', async () => {
    const text = await (await fetch(uncached.url.replace('/graphql', '/metrics'))).text();
    expect(text).not.toMatch(/storygraph_response_cache_hits_total/);
  });
});

describe('ResponseCache', () => {
  const event = (entityType: string, related: string[] = [], entityId = 1) =>
    ({ entityType, entityId, relatedIds: related }) as unknown as StoryEvent;
  const answer = (tags: string[], body = '{}', text = 'q') => ({
    text,
    body,
    operation: 'q',
    tags,
  });

  it("drops what an event's type or related types reach, and keeps the rest", () => {
    const cache = new ResponseCache(1_000_000);
    cache.store('leader', answer(['Leader']), cache.generation);
    cache.store('article', answer(['Article']), cache.generation);
    cache.store('log', answer(['StoryEvent']), cache.generation);
    cache.store('nothing', answer([]), cache.generation);
    cache.apply([event('Summit', [encodeGlobalId('Leader', 1)])]);
    expect(
      ['leader', 'article', 'log', 'nothing'].map((key) => cache.lookup(key) !== undefined),
    ).toEqual([false, true, false, true]);
    expect(cache.invalidations).toBe(2);
    // A related ID it can not read: nothing is kept.
    cache.apply([event('Summit', ['not an id'])]);
    expect(cache.entries).toBe(0);
  });

  it('tags a lookup of single entities that names them by ID with their IDs, anything else by type', () => {
    const summit5 = encodeGlobalId('Summit', 5);
    const tags = (query: string, data: unknown) => answerTags(schema, parse(query), data);
    const byId = tags('{ summit(slug: "s") { id description } }', { summit: { id: summit5 } });
    expect(byId).toContain('Summit:5');
    expect(byId).not.toContain('Summit');
    expect(tags('{ summit(slug: "s") { description } }', { summit: {} })).toContain('Summit');
    expect(tags('{ summit(slug: "s") { id } }', { summit: null })).toContain('Summit');
    const nested = tags(
      '{ summit(slug: "s") { id participants { edges { node { leader { name } } } } } }',
      { summit: { id: summit5 } },
    );
    expect(nested).toEqual(expect.arrayContaining(['Summit', 'Leader']));
    expect(tags('{ summits(first: 1) { edges { node { id } } } }', {})).toContain('Summit');

    const cache = new ResponseCache(1_000_000);
    const keep = () => cache.store('s5', answer([...byId]), cache.generation);
    keep();
    cache.apply([event('Summit', [encodeGlobalId('Summit', 6)], 6)]);
    expect(cache.lookup('s5')).toBeDefined();
    cache.apply([event('Article', [summit5], 9)]);
    expect(cache.lookup('s5')).toBeUndefined();
    keep();
    cache.apply([event('Summit', [summit5], 5)]);
    expect(cache.lookup('s5')).toBeUndefined();
  });

  it('refuses an answer computed while an event was read', () => {
    const cache = new ResponseCache(1_000_000);
    const generation = cache.generation;
    cache.apply([event('Summit')]);
    expect(cache.store('late', answer(['Leader']), generation)).toBe(false);
    expect(cache.store('late', answer(['Leader']), cache.generation)).toBe(true);
  });

  it('holds at most its budget, dropping the least recently used first', () => {
    const body = 'x'.repeat(100);
    const cache = new ResponseCache(400);
    for (const key of ['a', 'b', 'c', 'd']) cache.store(key, answer([], body), cache.generation);
    expect(cache.bytes).toBe(400);
    cache.lookup('a');
    cache.store('e', answer([], body), cache.generation);
    expect(cache.bytes).toBe(400);
    expect(['a', 'b', 'c', 'd', 'e'].map((key) => cache.lookup(key) !== undefined)).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
    // One answer over a quarter of the budget is not kept at all.
    expect(cache.store('big', answer([], 'x'.repeat(101)), cache.generation)).toBe(false);
  });

  it('knows which query texts it holds answers for, as long as one is kept', () => {
    const cache = new ResponseCache(1_000_000);
    cache.store('a1', answer(['Leader'], '{}', 'a'), cache.generation);
    cache.store('a2', answer(['Summit'], '{}', 'a'), cache.generation);
    expect([cache.holds('a'), cache.holds('b')]).toEqual([true, false]);
    cache.apply([event('Leader')]);
    expect(cache.holds('a')).toBe(true);
    cache.apply([event('Summit')]);
    expect(cache.holds('a')).toBe(false);
  });
});
