import { connect, createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createStoryPubSub } from '../src/pubsub.ts';
import { waitUntil } from './helpers/processes.ts';

const REDIS_URL = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

// A pass-through proxy to the test Redis that calls `onFirstBytes` when the second connection
// (the pub/sub's subscriber; the publisher is opened first) sends its first command: the moment
// the client is connected but still in its handshake.
function handshakeProxy(onFirstBytes: () => void) {
  const sockets: Socket[] = [];
  let connections = 0;
  const server = createServer((client) => {
    const index = connections++;
    const upstream = connect(Number(REDIS_URL.port || 6379), REDIS_URL.hostname);
    sockets.push(client, upstream);
    let first = true;
    client.on('data', (chunk) => {
      if (first && index === 1) {
        first = false;
        onFirstBytes();
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', () => {});
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  return {
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
      ),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('the Redis pub/sub handshake', () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // ioredis 5 writes a SUBSCRIBE issued while it is still connecting ahead of its INFO ready check;
  // the check then fails in subscriber mode and the client reconnects without resubscribing. The
  // instance reported ready and never heard another instance again (seen as a flaky /ready).
  it('keeps a subscription made while the subscriber connection is still in its handshake', async () => {
    const channel = 'story:committed';
    const heard: number[] = [];
    // The pub/sub subscribes as soon as it is created, so its SUBSCRIBE goes out while the
    // subscriber connection is still in its handshake; the proxy sees that moment.
    let handshaking = false;
    const proxy = handshakeProxy(() => {
      handshaking = true;
    });
    cleanups.push(() => proxy.close());
    const port = await proxy.listen();
    const pubsub = createStoryPubSub(`redis://127.0.0.1:${port}`);
    pubsub.onCommit((sequence, origin) => {
      if (origin === 'remote') heard.push(sequence);
    });
    cleanups.push(() => pubsub?.close());
    await waitUntil(async () => pubsub.health().ok === true, 10_000, 'the pub/sub to be ready');

    const publisher = new Redis(REDIS_URL.toString());
    cleanups.push(() => publisher.disconnect());
    // A value no other test publishes, so a wake-up from a parallel test is not mistaken for it.
    const marker = 1_000_000 + Math.floor(Math.random() * 1_000_000);
    await waitUntil(
      async () => {
        await publisher.publish(channel, String(marker));
        return heard.includes(marker);
      },
      5_000,
      `the subscriber to hear ${marker} (heard ${JSON.stringify(heard)})`,
      200,
    );
    expect(handshaking).toBe(true);
    expect(pubsub.health()).toEqual({ ok: true, detail: 'ok' });
  });
});
