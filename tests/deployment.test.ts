import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, TEST_SECRET, tokenFor } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';
import { admin, SCRATCH_PREFIX, urlFor } from './helpers/postgres.ts';
import { startApi } from './helpers/processes.ts';

// The start-up sequence docker-compose.yml runs, without Docker: a one-shot migrate (and seed) on
// an empty database, then two API processes with MIGRATE_ON_START=false sharing PostgreSQL and
// Redis, each on its own port as the two replicas are behind the proxy.
const root = resolve(import.meta.dirname, '..');
const name = `${SCRATCH_PREFIX}${process.ppid}_deploy_${Date.now()}`;

afterAll(async () => {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: urlFor(name),
    REDIS_URL: TEST_REDIS_URL,
    JWT_SECRET: TEST_SECRET,
    MIGRATE_ON_START: 'false',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

function run(
  script: string[],
  extra: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...script], {
      cwd: root,
      env: env(extra),
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code) => done({ code, output }));
  });
}

/** One replica as compose starts it: no migration of its own, Redis shared, the test's secret. */
const startReplica = () =>
  startApi({
    DATABASE_URL: urlFor(name),
    REDIS_URL: TEST_REDIS_URL,
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'info',
  });

describe('the compose start-up sequence, run directly', () => {
  it('migrates once, starts two replicas, and delivers a change across them', async () => {
    await admin((client) => client.query(`CREATE DATABASE ${name}`));

    // A replica started before the migration reports not ready, and why.
    const early = await startReplica();
    const notReady = await fetch(`http://127.0.0.1:${early.port}/ready`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as any).checks.database).toMatch(/pending migrations: .*_init/);
    await early.child.stop('SIGTERM');

    const migrated = await run(['scripts/db.ts', 'migrate']);
    expect(migrated.code).toBe(0);
    const committed = readdirSync(resolve(root, 'prisma/migrations')).filter((name) =>
      /^\d+_/.test(name),
    ).length;
    expect(migrated.output).toContain(`${committed} applied, 0 already applied`);
    const seeded = await run(['scripts/db.ts', 'seed']);
    expect(seeded.code).toBe(0);
    expect(seeded.output).toMatch(/seeded the story \((\d+) events\)/);
    const seedEvents = Number(/\((\d+) events\)/.exec(seeded.output)?.[1]);
    // The one-shot service may run again on the next `docker compose up`: a no-op.
    expect((await run(['scripts/db.ts', 'migrate'])).output).toContain(
      `0 applied, ${committed} already applied`,
    );
    expect((await run(['scripts/db.ts', 'seed'])).output).toMatch(/nothing seeded/);

    const [a, b] = await Promise.all([startReplica(), startReplica()]);
    for (const api of [a, b]) {
      const ready = await fetch(`http://127.0.0.1:${api.port}/ready`);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', pubsub: 'ok' },
      });
    }

    // From the head's cursor: an edit made before B has registered the subscription is replayed,
    // so nothing needs to wait for it.
    const head = await b.graphql('{ storyEvents(last: 1) { edges { cursor } } }');
    const onB = collect(
      wsClient(b.url),
      'subscription ($after: String) { storyEvents(after: $after) { sequence entity changes { field after } } }',
      { after: head.body.data.storyEvents.edges[0].cursor },
    );
    const token = await tokenFor('editor');
    const post = async (query: string, variables: Record<string, unknown> = {}) =>
      (await (
        await fetch(a.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as any;
    const summit = await post('{ summit(slug: "sco-summit-samarkand-2022") { id version } }');
    const updated = await post(
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { status } } }',
      {
        input: {
          id: summit.data.summit.id,
          expectedVersion: summit.data.summit.version,
          patch: { status: 'CONFIRMED' },
        },
      },
    );
    expect(updated.data.updateSummit.summit.status).toBe('CONFIRMED');
    const [event] = await onB.waitFor(1, 5000);
    expect(event).toEqual({
      sequence: seedEvents + 1,
      entity: 'Summit',
      changes: [{ field: 'status', after: 'CONFIRMED' }],
    });

    // SIGTERM: both replicas close cleanly and exit 0.
    expect(await Promise.all([a.child.stop('SIGTERM'), b.child.stop('SIGTERM')])).toEqual([0, 0]);
  }, 120_000);
});
