// `query … @live` (src/plugins/live-query.ts, src/live/live-queries.ts): over graphql-ws and SSE a
// live query is answered at once and again whenever a committed change alters its answer, each
// result with its `storyCursor`; a change it does not read sends nothing; identical live queries
// run once per change; throttle, the caps and the refusals hold, just under and just over.
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEventCursor } from '../src/live/events.ts';
import { startApp, tokenFor, waitUntil } from './helpers/app.ts';
import { collect, sseClient, wsClient } from './helpers/clients.ts';
import { editSummit, execute, idsBySlug } from './helpers/graphql.ts';

const app = await startApp({
  limits: { maxSubscriptionsPerSocket: 3, maxSseStreamsPerAddress: 2 },
});
let editor: string;
let sco: string;
let xi: string;

beforeAll(async () => {
  editor = await tokenFor('editor');
  ({ sco, xi } = await idsBySlug(app.yoga, {
    sco: ['summit', 'sco-summit-samarkand-2022'],
    xi: ['leader', 'xi-jinping'],
  }));
});

const SUMMIT = `query Summit($id: ID!) @live {
  node(id: $id) { ... on Summit { id version description } }
}`;

/** Sets the leader's description: a change the summit query does not read. */
async function editLeader(description: string): Promise<void> {
  for (;;) {
    const current = await execute(
      app.yoga,
      'query ($id: ID!) { node(id: $id) { ... on Leader { version } } }',
      { id: xi },
    );
    const result = await execute(
      app.yoga,
      'mutation ($input: UpdateLeaderInput!) { updateLeader(input: $input) { leader { version } } }',
      { input: { id: xi, expectedVersion: current.data.node.version, patch: { description } } },
      editor,
    );
    if (!result.errors) return;
    if (result.errors[0]?.extensions?.code !== 'CONFLICT')
      throw new Error(JSON.stringify(result.errors));
  }
}

const sequenceOf = (result: any) => decodeEventCursor(result.extensions.storyCursor);

describe.each([
  ['graphql-ws', () => wsClient(app.url)],
  ['SSE', () => sseClient(app.url)],
])('@live over %s', (_name, client) => {
  it('answers at once, again after each change it reads, and not after one it does not', async () => {
    const live = collect(client(), SUMMIT, { id: sco });
    const [first] = await live.waitFor(1);
    expect(first.id).toBe(sco);
    const firstCursor = sequenceOf(live.results[0]);

    const version = await editSummit(app.yoga, sco, `live ${_name} one`, editor);
    await live.waitFor(2);
    expect(live.items[1]).toMatchObject({ version, description: `live ${_name} one` });
    expect(sequenceOf(live.results[1])).toBeGreaterThan(firstCursor);

    // The leader is not in this answer: its change sends nothing. The next summit edit is then
    // the third result, with nothing in between.
    await editLeader(`unrelated ${_name}`);
    const second = await editSummit(app.yoga, sco, `live ${_name} two`, editor);
    await live.waitFor(3);
    expect(live.items.map((item: any) => item.description)).toEqual([
      first.description,
      `live ${_name} one`,
      `live ${_name} two`,
    ]);
    expect(live.items[2].version).toBe(second);
    expect(live.errors).toEqual([]);
    live.unsubscribe();
    await waitUntil(() => app.live.members === 0, 5_000, 'the live query to end');
  });
});

