import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventCursor } from '../src/live/events.ts';
import { idOf } from '../src/story/global-id.ts';
import { startApp, TEST_SECRET, tokenFor, waitForSubscribers, waitUntil } from './helpers/app.ts';
import { collect, sseClient, wsClient } from './helpers/clients.ts';
import { editSummit, execute, idsBySlug } from './helpers/graphql.ts';

const app = await startApp();
let editor: string;
const ids = {} as Record<'sco' | 'eef' | 'putin' | 'li' | 'article', string>;

beforeAll(async () => {
  editor = await tokenFor('editor');
  Object.assign(
    ids,
    await idsBySlug(app.yoga, {
      sco: ['summit', 'sco-summit-samarkand-2022'],
      eef: ['summit', 'eastern-economic-forum-2022'],
      putin: ['leader', 'vladimir-putin'],
      li: ['leader', 'li-zhanshu'],
      article: ['article', 'xi-and-putin-to-meet-at-sco-summit'],
    }),
  );
});

const FEED = `subscription ($after: String, $filter: StoryEventFilter) {
  storyEvents(after: $after, filter: $filter) { cursor sequence kind entity entityId entityVersion changes { field before after } occurredAt }
}`;

const touchSummit = (id: string, description: string, token = editor) =>
  editSummit(app.yoga, id, description, token);

const headSequence = async () => {
  const result = await execute(
    app.yoga,
    '{ storyEvents(last: 1) { edges { node { sequence } } } }',
  );
  return (result.data.storyEvents.edges[0]?.node.sequence ?? 0) as number;
};

