import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEventCursor, START_CURSOR } from '../src/live/events.ts';
import { waitUntil } from './helpers/app.ts';
import { collect, sseClient } from './helpers/clients.ts';
import {
  type Api,
  follow,
  processToken,
  readLog,
  startApi,
  startRedis,
} from './helpers/processes.ts';

// Two separate server processes (A and B) sharing this file's PostgreSQL database and a Redis of
// their own. Nothing in one process can reach the other except through Redis or the database.
const SUMMITS = [
  'sco-summit-samarkand-2022',
  'eastern-economic-forum-2022',
  'ccp-national-congress-2022',
];
const DATABASE_URL = process.env.DATABASE_URL as string;
const UPDATE =
  'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Edits summits through one instance, each edit based on the version the last one returned. */
async function editorOn(api: Api) {
  const token = await processToken('editor');
  const summits = new Map<string, { id: string; version: number }>();
  for (const slug of SUMMITS) {
    const { body } = await api.graphql(`{ summit(slug: "${slug}") { id version } }`);
    summits.set(slug, body.data.summit);
  }
  return async (slug: string, description: string) => {
    const summit = summits.get(slug) as { id: string; version: number };
    const { body } = await api.graphql(
      UPDATE,
      { input: { id: summit.id, expectedVersion: summit.version, patch: { description } } },
      { token },
    );
    expect(body.errors).toBeUndefined();
    summit.version = body.data.updateSummit.summit.version;
  };
}

/** The cursor of the log's last event: a subscription after it sees only what comes next. */
async function headCursor(api: Api): Promise<{ cursor: string; sequence: number }> {
  const { body } = await api.graphql(
    '{ storyEvents(last: 1) { edges { node { cursor sequence } } } }',
  );
  return body.data.storyEvents.edges[0]?.node ?? { cursor: START_CURSOR, sequence: 0 };
}

/**
 * Makes `count` edits through `edit` one after another. For each, measures the time from sending
 * the mutation to the event's arrival at `follower` (which must receive one event per edit), and
 * from the mutation's answer (the commit) to that arrival.
 */
async function timedEdits(
  count: number,
  edit: (index: number) => Promise<void>,
  follower: ReturnType<typeof follow>,
  deadlineMs: number,
): Promise<{ total: number[]; afterCommit: number[] }> {
  const total: number[] = [];
  const afterCommit: number[] = [];
  for (let index = 0; index < count; index++) {
    const expected = follower.events.length + 1;
    const sent = performance.now();
    await edit(index);
    const answered = performance.now();
    await follower.received(expected, deadlineMs);
    const arrived = follower.arrivals[expected - 1] as number;
    total.push(arrived - sent);
    afterCommit.push(Math.max(0, arrived - answered));
  }
  return { total, afterCommit };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
  return `n=${values.length} min ${at(0)} ms, median ${at(0.5)} ms, max ${at(1)} ms`;
};

