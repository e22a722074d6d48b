import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  type Histogram,
  Registry,
  type Summary,
} from 'prom-client';
import type { Database } from '../infra/db.ts';
import type { StoryFeed } from '../live/feed.ts';
import type { LiveQueries } from '../live/live-queries.ts';
import type { StoryPubSub } from '../live/pubsub.ts';
import type { ResponseCache } from '../live/response-cache.ts';

/** What the metrics read from the running instance. */
export interface MetricSources {
  feed: StoryFeed;
  /** The instance's pub/sub, which announces the commits made through this instance. */
  pubsub: StoryPubSub;
  database: Database;
  /** Open WebSocket connections, from the server (set once it exists). */
  sockets?: () => number;
  /** The response cache, when it is on. */
  cache?: ResponseCache;
  /** The live queries. */
  live?: LiveQueries;
}

/**
 * The instance's Prometheus registry and the Yoga plugins that feed it. One registry per instance,
 * not prom-client's global one, so that tests can run several instances in one process.
 */
export function createMetrics(sources: MetricSources): {
  registry: Registry;
  plugins: Plugin[];
  /**
   * Records a query answered before Yoga's pipeline (by a plan, or from the response cache), in
   * the series Yoga's path would have fed.
   */
  recordFastRead(seconds: number, cached?: boolean): void;
} {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'storygraph_' });

  new Gauge({
    name: 'storygraph_websocket_connections',
    help: 'Open WebSocket connections.',
    registers: [registry],
    collect() {
      this.set(sources.sockets?.() ?? 0);
    },
  });
  new Gauge({
    name: 'storygraph_subscriptions_active',
    help: 'Live feed subscriptions on this instance (WebSocket and SSE).',
    registers: [registry],
    collect() {
      this.set(sources.feed.subscribers);
    },
  });
  new Gauge({
    name: 'storygraph_feed_head_sequence',
    help: 'The last event sequence this instance has read from the log.',
    registers: [registry],
    collect() {
      this.set(sources.feed.head);
    },
  });
  new Gauge({
    name: 'storygraph_subscriber_lag_max',
    help: 'How many events the furthest-behind live subscription is behind the head.',
    registers: [registry],
    collect() {
      this.set(sources.feed.maxLag);
    },
  });
  new Counter({
    name: 'storygraph_events_delivered_total',
    help: 'Events handed to subscriptions (one per subscription per event).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.feed.delivered);
    },
  });
  new Counter({
    name: 'storygraph_slow_consumers_total',
    help: 'Subscriptions ended because their client fell too far behind.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.feed.overflowed);
    },
  });
  const published = new Counter({
    name: 'storygraph_events_published_total',
    help: 'Events committed through this instance.',
    registers: [registry],
  });
  let lastPublished = 0;
  sources.pubsub.onCommit((sequence, origin) => {
    if (origin !== 'local') return;
    // A commit may append several events; count them all.
    published.inc(lastPublished ? Math.max(1, sequence - lastPublished) : 1);
    lastPublished = sequence;
  });
  const pool = new Gauge({
    name: 'storygraph_db_pool_connections',
    help: 'Database pool connections by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = sources.database.poolStats();
      pool.set({ state: 'total' }, stats.total);
      pool.set({ state: 'idle' }, stats.idle);
      pool.set({ state: 'waiting' }, stats.waiting);
    },
  });
  const errors = new Counter({
    name: 'storygraph_graphql_errors_total',
    help: 'Errors returned to clients, by extensions.code.',
    labelNames: ['code'],
    registers: [registry],
  });

  const fastReads = new Counter({
    name: 'storygraph_fast_reads_total',
    help: "Queries answered by a plan before Yoga's pipeline (counted in graphql_envelop_request too).",
    registers: [registry],
  });
  const { cache } = sources;
  if (cache) {
    // Read from the cache when scraped, like the feed's counters: no label a client can choose.
    const counters = [
      ['hits', 'Queries answered from the response cache.'],
      ['misses', 'Queries looked up in the response cache and not found there.'],
      ['invalidations', 'Cached answers dropped because a committed event could change them.'],
    ] as const;
    for (const [field, help] of counters)
      new Counter({
        name: `storygraph_response_cache_${field}_total`,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(cache[field]);
        },
      });
    new Gauge({
      name: 'storygraph_response_cache_bytes',
      help: 'Bytes of answers the response cache holds.',
      registers: [registry],
      collect() {
        this.set(cache.bytes);
      },
    });
  }
  const { live } = sources;
  if (live) {
    new Gauge({
      name: 'storygraph_live_queries',
      help: 'Live queries (`@live`) open on this instance.',
      registers: [registry],
      collect() {
        this.set(live.members);
      },
    });
    for (const [field, name, help] of [
      [
        'runs',
        'storygraph_live_query_runs_total',
        'Times a group of identical live queries ran again after a change.',
      ],
      ['written', 'storygraph_live_query_results_total', 'Live query results written to clients.'],
    ] as const)
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(live[field]);
        },
      });
  }
  const query = { operationType: 'query' };
  const recordFastRead = (seconds: number, cached = false) => {
    if (!cached) fastReads.inc();
    // The prometheus plugin's own series, found by name: they exist once Yoga has started.
    const metric = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    metric<Counter>('graphql_envelop_request')?.inc(query);
    for (const name of ['graphql_envelop_request_duration', 'graphql_envelop_phase_execute'])
      metric<Histogram>(name)?.observe(query, seconds);
    metric<Summary>('graphql_envelop_request_time_summary')?.observe(query, seconds);
    metric<Histogram>('graphql_yoga_http_duration')?.observe(
      { method: 'POST', statusCode: '200', ...query },
      seconds,
    );
  };

  const countErrors: Plugin = {
    onExecute() {
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            errors.inc({ code: String(error.extensions?.code ?? 'UNKNOWN') });
          }
        },
      };
    },
  };

  return {
    registry,
    recordFastRead,
    plugins: [
      usePrometheus({
        registry,
        endpoint: '/metrics',
        // Requests and their durations by operation type. Every label value a client chooses
        // (operation name, URL, error path) would be a new series, and 3,000 made-up operation
        // names once grew this registry by 85 MB: those labels are off. The request log keeps
        // each operation's name and duration.
        labels: { operationName: false, path: false, url: false },
        metrics: {
          graphql_envelop_request: true,
          graphql_envelop_request_duration: true,
          graphql_envelop_error_result: true,
          graphql_envelop_phase_execute: true,
          graphql_envelop_phase_subscribe: true,
          graphql_yoga_http_duration: true,
        },
      }),
      countErrors,
    ],
  };
}