describe('subscriptions over real sockets', () => {
  // Each test starts with no live subscription, so it can wait for exactly its own.
  afterEach(() => waitUntil(() => app.feed.subscribers === 0, 10_000, 'every subscription to end'));

  it('delivers a mutation to graphql-ws and to SSE, with the selection asked', async () => {
    const filter = { entityIds: [ids.eef] };
    const ws = collect(wsClient(app.url), FEED, { filter });
    const sseDistinct = collect(sseClient(app.url), FEED, { filter });
    const summit = collect(
      wsClient(app.url),
      'subscription ($id: ID!) { summitUpdated(id: $id) { id description version participants { totalCount } } }',
      { id: ids.eef },
    );
    await waitForSubscribers(app, 3);
    const version = await touchSummit(ids.eef, 'Closing day of the forum.');
    for (const collector of [ws, sseDistinct]) {
      const [event] = await collector.waitFor(1);
      expect(event).toMatchObject({
        kind: 'UPDATED',
        entity: 'Summit',
        entityId: ids.eef,
        entityVersion: version,
        changes: [{ field: 'description', after: 'Closing day of the forum.' }],
      });
      expect(Object.keys(event).sort()).toEqual([
        'changes',
        'cursor',
        'entity',
        'entityId',
        'entityVersion',
        'kind',
        'occurredAt',
        'sequence',
      ]);
    }
    const [updated] = await summit.waitFor(1);
    expect(updated).toEqual({
      id: ids.eef,
      description: 'Closing day of the forum.',
      version,
      participants: { totalCount: 2 },
    });
    for (const collector of [ws, sseDistinct, summit]) {
      expect(collector.items).toHaveLength(1);
      expect(collector.errors).toEqual([]);
      collector.unsubscribe();
    }
  });

  it('replays events missed while disconnected, in order, once each, then goes live', async () => {
    const filter = { entityIds: [ids.sco] };
    const first = collect(wsClient(app.url), FEED, { filter });
    await waitForSubscribers(app, 1);
    await touchSummit(ids.sco, 'before the disconnect');
    const [seen] = await first.waitFor(1);
    first.unsubscribe();

    const missed: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      await touchSummit(ids.sco, `missed change ${i}`);
      missed.push(await headSequence());
    }

    const resumed = collect(wsClient(app.url), FEED, { filter, after: seen.cursor });
    const replayed = await resumed.waitFor(20);
    expect(replayed.map((event) => event.sequence)).toEqual(missed);
    expect(replayed.map((event) => event.changes[0].after)).toEqual(
      missed.map((_, i) => `missed change ${i}`),
    );

    await touchSummit(ids.sco, 'live again');
    const all = await resumed.waitFor(21);
    expect(all).toHaveLength(21);
    expect(all[20].changes[0].after).toBe('live again');
    expect(all[20].sequence).toBeGreaterThan(missed[19] as number);
    // A sentinel change: if anything had been sent twice, it would arrive before the sentinel.
    await touchSummit(ids.sco, 'sentinel');
    const withSentinel = await resumed.waitFor(22);
    expect(withSentinel[21].changes[0].after).toBe('sentinel');
    expect(resumed.items).toHaveLength(22);
    resumed.unsubscribe();
  });

  it('gives 50 concurrent updates from several clients to every subscriber once, in sequence order', async () => {
    const start = await headSequence();
    const subscribers = [
      collect(wsClient(app.url), FEED, { after: encodeEventCursor(start) }),
      collect(wsClient(app.url), FEED, { after: encodeEventCursor(start) }),
      collect(sseClient(app.url), FEED, { after: encodeEventCursor(start) }),
    ];
    const tokens = await Promise.all([tokenFor('editor'), tokenFor('editor'), tokenFor('admin')]);
    const targets = [ids.sco, ids.eef];
    // Five clients, ten updates each, all at once; each retries on CONFLICT, as a real editor would.
    await Promise.all(
      Array.from({ length: 5 }, async (_, client) => {
        for (let i = 0; i < 10; i += 1) {
          const id = targets[(client + i) % 2] as string;
          await touchSummit(id, `client ${client} change ${i}`, tokens[client % tokens.length]);
        }
      }),
    );
    const expected = Array.from({ length: 50 }, (_, i) => start + 1 + i);
    for (const subscriber of subscribers) {
      const events = await subscriber.waitFor(50, 20_000);
      expect(events.map((event) => event.sequence)).toEqual(expected);
    }
    // A sentinel change: a duplicate or a straggler would arrive before it.
    await touchSummit(ids.sco, 'sentinel');
    const sentinel = await headSequence();
    for (const subscriber of subscribers) {
      const events = await subscriber.waitFor(51);
      expect(events[50].sequence).toBe(sentinel);
      expect(subscriber.items).toHaveLength(51);
      expect(subscriber.errors).toEqual([]);
      subscriber.unsubscribe();
    }
  });

  it('writes live SSE events straight to the stream, and keeps a stream that replayed on its iterator', async () => {
    const filter = { entityIds: [ids.eef] };
    const before = app.feed.framesWritten;
    const live = collect(sseClient(app.url), FEED, { filter });
    await waitForSubscribers(app, 1);
    await touchSummit(ids.eef, 'written by the group');
    const [first] = await live.waitFor(1);
    expect(app.feed.framesWritten).toBe(before + 1);

    // Resumed from just before that event: the replay carries it through Yoga's response, so
    // the frames of later events must not overtake it; this stream stays on its iterator.
    const resumed = collect(sseClient(app.url), FEED, {
      filter,
      after: encodeEventCursor(first.sequence - 1),
    });
    const [replayed] = await resumed.waitFor(1);
    expect(replayed.sequence).toBe(first.sequence);
    await touchSummit(ids.eef, 'one more');
    const [, second] = await live.waitFor(2);
    expect((await resumed.waitFor(2)).map((event) => event.sequence)).toEqual([
      first.sequence,
      second.sequence,
    ]);
    expect(app.feed.framesWritten).toBe(before + 2);
    for (const collector of [live, resumed]) {
      expect(collector.items.map((event) => event.changes[0].after)).toEqual([
        'written by the group',
        'one more',
      ]);
      expect(collector.errors).toEqual([]);
      collector.unsubscribe();
    }
  });

  it('tells a leader follower about an article that mentions them', async () => {
    const putin = collect(wsClient(app.url), FEED, { filter: { mentioning: ids.putin } });
    const li = collect(wsClient(app.url), FEED, {
      filter: { mentioning: ids.li, types: ['SUMMIT'] },
    });
    await waitForSubscribers(app, 2);
    const current = await execute(
      app.yoga,
      '{ article(slug: "xi-and-putin-to-meet-at-sco-summit") { version } }',
    );
    await execute(
      app.yoga,
      'mutation ($input: UpdateArticleInput!) { updateArticle(input: $input) { article { version } } }',
      {
        input: {
          id: ids.article,
          expectedVersion: current.data.article.version,
          patch: { url: 'https://example.org/xi-putin' },
        },
      },
      editor,
    );
    const [event] = await putin.waitFor(1);
    expect(event).toMatchObject({
      entity: 'Article',
      entityId: ids.article,
      changes: [{ field: 'url', before: null }],
    });
    // Li is mentioned too, but his filter asks only for summits: the article change is skipped,
    // and the first thing he hears is a change to a summit he attended.
    await touchSummit(ids.eef, 'a change Li hears of');
    const [heard] = await li.waitFor(1);
    expect(heard).toMatchObject({ entity: 'Summit', entityId: ids.eef });
    expect(li.items).toHaveLength(1);
    putin.unsubscribe();
    li.unsubscribe();
  });
});

