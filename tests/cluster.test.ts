import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, tokenFor } from './helpers/app.ts';
import { collect, sseClient, wsClient } from './helpers/clients.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FEED =
  'subscription ($filter: StoryEventFilter) { storyEvents(filter: $filter) { sequence entityId changes { after } } }';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntil(test: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function describeSummit(url: string, token: string, slug: string, description: string) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const post = async (query: string, variables: Record<string, unknown> = {}) =>
    (await (
      await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) })
    ).json()) as any;
  const current = await post(`{ summit(slug: "${slug}") { id version } }`);
  const result = await post(
    'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
    {
      input: {
        id: current.data.summit.id,
        expectedVersion: current.data.summit.version,
        patch: { description },
      },
    },
  );
  expect(result.errors).toBeUndefined();
  return current.data.summit.id as string;
}

describe('several instances', () => {
  it('delivers a change made through instance A to subscribers on instance B through Redis', async () => {
    // A long poll interval: delivery within the deadline can only come from the Redis wake-up.
    const a = await startApp({ redisUrl: REDIS_URL, pollMs: 60_000 });
    const b = await startApp({ redisUrl: REDIS_URL, pollMs: 60_000 });
    const editor = await tokenFor('editor');
    const onB = collect(wsClient(b.url), FEED);
    const sseOnB = collect(sseClient(b.url), FEED);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const id = await describeSummit(a.url, editor, 'sco-summit-samarkand-2022', 'changed on A');
    const [event] = await onB.waitFor(1, 3000);
    await sseOnB.waitFor(1, 3000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(event).toMatchObject({ entityId: id, changes: [{ after: 'changed on A' }] });
    expect(sseOnB.items[0]).toEqual(event);
    const ready = await fetch(`http://127.0.0.1:${b.port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', pubsub: 'ok' },
    });
  });

  describe('when Redis goes away', () => {
    let redis: ChildProcess | undefined;
    const startRedis = (port: number) => {
      redis = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
    };
    afterAll(() => {
      redis?.kill('SIGKILL');
    });

    it('keeps delivering from the log, reports not ready, and recovers when Redis returns', async () => {
      const port = await freePort();
      startRedis(port);
      const url = `redis://127.0.0.1:${port}`;
      const a = await startApp({ redisUrl: url, pollMs: 300 });
      const b = await startApp({ redisUrl: url, pollMs: 300 });
      const readiness = async () => (await fetch(`http://127.0.0.1:${b.port}/ready`)).status;
      await waitUntil(async () => (await readiness()) === 200, 10_000, 'both instances ready');
      const editor = await tokenFor('editor');
      const onB = collect(wsClient(b.url), FEED, { filter: { types: ['SUMMIT'] } });
      await new Promise((resolve) => setTimeout(resolve, 300));

      redis?.kill('SIGKILL');
      await waitUntil(
        async () => (await readiness()) === 503,
        10_000,
        'readiness to report Redis down',
      );
      const body = (await (await fetch(`http://127.0.0.1:${b.port}/ready`)).json()) as any;
      expect(body.status).toBe('not ready');
      expect(body.checks.database).toBe('ok');
      expect(body.checks.pubsub).toMatch(/^redis/);

      // No wake-up can cross instances now; the log poll still delivers.
      await describeSummit(a.url, editor, 'eastern-economic-forum-2022', 'while Redis was down');
      const [missedWakeup] = await onB.waitFor(1, 5000);
      expect(missedWakeup.changes[0].after).toBe('while Redis was down');

      startRedis(port);
      await waitUntil(
        async () => (await readiness()) === 200,
        15_000,
        'readiness after Redis returned',
      );
      await describeSummit(a.url, editor, 'eastern-economic-forum-2022', 'after Redis returned');
      const events = await onB.waitFor(2, 5000);
      expect(events.map((event) => event.changes[0].after)).toEqual([
        'while Redis was down',
        'after Redis returned',
      ]);
      expect(events[1].sequence).toBe(events[0].sequence + 1);
    });
  });

  it('closes WebSockets with 1001 and completes SSE streams on shutdown', async () => {
    const app = await startApp();
    const ws = wsClient(app.url);
    const closed = new Promise<number>((resolve) =>
      ws.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    const feed = collect(ws, FEED);
    const sse = collect(sseClient(app.url), FEED);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.close();
    expect(await closed).toBe(1001);
    await sse.ended(5000);
    expect(feed.items).toEqual([]);
  });
});
