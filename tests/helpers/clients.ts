import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { afterAll } from 'vitest';
import WebSocket from 'ws';

const leftovers: { dispose(): void | Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(leftovers.splice(0).map((client) => client.dispose()));
});

/** A graphql-ws client on `url` (http:// is turned into ws://), disposed after the file. */
export function wsClient(url: string, connectionParams?: Record<string, unknown>): WsClient {
  const client = createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    ...(connectionParams ? { connectionParams } : {}),
    onNonLazyError: () => {},
  });
  leftovers.push(client);
  return client;
}

/** A graphql-sse client in distinct-connections mode (one stream per subscription). */
export function sseClient(url: string, token?: string): SseClient {
  const client = createSseClient({
    url,
    retryAttempts: 0,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  leftovers.push(client);
  return client;
}

/** What a subscription received so far, and ways to wait for more. */
export interface Collector<T> {
  readonly items: T[];
  /** Every payload as it came, extensions included. */
  readonly results: any[];
  readonly errors: unknown[];
  readonly done: boolean;
  /** Resolves once `count` items arrived; rejects after `ms` with what did arrive. */
  waitFor(count: number, ms?: number): Promise<T[]>;
  /** Resolves when the subscription ends (complete or error). */
  ended(ms?: number): Promise<void>;
  unsubscribe(): void;
}

type Subscribable = {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: { next(value: unknown): void; error(error: unknown): void; complete(): void },
  ): () => void;
};

/** Subscribes with any graphql-ws or graphql-sse client and collects `data[field]`. */
export function collect<T = any>(
  client: Subscribable,
  query: string,
  variables: Record<string, unknown> = {},
): Collector<T> {
  const items: T[] = [];
  const results: any[] = [];
  const errors: unknown[] = [];
  let done = false;
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const waiter of waiters) waiter();
  };
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (value: any) => {
        results.push(value);
        if (value.errors) errors.push(...value.errors);
        if (value.data) items.push(Object.values(value.data)[0] as T);
        poke();
      },
      error: (error) => {
        errors.push(error);
        done = true;
        poke();
      },
      complete: () => {
        done = true;
        poke();
      },
    },
  );
  const until = (test: () => boolean, ms: number, what: () => string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (test()) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${ms} ms: ${what()}`));
      }, ms);
      waiters.add(check);
      check();
    });
  return {
    items,
    results,
    errors,
    get done() {
      return done;
    },
    waitFor: async (count, ms = 10_000) => {
      await until(
        () => items.length >= count || (done && items.length < count),
        ms,
        () => `${items.length} of ${count} items, errors ${JSON.stringify(errors)}`,
      );
      if (items.length < count) {
        throw new Error(
          `ended with ${items.length} of ${count} items; errors ${JSON.stringify(errors)}`,
        );
      }
      return items;
    },
    ended: (ms = 10_000) =>
      until(
        () => done,
        ms,
        () => `still open after ${items.length} items`,
      ),
    unsubscribe,
  };
}
