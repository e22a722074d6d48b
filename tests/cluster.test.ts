import { describe, expect, it } from 'vitest';
import { startApp, waitForSubscribers } from './helpers/app.ts';
import { collect, sseClient, wsClient } from './helpers/clients.ts';

// Several instances are tested as separate processes in cross-process.test.ts: two apps in one
// process can share module state, so a test of them proves nothing about a real deployment.
const FEED =
  'subscription ($filter: StoryEventFilter) { storyEvents(filter: $filter) { sequence entityId changes { after } } }';

describe('an instance shutting down', () => {
  it('closes WebSockets with 1001 and completes SSE streams on shutdown', async () => {
    const app = await startApp();
    const ws = wsClient(app.url);
    const closed = new Promise<number>((resolve) =>
      ws.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    const feed = collect(ws, FEED);
    const sse = collect(sseClient(app.url), FEED);
    await waitForSubscribers(app, 2);
    await app.close();
    expect(await closed).toBe(1001);
    await sse.ended(5000);
    expect(feed.items).toEqual([]);
  });
});
