import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/infra/env.ts';
import { startApp, tokenFor } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const app = await startApp({ logger: pino({ level: 'info' }, sink) });
const base = `http://127.0.0.1:${app.port}`;

const post = async (body: unknown, token?: string) =>
  (await fetch(app.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': 'req-123',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  }).then((response) => response.json())) as any;

describe('health and readiness', () => {
  it('answers /health while alive and /ready with the state of each dependency', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', pubsub: 'ok (in-process)' },
    });
  });
});

describe('metrics', () => {
  it('exposes request, error, subscription, feed and pool metrics in Prometheus format', async () => {
    const sub = collect(wsClient(app.url), 'subscription { storyEvents { sequence } }');
    await post({ query: 'query StoryLeaders { leaders(first: 2) { totalCount } }' });
    await post({ query: '{ leaders(first: 1000) { totalCount } }' });
    const editor = await tokenFor('editor');
    const current = await post({ query: '{ leader(slug: "li-zhanshu") { id version } }' });
    await post(
      {
        query:
          'mutation ($input: UpdateLeaderInput!) { updateLeader(input: $input) { leader { version } } }',
        variables: {
          input: {
            id: current.data.leader.id,
            expectedVersion: current.data.leader.version,
            patch: { description: 'metrics' },
          },
        },
      },
      editor,
    );
    await sub.waitFor(1);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    // By operation type only: operation names are the client's to choose (see exposure.test.ts).
    expect(text).toMatch(/graphql_envelop_request\{operationType="query"\} [1-9]/);
    expect(text).not.toContain('operationName=');
    expect(text).toMatch(/graphql_envelop_request_duration_bucket\{/);
    expect(text).toMatch(/storygraph_graphql_errors_total\{code="BAD_USER_INPUT"\} 1/);
    expect(text).toMatch(/storygraph_subscriptions_active 1/);
    expect(text).toMatch(/storygraph_websocket_connections 1/);
    expect(text).toMatch(/storygraph_events_published_total [1-9]/);
    expect(text).toMatch(/storygraph_events_delivered_total [1-9]/);
    expect(text).toMatch(/storygraph_subscriber_lag_max 0/);
    expect(text).toMatch(/storygraph_db_pool_connections\{state="total"\} [1-9]/);
    expect(text).toMatch(/storygraph_process_resident_memory_bytes/);
    sub.unsubscribe();
  });
});

describe('logs', () => {
  it('writes one JSON line per operation with its request id, name, duration and outcome, and no secrets', async () => {
    const token = await tokenFor('reader');
    lines.length = 0;
    await post(
      {
        query: 'query FindLeader($slug: String!) { leader(slug: $slug) { name } }',
        variables: { slug: 'secret-slug-value' },
      },
      token,
    );
    await post({ query: 'query Broken { leaders(first: 1000) { totalCount } }' });
    const operations = lines.filter(
      (line) => line.msg === 'operation' || line.msg === 'operation failed',
    );
    expect(operations).toHaveLength(2);
    expect(operations[0]).toMatchObject({
      requestId: 'req-123',
      operation: 'FindLeader',
      type: 'query',
      role: 'reader',
      outcome: 'ok',
    });
    expect(typeof operations[0]?.durationMs).toBe('number');
    expect(operations[1]).toMatchObject({
      operation: 'Broken',
      outcome: 'error',
      errorCodes: ['BAD_USER_INPUT'],
    });
    const all = JSON.stringify(lines);
    expect(all).not.toContain(token);
    expect(all).not.toContain('secret-slug-value');
    const echoed = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-echo' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(echoed.headers.get('x-request-id')).toBe('req-echo');
  });
});

describe('pages', () => {
  it('serves the live console and an offline GraphiQL', async () => {
    const live = await fetch(`${base}/live`);
    expect(live.headers.get('content-type')).toMatch(/text\/html/);
    const html = await live.text();
    expect(html).toContain('href="/graphql"');
    // The page's script speaks graphql-ws itself and is served here, not from a CDN.
    expect(html).toContain('/assets/storygraph.js');
    const script = await (await fetch(`${base}/assets/storygraph.js`)).text();
    expect(script).toContain('graphql-transport-ws');
    // Both pages get the shared head filled in, with the shared stylesheet it links.
    for (const path of ['/live', '/story']) {
      const text = await (await fetch(`${base}${path}`)).text();
      expect(text, path).toContain('<link rel="stylesheet" href="/assets/storygraph.css">');
      expect(text, path).toContain('<meta charset="utf-8">');
      expect(text, path).not.toContain('<!--#include');
    }
    const css = await fetch(`${base}/assets/storygraph.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(await css.text()).toContain('#status.live');
    const graphiql = await fetch(app.url, { headers: { accept: 'text/html' } });
    const page = await graphiql.text();
    expect(page).toMatch(/graphiql/i);
    expect(page).not.toMatch(/unpkg\.com|cdn\.jsdelivr/);
  });
});

describe('configuration', () => {
  it('names every bad variable in one message', () => {
    expect(() =>
      loadEnv({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        REDIS_URL: 'http://nope',
        JWT_SECRET: 'short',
        LOG_LEVEL: 'loud',
      }),
    ).toThrowError(/PORT[\s\S]*DATABASE_URL[\s\S]*JWT_SECRET[\s\S]*REDIS_URL[\s\S]*LOG_LEVEL/);
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrowError(
      /JWT_SECRET: is required when NODE_ENV=production/,
    );
    expect(loadEnv({})).toMatchObject({
      PORT: 4000,
      DATA_DIR: './data',
      MIGRATE_ON_START: true,
      ANONYMOUS_READS: true,
    });
  });
});
