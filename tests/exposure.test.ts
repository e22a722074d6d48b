import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../src/infra/env.ts';
import { DEFAULT_LIMITS } from '../src/plugins/limits.ts';
import { testApp } from './helpers/app.ts';
import { errorCodes, execute } from './helpers/graphql.ts';

const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type, authorization',
  },
});
const post = (origin: string) => ({
  method: 'POST',
  headers: { origin, 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ __typename }' }),
});

describe('CORS', () => {
  it('answers any origin with a literal * and never allows credentials by default', async () => {
    const { yoga } = testApp();
    for (const init of [preflight('https://evil.example'), post('https://evil.example')]) {
      const response = await yoga.fetch('http://storygraph.test/graphql', init);
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const preflightResponse = await yoga.fetch(
      'http://storygraph.test/graphql',
      preflight('https://a.example'),
    );
    expect(preflightResponse.headers.get('access-control-allow-headers')).toContain(
      'authorization',
    );
  });

  it('allows only the listed origins with CORS_ORIGINS, still without credentials', async () => {
    const { yoga } = testApp({
      exposure: { corsOrigins: ['https://news.example', 'https://desk.example'] },
    });
    for (const origin of ['https://news.example', 'https://desk.example']) {
      const response = await yoga.fetch('http://storygraph.test/graphql', post(origin));
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
    for (const init of [preflight('https://evil.example'), post('https://evil.example')]) {
      const response = await yoga.fetch('http://storygraph.test/graphql', init);
      expect(response.headers.get('access-control-allow-origin')).toBe('null');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('reads CORS_ORIGINS as * or a list of origins, and refuses anything else', () => {
    expect(loadEnv({}).CORS_ORIGINS).toBe('*');
    expect(
      loadEnv({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).CORS_ORIGINS,
    ).toEqual(['https://a.example', 'http://localhost:3000']);
    for (const bad of ['https://a.example/path', 'a.example', 'ftp://a.example']) {
      expect(() => loadEnv({ CORS_ORIGINS: bad })).toThrow(ConfigError);
    }
  });
});

describe('GraphiQL and introspection', () => {
  const html = { headers: { accept: 'text/html' } };
  const introspect = '{ __schema { queryType { name } } }';

  it('serves both by default, and neither when switched off', async () => {
    const on = testApp();
    expect(
      (await on.yoga.fetch('http://storygraph.test/graphql', html)).headers.get('content-type'),
    ).toContain('text/html');
    expect((await execute(on.yoga, introspect)).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });

    const off = testApp({ exposure: { graphiql: false, introspection: false } });
    const page = await off.yoga.fetch('http://storygraph.test/graphql', html);
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    for (const query of [introspect, '{ __type(name: "Leader") { name } }']) {
      const refused = await execute(off.yoga, query);
      expect(refused.data).toBeUndefined();
      expect(new Set(errorCodes(refused))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    }
    // A typo is refused without naming the fields it was close to: no schema one guess at a time.
    const typo = await execute(off.yoga, '{ leader(slug: "xi-jinping") { nam } }');
    expect(typo.errors?.map((error) => error.message)).toEqual([
      'Cannot query field "nam" on type "Leader".',
    ]);
    const typoOn = await execute(on.yoga, '{ leader(slug: "xi-jinping") { nam } }');
    expect(typoOn.errors?.[0]?.message).toMatch(/Did you mean "name"/);
    // Ordinary queries, __typename included, still work.
    expect(
      (await execute(off.yoga, '{ __typename leader(slug: "xi-jinping") { name } }')).data,
    ).toEqual({
      __typename: 'Query',
      leader: { name: 'Xi Jinping' },
    });
  });

  it('defaults both to off with NODE_ENV=production and lets each be switched', () => {
    const secret = 'x'.repeat(32);
    expect(loadEnv({})).toMatchObject({ GRAPHIQL: true, INTROSPECTION: true });
    expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: secret })).toMatchObject({
      GRAPHIQL: false,
      INTROSPECTION: false,
    });
    expect(
      loadEnv({ NODE_ENV: 'production', JWT_SECRET: secret, GRAPHIQL: 'true', INTROSPECTION: '1' }),
    ).toMatchObject({ GRAPHIQL: true, INTROSPECTION: true });
    expect(() => loadEnv({ GRAPHIQL: 'yes' })).toThrow(ConfigError);
  });

  it('reads the limits from the environment and refuses values out of range', () => {
    expect(loadEnv({})).toMatchObject({
      MAX_REQUEST_BYTES: 1_048_576,
      MAX_SUBSCRIPTIONS_PER_SOCKET: 100,
      MAX_SOCKETS_PER_ADDRESS: 50,
      MAX_SSE_STREAMS_PER_ADDRESS: 50,
      TRUST_PROXY: false,
    });
    expect(loadEnv({ MAX_SOCKETS_PER_ADDRESS: '5', TRUST_PROXY: 'true' })).toMatchObject({
      MAX_SOCKETS_PER_ADDRESS: 5,
      TRUST_PROXY: true,
    });
    for (const bad of [
      { MAX_REQUEST_BYTES: '10' },
      { MAX_SUBSCRIPTIONS_PER_SOCKET: '0' },
      { MAX_SOCKETS_PER_ADDRESS: 'many' },
      { MAX_SSE_STREAMS_PER_ADDRESS: '0' },
    ]) {
      expect(() => loadEnv(bad)).toThrow(ConfigError);
    }
  });
});

describe('the compose proxy', () => {
  it('hides /metrics and /ready and lets the API answer oversized bodies itself', () => {
    const conf = readFileSync(new URL('../deploy/nginx.conf', import.meta.url), 'utf8');
    expect(conf).toMatch(/location ~ \^\/\(metrics\|ready\)\(\/\|\$\) \{\s*return 404;/);
    const [, megabytes] = /client_max_body_size (\d+)m;/.exec(conf) ?? [];
    expect(Number(megabytes) * 1024 * 1024).toBeGreaterThan(DEFAULT_LIMITS.maxRequestBytes);
  });
});

describe('/metrics', () => {
  it('keeps the same series however many operation names and URLs clients make up', async () => {
    const { yoga } = testApp();
    const series = async () => {
      const text = await (await yoga.fetch('http://storygraph.test/metrics')).text();
      return {
        text,
        // The runtime's own series (a garbage collection of a new kind adds one) are not
        // anything a client chose.
        count: text
          .split('\n')
          .filter(
            (line) => line && !line.startsWith('#') && !/^storygraph_(nodejs|process)_/.test(line),
          ).length,
      };
    };
    const send = (name: string) =>
      yoga.fetch(`http://storygraph.test/graphql?x=${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query ${name} { __typename }`, operationName: name }),
      });
    // Warm up every label combination an ordinary request produces.
    for (let i = 0; i < 5; i += 1) await send(`Warm${i}`);
    const before = await series();
    for (let batch = 0; batch < 3_000; batch += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => send(`Made${batch + i}up`)));
    }
    const after = await series();
    expect(after.text).not.toContain('Made1up');
    expect(after.count).toBe(before.count);
    expect(after.text).toMatch(
      /^graphql_envelop_phase_execute_count\{operationType="query"\} \d+$/m,
    );
    // Still counted, by operation type.
    const counted = /graphql_yoga_http_duration_count\{[^}]*operationType="query"\} (\d+)/.exec(
      after.text,
    );
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(3_005);
  }, 120_000);
});
