// One fan-out measurement: N graphql-ws (or server-sent event) subscribers on one server, M events
// triggered one after another, every delivery timed from the moment its trigger was sent.
import { request as httpRequest } from 'node:http';
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
  /** `sse`: each subscriber is a GET with `Accept: text/event-stream` (graphql-sse's distinct connections). */
  transport?: 'ws' | 'sse';
  /** Events delivered before measuring, as the reads warm up before theirs. @default 5 */
  warmupEvents?: number;
}): Promise<FanoutResult> {
  const { subscribers, events } = options;
  const rssBefore = await steadyRssKb(options.pid, options.quietMs);
  const received = new Map<number, number[]>();
  let connected = 0;
  let failures = 0;
  const clients: { dispose(): unknown }[] = [];
  const record = (sequence: number) => {
    const now = Date.now();
    let times = received.get(sequence);
    if (!times) {
      times = [];
      received.set(sequence, times);
    }
    times.push(now);
  };
  const connectSse = () => {
    const url = new URL(options.wsUrl.replace(/^ws/, 'http'));
    url.searchParams.set('query', FANOUT_SUBSCRIPTION);
    const request = httpRequest(url, { headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        failures += 1;
        response.resume();
        return;
      }
      connected += 1;
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (!block.startsWith('event: next')) continue;
          const data = block.slice(block.indexOf('data: ') + 6);
          record(JSON.parse(data).data.storyEvents.sequence);
        }
      });
    });
    request.on('error', () => {
      failures += 1;
    });
    request.end();
    clients.push({ dispose: () => request.destroy() });
  };
  const connect = () => {
    if (options.transport === 'sse') {
      connectSse();
      return;
    }
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
          record((data as { storyEvents: { sequence: number } }).storyEvents.sequence);
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

    // Warm-up: a few events through the whole path (the write, the feed, the delivery) before
    // measuring, so neither server is timed compiling its code; they are left out of the tally.
    const warmup: number[] = [];
    for (let i = 0; i < (options.warmupEvents ?? 5); i += 1) {
      warmup.push(await options.trigger(-1 - i));
      await sleep(options.intervalMs);
    }
    await allDelivered(warmup, received, subscribers, options.deadlineMs ?? 60_000);

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
