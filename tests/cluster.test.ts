import { connect } from 'node:net';
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

  // A proxy opens a connection per request and writes the request right after; a replica that
  // starts closing in between must still answer it, or the proxy returns 502 for a POST it cannot
  // retry. The listener itself stops at once: a new connection is refused.
  it('answers a request on a connection opened just before shutdown, and refuses new ones', async () => {
    const app = await startApp();
    const socket = connect(app.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await new Promise<string>((resolve) => {
      const late = connect(app.port, '127.0.0.1');
      late.once('connect', () => resolve('connected'));
      late.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    const body = JSON.stringify({ query: '{ summits(first: 1) { edges { node { slug } } } }' });
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk;
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await ended;
    await closing;
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response).toContain('"slug":"');
  });
});
