// One fan-out measurement: N graphql-ws subscribers on one server, M events triggered one after
// another, every delivery timed from the moment its trigger was sent.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { allDelivered, cpuMs, percentile, sleep, steadyRssKb, tallyDeliveries } from './lib.ts';

export const FANOUT_SUBSCRIPTION =
  'subscription { storyEvents { sequence occurredAt changes { field after } } }';

export interface FanoutResult {
  subscribers: number;
  events: number;
  deliveries: number;
  lost: number;
  duplicated: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server CPU while the events were delivered, per delivery. */
  cpuUsPerDelivery: number;
  rssPerIdleSubscriberKb: number;
}

/**
 * Connects `subscribers` clients to `wsUrl`, fires `events` triggers `intervalMs` apart (each
 * resolves with the event's sequence once committed) and waits for every delivery or `deadlineMs`.
 */
export async function runFanout(options: {
  wsUrl: string;
  pid: number;
  subscribers: number;
  events: number;
  intervalMs: number;
  trigger: (i: number) => Promise<number>;
  deadlineMs?: number;
  quietMs?: number;
}): Promise<FanoutResult> {
  const { subscribers, events } = options;
  const rssBefore = await steadyRssKb(options.pid, options.quietMs);
  const received = new Map<number, number[]>();
  let connected = 0;
  let failures = 0;
  const clients: ReturnType<typeof createClient>[] = [];
  const connect = () => {
    const client = createClient({
      url: options.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: {
        connected: () => {
          connected += 1;
        },
      },
    });
    clients.push(client);
    client.subscribe(
      { query: FANOUT_SUBSCRIPTION },
      {
        next: ({ data }) => {
          const now = Date.now();
          const sequence = (data as { storyEvents: { sequence: number } }).storyEvents.sequence;
          let times = received.get(sequence);
          if (!times) {
            times = [];
            received.set(sequence, times);
          }
          times.push(now);
        },
        error: () => {
          failures += 1;
        },
        complete: () => {},
      },
    );
  };
  try {
    // In batches: thousands of handshakes at once on two busy cores would miss graphql-ws's
    // three-second connection_init deadline.
    const connectDeadline = Date.now() + 300_000;
    while (clients.length < subscribers || connected < subscribers) {
      if (Date.now() > connectDeadline || failures > 0)
        throw new Error(`only ${connected} of ${subscribers} connected (${failures} failed)`);
      if (clients.length - connected < 50 && clients.length < subscribers) {
        for (let i = 0; i < 50 && clients.length < subscribers; i += 1) connect();
      }
      await sleep(20);
    }
    // Also gives every subscription time to register before the first event.
    const rssIdle = await steadyRssKb(options.pid, options.quietMs);

    const sentAt = new Map<number, number>();
    const sequences: number[] = [];
    const cpuBefore = cpuMs(options.pid);
    for (let i = 0; i < events; i += 1) {
      const started = Date.now();
      const sequence = await options.trigger(i);
      sequences.push(sequence);
      sentAt.set(sequence, started);
      await sleep(options.intervalMs);
    }
    await allDelivered(sequences, received, subscribers, options.deadlineMs ?? 60_000);
    const cpu = cpuMs(options.pid) - cpuBefore;
    const {
      lost,
      duplicated,
      latencies: [latencies = []],
    } = tallyDeliveries(sequences, received, subscribers, sentAt);
    return {
      subscribers,
      events,
      deliveries: latencies.length,
      lost,
      duplicated,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      cpuUsPerDelivery: latencies.length ? (cpu * 1000) / latencies.length : Number.NaN,
      rssPerIdleSubscriberKb: Math.round(((rssIdle - rssBefore) / subscribers) * 10) / 10,
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
  }
}