describe('@live', () => {
  it('runs identical live queries once per change, and sends each the same result', async () => {
    const clients = Array.from({ length: 6 }, () =>
      collect(wsClient(app.url), SUMMIT, { id: sco }),
    );
    await Promise.all(clients.map((live) => live.waitFor(1)));
    const runs = app.live.runs;
    await editSummit(app.yoga, sco, 'shared run', editor);
    await Promise.all(clients.map((live) => live.waitFor(2)));
    expect(app.live.runs - runs).toBe(1);
    const payloads = new Set(clients.map((live) => JSON.stringify(live.results[1])));
    expect(payloads.size).toBe(1);
    for (const live of clients) live.unsubscribe();
    await waitUntil(() => app.live.members === 0, 5_000, 'the live queries to end');
  });

  it('keeps a list live: a new summit appears in it', async () => {
    const live = collect(
      wsClient(app.url),
      'query @live { summits(first: 50) { totalCount edges { node { slug } } } }',
    );
    const [first] = await live.waitFor(1);
    const created = await execute(
      app.yoga,
      `mutation ($input: CreateSummitInput!) { createSummit(input: $input) { summit { slug } } }`,
      {
        input: {
          slug: 'live-list-summit',
          name: 'A summit made while a list was live',
          city: 'Astana',
          country: 'Kazakhstan',
          startsOn: '2024-07-03',
          status: 'ANNOUNCED',
        },
      },
      editor,
    );
    expect(created.errors).toBeUndefined();
    const [, second] = await live.waitFor(2);
    expect(second.totalCount).toBe(first.totalCount + 1);
    expect(second.edges.map((edge: any) => edge.node.slug)).toContain('live-list-summit');
    live.unsubscribe();
  });

  it('with throttle: 1000, sends at most two results for the commits of one second, the last current', async () => {
    const live = collect(
      wsClient(app.url),
      `query Summit($id: ID!) @live(throttle: 1000) {
        node(id: $id) { ... on Summit { id version description } }
      }`,
      { id: sco },
    );
    try {
      await live.waitFor(1);
      // Each edit passes the version the previous one returned: one request per commit, as many
      // as fit in 900 ms (up to 100), however fast this machine is.
      let last = await editSummit(app.yoga, sco, 'burst start', editor);
      await waitUntil(() => live.items.at(-1)?.version === last, 5_000, 'the burst start to show');
      const before = live.items.length;
      const started = performance.now();
      let commits = 0;
      while (commits < 100 && performance.now() - started < 900) {
        const result = await execute(
          app.yoga,
          'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
          { input: { id: sco, expectedVersion: last, patch: { description: `burst ${commits}` } } },
          editor,
        );
        last = result.data.updateSummit.summit.version;
        commits += 1;
      }
      expect(commits).toBeGreaterThanOrEqual(10);
      await waitUntil(
        () => live.items.at(-1)?.version === last,
        5_000,
        `the last result to show version ${last}`,
      );
      expect(live.items.length - before).toBeLessThanOrEqual(2);
      expect(live.items.at(-1)).toMatchObject({
        version: last,
        description: `burst ${commits - 1}`,
      });
      const plain = await execute(app.yoga, SUMMIT.replace(' @live', ''), { id: sco });
      expect(live.items.at(-1)).toEqual(plain.data.node);
    } finally {
      // A failure here must not leave a live query behind for the tests after it.
      live.unsubscribe();
    }
  });

  it("streams through Yoga's own SSE response where no server hands it a stream (in process)", async () => {
    const controller = new AbortController();
    const response = await app.yoga.fetch('http://storygraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: SUMMIT, variables: { id: sco } }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const next = async () => {
      for (;;) {
        const message = /event: next\ndata: (.*)\n\n/.exec(text);
        if (message) {
          text = text.slice((message.index ?? 0) + message[0].length);
          return JSON.parse(message[1] as string);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    const first = await next();
    expect(first.data.node.id).toBe(sco);
    const version = await editSummit(app.yoga, sco, 'live in process', editor);
    const second = await next();
    expect(second.data.node).toMatchObject({ version, description: 'live in process' });
    expect(decodeEventCursor(second.extensions.storyCursor)).toBeGreaterThan(
      decodeEventCursor(first.extensions.storyCursor),
    );
    await reader.cancel();
    controller.abort();
    await waitUntil(() => app.live.members === 0, 5_000, 'the live query to end');
  });

  it('is refused over plain HTTP, on introspection and on a subscription', async () => {
    const http = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: SUMMIT, variables: { id: sco } }),
    });
    const body = await http.json();
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/graphql-ws|server-sent events/);
    expect(body.data).toBeUndefined();

    const introspection = collect(
      wsClient(app.url),
      'query @live { __schema { queryType { name } } }',
    );
    await introspection.ended();
    expect(introspection.errors.flat()).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);

    const subscription = collect(
      wsClient(app.url),
      'subscription @live { summitUpdated(id: "x") { id } }',
    );
    await subscription.ended();
    expect(subscription.items).toEqual([]);
    expect(JSON.stringify(subscription.errors)).toMatch(/@live/);
  });

  it('ends with UNAUTHENTICATED when its token expires, over SSE as over graphql-ws', async () => {
    const token = await tokenFor('reader', { expiresIn: '2s' });
    const live = collect(sseClient(app.url, token), SUMMIT, { id: sco });
    await live.waitFor(1);
    await live.ended(10_000);
    expect(live.errors).toMatchObject([
      { extensions: { code: 'UNAUTHENTICATED', reason: 'expired' } },
    ]);
    await waitUntil(() => app.live.members === 0, 5_000, 'the live query to end');
  });

  it('checks its cost when it starts', async () => {
    const costly = collect(
      wsClient(app.url),
      `query @live { leaders(first: 100) { edges { node { memberships(first: 100) { edges { node {
        organization { memberships(first: 100) { edges { node { leader { name } } } } } } } } } } } }`,
    );
    await costly.ended();
    expect(costly.items).toEqual([]);
    expect(costly.errors.flat()).toMatchObject([{ extensions: { code: 'QUERY_TOO_COMPLEX' } }]);
  });

  it('counts against the per-socket cap: the cap is allowed, one more is refused', async () => {
    const socket = wsClient(app.url);
    const open = [1, 2, 3].map(() => collect(socket, SUMMIT, { id: sco }));
    await Promise.all(open.map((live) => live.waitFor(1)));
    const fourth = collect(socket, SUMMIT, { id: sco });
    await fourth.ended();
    expect(fourth.errors.flat()).toMatchObject([{ extensions: { code: 'LIMIT_EXCEEDED' } }]);
    for (const live of open) expect(live.done).toBe(false);
    for (const live of open) live.unsubscribe();
  });

  it('counts against the per-address cap on event streams', async () => {
    const open = [1, 2].map(() => collect(sseClient(app.url), SUMMIT, { id: sco }));
    await Promise.all(open.map((live) => live.waitFor(1)));
    const third = collect(sseClient(app.url), SUMMIT, { id: sco });
    await third.ended();
    // graphql-sse hands over the refused response: 429, as for a subscription stream.
    expect((third.errors[0] as { response: Response }).response.status).toBe(429);
    for (const live of open) live.unsubscribe();
  });
});
