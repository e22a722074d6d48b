import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';

/**
 * The topic map. Every topic is a wake-up call, never the data itself: PostgreSQL's event log is
 * the record, so a wake-up that is lost (Redis restarting, say) delays delivery but loses nothing.
 */
export type StoryTopics = {
  /** A write committed; the payload is the highest sequence number it appended to the log. */
  'story:committed': [sequence: number];
};

/** The pub/sub of one server instance, with what readiness needs to know about it. */
export interface StoryPubSub {
  readonly pubsub: PubSub<StoryTopics>;
  /** `redis` when `REDIS_URL` is set, so that every instance hears every commit. */
  readonly kind: 'redis' | 'in-process';
  /** Whether wake-ups currently reach the other instances; with a reason when not. */
  health(): { ok: boolean; detail: string };
  /** Calls `listener` whenever Redis comes back after a loss, so the feed can catch up at once. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

/** Creates the pub/sub: in-process without `redisUrl`, shared through Redis with it. */
export function createStoryPubSub(redisUrl?: string): StoryPubSub {
  if (!redisUrl) {
    return {
      pubsub: createPubSub<StoryTopics>(),
      kind: 'in-process',
      health: () => ({ ok: true, detail: 'in-process' }),
      onReconnect: () => {},
      close: async () => {},
    };
  }

  const options = {
    // Keep trying forever, at most every 2 s: the feed polls the log meanwhile.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
    maxRetriesPerRequest: null,
    lazyConnect: false,
  };
  const publisher = new Redis(redisUrl, { ...options, enableOfflineQueue: false });
  // No INFO ready check on the subscriber: it only sends SUBSCRIBE, which Redis accepts while it is
  // still loading, so the check guards nothing. Worse, ioredis 5 writes a SUBSCRIBE issued during
  // the handshake before that INFO; the INFO then fails in subscriber mode, the client reconnects
  // without resubscribing, and this instance stops hearing the others while reporting ready.
  const subscriber = new Redis(redisUrl, { ...options, enableReadyCheck: false });
  const reconnectListeners = new Set<() => void>();
  let lastError = '';
  let wasDown = false;
  for (const client of [publisher, subscriber]) {
    // Without a listener ioredis reports connection errors as unhandled; they are expected here.
    client.on('error', (error: Error) => {
      lastError = error.message;
    });
    client.on('end', () => {
      wasDown = true;
    });
    client.on('close', () => {
      wasDown = true;
    });
  }
  subscriber.on('ready', () => {
    if (!wasDown) return;
    wasDown = false;
    for (const listener of reconnectListeners) listener();
  });

  // The event target fires `publish` and forgets the promise; with Redis down that promise
  // rejects, and an unhandled rejection would stop the process. A lost wake-up is harmless.
  const safePublisher = {
    publish: (channel: string, message: string) =>
      publisher.publish(channel, message).catch((error: Error) => {
        lastError = error.message;
        return 0;
      }),
  } as unknown as Redis;

  return {
    pubsub: createPubSub<StoryTopics>({
      eventTarget: createRedisEventTarget({
        publishClient: safePublisher,
        subscribeClient: subscriber,
      }),
    }),
    kind: 'redis',
    health: () => {
      const ok = publisher.status === 'ready' && subscriber.status === 'ready';
      return {
        ok,
        detail: ok ? 'ok' : `redis ${subscriber.status}${lastError ? `: ${lastError}` : ''}`,
      };
    },
    onReconnect: (listener) => {
      reconnectListeners.add(listener);
    },
    close: async () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
