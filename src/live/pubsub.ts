import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';

/**
 * The topic map. Every topic is a wake-up call, never the data itself: PostgreSQL's event log is
 * the record, so a wake-up that is lost (Redis restarting, say) delays delivery but loses nothing.
 */
export type StoryTopics = {
  /** A write committed; the payload is the highest sequence number it appended to the log. */
  'story:committed': [sequence: number];
};

/** Where a commit notification came from. */
export type CommitOrigin = 'local' | 'remote';

/** Called for each commit notification. */
export type CommitListener = (sequence: number, origin: CommitOrigin) => void;

/**
 * The commit notifications of one server instance. Every listener and connection belongs to the
 * instance that created it, so two instances in one process hear each other only the way two
 * processes do: through Redis.
 */
export interface StoryPubSub {
  /** `redis` when `REDIS_URL` is set, so that every instance hears every commit. */
  readonly kind: 'redis' | 'in-process';
  /**
   * Tells this instance's listeners at once (`local`), and the other instances through Redis.
   * Call it only after the transaction committed: a woken reader must find the rows.
   */
  announceCommit(sequence: number): void;
  /**
   * Registers `listener` for this instance's commits and, with Redis, every instance's (`remote`;
   * this instance's own come back that way too). Returns a remover.
   */
  onCommit(listener: CommitListener): () => void;
  /** Calls `listener` whenever Redis comes back after a loss, so readers can catch up at once. */
  onReconnect(listener: () => void): () => void;
  /** Whether wake-ups currently reach the other instances; with a reason when not. */
  health(): { ok: boolean; detail: string };
  /** Stops listening and disconnects; idempotent. */
  close(): Promise<void>;
}

/** Creates an instance's pub/sub: in-process without `redisUrl`, shared through Redis with it. */
export function createStoryPubSub(redisUrl?: string): StoryPubSub {
  const listeners = new Set<CommitListener>();
  const reconnectListeners = new Set<() => void>();
  const notify = (sequence: number, origin: CommitOrigin) => {
    for (const listener of listeners) listener(sequence, origin);
  };
  const local = {
    announceCommit: (sequence: number) => notify(sequence, 'local'),
    onCommit: (listener: CommitListener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onReconnect: (listener: () => void) => {
      reconnectListeners.add(listener);
      return () => void reconnectListeners.delete(listener);
    },
  };
  if (!redisUrl) {
    return {
      kind: 'in-process',
      ...local,
      health: () => ({ ok: true, detail: 'in-process' }),
      close: async () => {
        listeners.clear();
        reconnectListeners.clear();
      },
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
  // without resubscribing, and the instance stops hearing the others while reporting ready (seen
  // when the feed subscribed after its first database read). Subscribing at construction, as
  // below, avoids the window; without the check there is no window to avoid.
  const subscriber = new Redis(redisUrl, { ...options, enableReadyCheck: false });
  // The last error of each client, cleared when it is ready again: a stale message from the
  // other client must not make a healthy connection look broken.
  const lastError = new Map<Redis, string>();
  let wasDown = false;
  for (const client of [publisher, subscriber]) {
    // Without a listener ioredis reports connection errors as unhandled; they are expected here.
    client.on('error', (error: Error) => lastError.set(client, error.message));
    client.on('ready', () => lastError.delete(client));
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
        lastError.set(publisher, error.message);
        return 0;
      }),
  } as unknown as Redis;
  const pubsub = createPubSub<StoryTopics>({
    eventTarget: createRedisEventTarget({
      publishClient: safePublisher,
      subscribeClient: subscriber,
    }),
  });
  const remote = pubsub.subscribe('story:committed');
  void (async () => {
    for await (const sequence of remote) notify(Number(sequence), 'remote');
  })();

  let closed: Promise<void> | undefined;
  return {
    kind: 'redis',
    ...local,
    announceCommit(sequence) {
      notify(sequence, 'local');
      pubsub.publish('story:committed', sequence);
    },
    health: () => {
      const ok = publisher.status === 'ready' && subscriber.status === 'ready';
      const reason = lastError.get(subscriber) ?? lastError.get(publisher);
      return {
        ok,
        detail: ok
          ? 'ok'
          : `redis ${publisher.status === 'ready' ? subscriber.status : publisher.status}${reason ? `: ${reason}` : ''}`,
      };
    },
    close() {
      closed ??= (async () => {
        listeners.clear();
        reconnectListeners.clear();
        // Disconnecting ends the subscription too; returning the iterator first would send an
        // UNSUBSCRIBE whose reply never comes, and its rejection would go unhandled.
        publisher.disconnect();
        subscriber.disconnect();
      })();
      return closed;
    },
  };
}