describe('tokens on graphql-ws', () => {
  const closeCode = (params: Record<string, unknown>) =>
    new Promise<number>((resolve) => {
      const client = wsClient(app.url, params);
      client.on('closed', (event) => resolve((event as { code: number }).code));
    });

  it('closes the socket with 4401 for an expired or invalid token in connection_init', async () => {
    const expired = await tokenFor('editor', { expiresIn: Math.floor(Date.now() / 1000) - 5 });
    expect(await closeCode({ authorization: `Bearer ${expired}` })).toBe(4401);
    expect(await closeCode({ token: 'garbage' })).toBe(4401);
  });

  it('runs mutations over the socket as the token role, and refuses a reader', async () => {
    const reader = await tokenFor('reader');
    const mutation =
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }';
    const current = await execute(
      app.yoga,
      'query ($id: ID!) { node(id: $id) { ... on Summit { version } } }',
      { id: ids.eef },
    );
    const input = {
      input: {
        id: ids.eef,
        expectedVersion: current.data.node.version,
        patch: { description: 'over ws' },
      },
    };
    const asReader = collect(
      wsClient(app.url, { authorization: `Bearer ${reader}` }),
      mutation,
      input,
    );
    await asReader.ended();
    expect((asReader.errors[0] as any).extensions.code).toBe('FORBIDDEN');
    const asEditor = collect(
      wsClient(app.url, { authorization: `Bearer ${editor}` }),
      mutation,
      input,
    );
    await asEditor.ended();
    expect(asEditor.items[0]).toEqual({ summit: { version: current.data.node.version + 1 } });
  });

  it('closes with 4401 without a token when anonymous reads are off', async () => {
    const closed = await startApp({ auth: { secret: TEST_SECRET, anonymousReads: false } });
    const code = await new Promise<number>((resolve) => {
      wsClient(closed.url).on('closed', (event) => resolve((event as { code: number }).code));
    });
    expect(code).toBe(4401);
    const reader = await tokenFor('reader');
    const withToken = collect(
      wsClient(closed.url, { authorization: `Bearer ${reader}` }),
      '{ leader(slug: "xi-jinping") { name } }',
    );
    await withToken.ended();
    expect(withToken.items).toEqual([{ name: 'Xi Jinping' }]);
  });

  it('closes with 4401 when the token expires while connected', async () => {
    const shortLived = await tokenFor('reader', { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const started = Date.now();
    const code = await closeCode({ authorization: `Bearer ${shortLived}` });
    expect(code).toBe(4401);
    expect(Date.now() - started).toBeGreaterThan(500);
  });
});

describe('a slow consumer', () => {
  it('is ended with SLOW_CONSUMER and the cursor to resume from, without growing a buffer', async () => {
    const small = await startApp({ bufferCap: 5 });
    const head = await headSequence();
    const iterator = small.feed.subscribe({
      filter: { entities: [{ type: 'Summit', id: idOf('Summit', ids.sco) }] },
    });
    const first = iterator.next();
    await touchSummit(ids.sco, 'slow 0');
    const delivered = (await first).value;
    expect(delivered.sequence).toBe(head + 1);
    // The client stops reading while eight more changes commit.
    for (let i = 1; i <= 8; i += 1) await touchSummit(ids.sco, `slow ${i}`);
    small.feed.wake();
    await waitUntil(() => small.feed.overflowed === 1, 10_000, 'the subscription to overflow');
    const error = await iterator.next().then(
      () => undefined,
      (failure) => failure,
    );
    expect(error?.extensions).toEqual({
      code: 'SLOW_CONSUMER',
      resumeAfter: encodeEventCursor(head + 1),
    });
    expect(small.feed.overflowed).toBe(1);
    expect(small.feed.subscribers).toBe(0);
  });
});