describe('two server processes sharing PostgreSQL and Redis', () => {
  it('an edit through A reaches subscribers on B in well under a second, each edit once and in order', async () => {
    const redis = await startRedis();
    // A minute between polls: anything B delivers sooner was woken through Redis.
    const env = { DATABASE_URL, REDIS_URL: redis.url, FEED_POLL_MS: '60000' };
    const [a, b] = await Promise.all([startApi(env), startApi(env)]);
    const edit = await editorOn(a);
    const head = await headCursor(a);
    const onB = follow(b.url, head.cursor);
    const sseOnB = collect(
      sseClient(b.url),
      'subscription ($after: String) { storyEvents(after: $after) { sequence } }',
      {
        after: head.cursor,
      },
    );
    const onA = follow(a.url, head.cursor);

    // The first edit also proves both subscriptions are live before anything is timed.
    await edit(SUMMITS[0] as string, 'warm-up');
    await onB.received(1, 5000);
    await sseOnB.waitFor(1, 5000);

    const { total: latencies, afterCommit } = await timedEdits(
      10,
      (index) => edit(SUMMITS[index % SUMMITS.length] as string, `edit ${index} through A`),
      onB,
      1000,
    );
    console.log(
      `cross-process delivery (graphql-ws on B): mutation sent to A → event on B ${summary(latencies)}; ` +
        `A's answer → event on B ${summary(afterCommit)}`,
    );
    // Each event is on B within a second of A acknowledging the edit (usually before: B hears the
    // commit while A's answer is still on its way), and typically within a second of sending it.
    for (const latency of afterCommit) expect(latency).toBeLessThan(1000);
    expect(median(latencies)).toBeLessThan(1000);

    // A burst: one edit per summit at once.
    await Promise.all(SUMMITS.map((slug) => edit(slug, `burst on ${slug}`)));
    const total = 1 + latencies.length + SUMMITS.length;
    await onB.received(total, 5000);
    await sseOnB.waitFor(total, 5000);
    await onA.received(total, 5000);

    // Exactly the log after the head, in order, once each, on every transport and instance.
    const log = (await readLog(a)).filter((event) => event.sequence > head.sequence);
    expect(log).toHaveLength(total);
    expect(onB.events).toEqual(log);
    expect(onA.events).toEqual(log);
    expect(sseOnB.items.map((event) => event.sequence)).toEqual(log.map((event) => event.sequence));
  }, 120_000);

  it('keeps delivering by the poll while Redis is down, says so on /ready, and wakes B again once Redis is back', async () => {
    const redis = await startRedis();
    const pollMs = 1500;
    const env = { DATABASE_URL, REDIS_URL: redis.url, FEED_POLL_MS: String(pollMs) };
    const [a, b] = await Promise.all([startApi(env), startApi(env)]);
    const edit = await editorOn(a);
    const head = await headCursor(a);
    const onB = follow(b.url, head.cursor);
    await edit(SUMMITS[1] as string, 'before the outage');
    await onB.received(1, 5000);

    await redis.stop();
    for (const api of [a, b]) {
      await waitUntil(
        async () => (await api.ready()).status === 503,
        10_000,
        '/ready to report Redis down',
      );
      const { body } = await api.ready();
      expect(body.status).toBe('not ready');
      expect(body.checks.database).toBe('ok');
      expect(body.checks.pubsub).toMatch(/^redis (connecting|reconnecting|close|end)/);
    }
    const outage = (await b.ready()).body.checks.pubsub;

    // Edits still commit on A, and B still delivers them, from its poll of the log.
    const { total: byPoll } = await timedEdits(
      3,
      (index) => edit(SUMMITS[index % SUMMITS.length] as string, `while Redis is down ${index}`),
      onB,
      pollMs + 5000,
    );

    await redis.start();
    for (const api of [a, b]) {
      await waitUntil(
        async () => (await api.ready()).status === 200,
        15_000,
        '/ready after Redis returned',
      );
    }
    // Both instances listen on Redis again…
    const observer = new Redis(redis.url);
    cleanups.push(() => observer.disconnect());
    await waitUntil(
      async () =>
        Number(((await observer.pubsub('NUMSUB', 'story:committed')) as [string, number])[1]) >= 2,
      10_000,
      'both instances to subscribe again',
    );
    // …and A publishes every commit to it, which wakes B at once.
    const published: string[] = [];
    const listener = new Redis(redis.url);
    cleanups.push(() => listener.disconnect());
    listener.on('message', (_channel: string, message: string) => published.push(message));
    await listener.subscribe('story:committed');
    const { total: woken, afterCommit: wokenAfterCommit } = await timedEdits(
      5,
      (index) => edit(SUMMITS[index % SUMMITS.length] as string, `after Redis returned ${index}`),
      onB,
      1000,
    );
    await waitUntil(() => published.length >= 5, 5000, 'a story:committed message per commit');
    console.log(
      `Redis outage: /ready said ${JSON.stringify(outage)}; delivered by the ${pollMs} ms poll: ${summary(byPoll)}; ` +
        `after Redis returned: ${summary(woken)}`,
    );
    for (const latency of wokenAfterCommit) expect(latency).toBeLessThan(1000);

    const log = (await readLog(a)).filter((event) => event.sequence > head.sequence);
    expect(log).toHaveLength(1 + byPoll.length + woken.length);
    expect(onB.events).toEqual(log);
    expect(published.map(Number)).toEqual(log.slice(-5).map((event) => event.sequence));
  }, 120_000);

  it('reads a write through A on B with storyAfter, though B was never told of it and keeps an older answer', async () => {
    // No Redis and a minute between polls: B learns of A's commits only when asked to.
    const env = { DATABASE_URL, FEED_POLL_MS: '60000' };
    const [a, b] = await Promise.all([startApi(env), startApi(env)]);
    const token = await processToken('editor');
    const slug = SUMMITS[2] as string;
    const query = `{ summit(slug: "${slug}") { id version description } }`;
    const read = async (api: Api, headers: Record<string, string> = {}) => {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as any;
    };
    await read(b);
    for (let i = 0; i < 5; i += 1) {
      const { id, version } = (await read(a)).data.summit;
      const { body } = await a.graphql(
        UPDATE,
        { input: { id, expectedVersion: version, patch: { description: `read on B ${i}` } } },
        { token },
      );
      expect(body.errors).toBeUndefined();
      const cursor = body.extensions.storyCursor as string;
      // Without the cursor, B answers what it has: from before the write, and says so.
      const plain = await read(b);
      expect(plain.data.summit.description).not.toBe(`read on B ${i}`);
      expect(decodeEventCursor(plain.extensions.storyCursor)).toBeLessThan(
        decodeEventCursor(cursor),
      );
      // With it, B reads the log that far first, and its answer has the write.
      const held = await read(b, { 'story-after': cursor });
      expect(held.data.summit.description).toBe(`read on B ${i}`);
      expect(decodeEventCursor(held.extensions.storyCursor)).toBeGreaterThanOrEqual(
        decodeEventCursor(cursor),
      );
    }
  }, 120_000);
});
