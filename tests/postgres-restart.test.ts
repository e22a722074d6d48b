import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { maskError } from '../src/core/errors.ts';
import { CONNECT_TIMEOUT_MS, openPostgres } from '../src/infra/db.ts';
import { START_CURSOR } from '../src/live/events.ts';
import { waitUntil } from './helpers/app.ts';
import {
  follow,
  processToken,
  readLog,
  startApi,
  startEditor,
  startPostgres,
} from './helpers/processes.ts';

const SUMMITS = [
  'sco-summit-samarkand-2022',
  'eastern-economic-forum-2022',
  'ccp-national-congress-2022',
];

describe('PostgreSQL restarted under load', () => {
  it('fails requests with SERVICE_UNAVAILABLE while it is down, then delivers every committed event once, in order', async () => {
    const cluster = await startPostgres();
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE storygraph');
    await admin.end();
    // The instance migrates and seeds its own empty database, as `npm start` does.
    const api = await startApi({
      DATABASE_URL: cluster.url('storygraph'),
      MIGRATE_ON_START: 'true',
      FEED_POLL_MS: '500',
    });
    const token = await processToken('editor');

    const followers = [0, 1, 2].map(() => follow(api.url, START_CURSOR));
    const editors = SUMMITS.map((slug, index) => startEditor(api, token, slug, `editor ${index}`));
    const acked = (since = 0) =>
      Math.min(
        ...editors.map((e) => e.attempts.filter((a) => a.at >= since && a.outcome === 'ok').length),
      );
    await waitUntil(() => acked() >= 3, 30_000, 'three acknowledged edits per editor');

    await cluster.stop('fast');
    const downAt = Date.now();
    const failedSince = (since: number) =>
      Math.min(
        ...editors.map((e) => e.attempts.filter((a) => a.at >= since && a.outcome !== 'ok').length),
      );
    await waitUntil(
      () => failedSince(downAt) >= 3,
      30_000,
      'three failed edits per editor while down',
    );

    // Reads fail the same way, quickly, with the reason on /ready; the process itself is fine.
    const read = await api.graphql('{ summits(first: 1) { totalCount } }');
    expect(read.status).toBe(503);
    expect(read.body.errors.map((e: any) => e.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(read.ms).toBeLessThan(CONNECT_TIMEOUT_MS);
    const ready = await api.ready();
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toMatch(/^unreachable: /);
    expect((await fetch(`http://127.0.0.1:${api.port}/health`)).status).toBe(200);
    // A subscriber arriving during the outage.
    const late = follow(api.url, START_CURSOR);
    followers.push(late);

    const restartAt = Date.now();
    await cluster.start();
    const upAt = Date.now();
    await waitUntil(async () => (await api.ready()).status === 200, 30_000, '/ready after restart');
    await waitUntil(
      () => acked(upAt) >= 3,
      30_000,
      'three acknowledged edits per editor after restart',
    );
    await Promise.all(editors.map((editor) => editor.stop()));

    // The outage, as the editors saw it: only coded errors, never a 500 or a hang.
    const attempts = editors.flatMap((editor) => editor.attempts);
    const outcomes = countBy(attempts.map((a) => a.outcome));
    const whileDown = attempts.filter((a) => a.at >= downAt && a.at + a.ms < restartAt);
    console.log(
      `PostgreSQL restart: ${attempts.length} edits, outcomes ${JSON.stringify(outcomes)}; ` +
        `while down: ${whileDown.length} edits, slowest answer ${Math.round(Math.max(...whileDown.map((a) => a.ms)))} ms; ` +
        `subscription endings ${JSON.stringify(followers.map((f) => f.endings))}`,
    );
    expect(Object.keys(outcomes).sort()).toEqual(
      expect.arrayContaining(['ok', 'SERVICE_UNAVAILABLE']),
    );
    for (const outcome of Object.keys(outcomes)) {
      expect(['ok', 'SERVICE_UNAVAILABLE', 'CONFLICT']).toContain(outcome);
    }
    for (const attempt of whileDown) {
      expect(attempt).toMatchObject({ outcome: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(attempt.ms).toBeLessThan(CONNECT_TIMEOUT_MS);
    }

    // The log: gap-free, and holding every acknowledged edit exactly once.
    const log = await readLog(api);
    expect(log.map((event) => event.sequence)).toEqual(log.map((_, index) => index + 1));
    for (const editor of editors) {
      for (const ack of editor.acknowledged) {
        const matching = log.filter(
          (event) => event.entityId === ack.id && event.entityVersion === ack.version,
        );
        expect(matching).toHaveLength(1);
        expect(matching[0]?.changes).toEqual([{ field: 'description', after: ack.description }]);
      }
    }
    // The data agrees with the last event of each summit.
    for (const slug of SUMMITS) {
      const { body } = await api.graphql(`{ summit(slug: "${slug}") { id version description } }`);
      const last = log.filter((event) => event.entityId === body.data.summit.id).at(-1);
      expect(body.data.summit.version).toBe(last?.entityVersion);
      expect(body.data.summit.description).toBe(last?.changes[0]?.after);
    }
    // Subscribers stayed open through the outage, or ended with a coded error and the cursor to
    // resume from (the one that arrived during it could not replay the log until the end).
    for (const follower of followers) {
      for (const ending of follower.endings) {
        expect(ending).toBe('SERVICE_UNAVAILABLE resumeAfter=own cursor');
      }
    }
    expect(late.endings.length).toBeGreaterThan(0);
    // Every subscriber, including the one that arrived during the outage, got the whole log.
    const head = log.at(-1)?.sequence ?? 0;
    for (const follower of followers) {
      await follower.reach(head, 15_000);
      expect(follower.events.map((event) => event.sequence)).toEqual(
        log.map((event) => event.sequence),
      );
    }
  }, 150_000);
});

describe('a database that accepts connections but never answers', () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => {
    sockets.push(socket);
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it(`fails a query with SERVICE_UNAVAILABLE after ${CONNECT_TIMEOUT_MS} ms instead of hanging`, async () => {
    const port = await new Promise<number>((done) =>
      silent.listen(0, '127.0.0.1', () => done((silent.address() as { port: number }).port)),
    );
    const database = openPostgres(`postgresql://postgres@127.0.0.1:${port}/storygraph`, 2);
    const started = Date.now();
    const error = await database.prisma.summit.findFirst().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    const elapsed = Date.now() - started;
    await database.close().catch(() => {});
    expect(elapsed).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(CONNECT_TIMEOUT_MS + 3000);
    const masked = maskError(error, 'Unexpected error.') as {
      extensions?: Record<string, unknown>;
    };
    expect(masked.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  }, 20_000);
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
