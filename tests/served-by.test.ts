import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApp } from './helpers/app.ts';

describe('X-Served-By', () => {
  it('names the instance on plain HTTP responses and on the WebSocket upgrade', async () => {
    const app = await startApp();
    for (const path of ['/health', '/graphql?query=%7B__typename%7D', '/no-such-page']) {
      const response = await fetch(`${app.url.replace(/\/graphql$/, '')}${path}`);
      await response.arrayBuffer();
      expect(`${path} ${response.headers.get('x-served-by')}`).toBe(`${path} ${hostname()}`);
    }
    const socket = new WebSocket(app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const servedBy = await new Promise<string | undefined>((resolve, reject) => {
      socket.once('upgrade', (response) => resolve(response.headers['x-served-by'] as string));
      socket.once('error', reject);
    });
    socket.close();
    expect(servedBy).toBe(hostname());
  });
});
