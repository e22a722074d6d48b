import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveSecret, secretFile, signToken } from '../src/core/auth.ts';
import { DEFAULT_LIMITS } from '../src/plugins/limits.ts';
import { deleteEntity } from '../src/story/entity-writes.ts';
import { encodeGlobalId } from '../src/story/global-id.ts';
import { ENTITIES } from '../src/story/registry.ts';
import { seedIfEmpty } from '../src/story/seed.ts';
import { startApp, TEST_SECRET, testApp, tokenFor, waitForSubscribers } from './helpers/app.ts';
import { collect, sseClient, wsClient } from './helpers/clients.ts';
import { db } from './helpers/database.ts';
import { editSummit, errorCodes, execute, idsBySlug } from './helpers/graphql.ts';

const app = await startApp();
const ids: Record<string, string> = {};
let editor: string;

beforeAll(async () => {
  editor = await tokenFor('editor');
  Object.assign(
    ids,
    await idsBySlug(app.yoga, {
      sco: ['summit', 'sco-summit-samarkand-2022'],
      eef: ['summit', 'eastern-economic-forum-2022'],
      sco_org: ['organization', 'shanghai-cooperation-organization'],
      nato: ['organization', 'nato'],
      xi: ['leader', 'xi-jinping'],
      putin: ['leader', 'vladimir-putin'],
    }),
  );
});

const READ = '{ leader(slug: "xi-jinping") { name } }';
const sign = (claims: Record<string, unknown>, secret = TEST_SECRET) => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  return jwt.sign(new TextEncoder().encode(secret));
};
const closeCode = (url: string, token: string) =>
  new Promise<number>((resolve) => {
    wsClient(url, { authorization: `Bearer ${token}` }).on('closed', (event) =>
      resolve((event as { code: number }).code),
    );
  });

describe('tokens', () => {
  it('refuses a token without an expiry, on HTTP and on graphql-ws', async () => {
    const forever = await sign({ role: 'admin' });
    const result = await execute(app.yoga, READ, {}, forever);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.message).toMatch(/expiry/);
    expect(await closeCode(app.url, forever)).toBe(4401);
  });

  it('keeps a socket whose token is valid for 30 days open (no timer overflow)', async () => {
    const monthLong = await tokenFor('reader', { expiresIn: '30d' });
    const client = wsClient(app.url, { authorization: `Bearer ${monthLong}` });
    const closed: number[] = [];
    client.on('closed', (event) => closed.push((event as { code: number }).code));
    // A query answered after the connection was acknowledged: the socket outlived connect.
    const answer = collect(client, READ);
    await answer.ended();
    expect(answer.items).toEqual([{ name: 'Xi Jinping' }]);
    const second = collect(client, READ);
    await second.ended();
    expect(second.items).toHaveLength(1);
    expect(closed).toEqual([]);
  });

  it('ends an SSE subscription when its token expires, with the cursor to resume from', async () => {
    const shortLived = await tokenFor('reader', { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const feed = collect(
      sseClient(app.url, shortLived),
      'subscription { storyEvents { sequence } }',
    );
    await feed.ended(10_000);
    expect(feed.errors).toHaveLength(1);
    expect(feed.errors[0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', reason: 'expired', resumeAfter: expect.any(String) },
    });
  });

  it('checks issuer, audience and the longest lifetime when configured', async () => {
    const strict = await startApp({
      auth: {
        secret: TEST_SECRET,
        issuer: 'newsroom',
        audience: 'storygraph',
        maxLifetimeSeconds: 3600,
      },
    });
    const good = await signToken('reader', TEST_SECRET, {
      expiresIn: '30m',
      issuer: 'newsroom',
      audience: 'storygraph',
    });
    expect((await execute(strict.yoga, READ, {}, good)).data.leader.name).toBe('Xi Jinping');
    const wrongIssuer = await signToken('reader', TEST_SECRET, {
      expiresIn: '30m',
      issuer: 'elsewhere',
      audience: 'storygraph',
    });
    expect(errorCodes(await execute(strict.yoga, READ, {}, wrongIssuer))).toEqual([
      'UNAUTHENTICATED',
    ]);
    // Just under and just over the lifetime cap.
    const underCap = await signToken('reader', TEST_SECRET, {
      expiresIn: '3599s',
      issuer: 'newsroom',
      audience: 'storygraph',
    });
    expect(errorCodes(await execute(strict.yoga, READ, {}, underCap))).toEqual([]);
    const overCap = await signToken('reader', TEST_SECRET, {
      expiresIn: '3601s',
      issuer: 'newsroom',
      audience: 'storygraph',
    });
    const refused = await execute(strict.yoga, READ, {}, overCap);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.errors?.[0]?.message).toMatch(/longer than this server allows/);
  });

  it('refuses a token issued in the future beyond the clock skew, over HTTP and graphql-ws', async () => {
    const strict = await startApp({ auth: { secret: TEST_SECRET, maxLifetimeSeconds: 3600 } });
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = (iat: number, lifetime: number) =>
      new SignJWT({ role: 'editor' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetime)
        .sign(new TextEncoder().encode(TEST_SECRET));
    // Ten years ahead with `exp - iat` under the cap: the lifetime cap alone let it through.
    const tenYears = await issuedAt(now + 10 * 365 * 86400, 1800);
    const refused = await execute(strict.yoga, READ, {}, tenYears);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.errors?.[0]?.message).toMatch(/issued in the future/);
    expect(await closeCode(strict.url, tenYears)).toBe(4401);
    // Just inside and just outside the documented skew (CLOCK_SKEW_SECONDS = 30).
    expect(errorCodes(await execute(strict.yoga, READ, {}, await issuedAt(now + 25, 600)))).toEqual(
      [],
    );
    expect(errorCodes(await execute(strict.yoga, READ, {}, await issuedAt(now + 40, 600)))).toEqual(
      ['UNAUTHENTICATED'],
    );
  });

  it('decides authentication from the headers before reading the body', async () => {
    const closed = testApp({ auth: { secret: TEST_SECRET, anonymousReads: false } });
    const oversized = 'x'.repeat(DEFAULT_LIMITS.maxRequestBytes + 1);
    const post = (headers: Record<string, string>) =>
      closed.yoga.fetch('http://storygraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: oversized,
      });
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<
      string,
      string
    >[]) {
      const refused = await post(headers);
      expect(refused.status).toBe(401);
      const body = (await refused.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    }
    // With a good token the body is read, and its size is the problem.
    const reader = await tokenFor('reader');
    expect((await post({ authorization: `Bearer ${reader}` })).status).toBe(413);
  });

  it('generates a private secret per data directory instead of a public one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storygraph-secret-'));
    const first = resolveSecret({ DATA_DIR: dir });
    expect(first.file).toBe(secretFile(dir));
    expect(first.secret.length).toBeGreaterThanOrEqual(64);
    expect(statSync(secretFile(dir)).mode & 0o777).toBe(0o600);
    expect(resolveSecret({ DATA_DIR: dir }).secret).toBe(first.secret);
    expect(readFileSync(secretFile(dir), 'utf8').trim()).toBe(first.secret);
    const other = resolveSecret({ DATA_DIR: mkdtempSync(join(tmpdir(), 'storygraph-secret-')) });
    expect(other.secret).not.toBe(first.secret);
    expect(resolveSecret({ DATA_DIR: dir, JWT_SECRET: TEST_SECRET })).toEqual({
      secret: TEST_SECRET,
    });
  });
});

describe('the seeded story', () => {
  it('is in the log: replaying it from the start rebuilds every leader, organization and summit', async () => {
    const events = await db.storyEvent.findMany({ orderBy: { sequence: 'asc' } });
    for (const type of ['Leader', 'Organization', 'Summit'] as const) {
      const rows = (await (
        db[type.toLowerCase() as 'leader'].findMany as () => Promise<Record<string, unknown>[]>
      )()) as Record<string, unknown>[];
      for (const row of rows) {
        const rebuilt: Record<string, unknown> = {};
        for (const event of events) {
          if (event.entityType !== type || event.entityId !== row.id) continue;
          for (const change of event.changes as { field: string; after: unknown }[]) {
            rebuilt[change.field] = change.after;
          }
        }
        const rules = ENTITIES[type].fields;
        const fields = Object.keys(rules);
        const expected = Object.fromEntries(
          fields.map((field) => {
            const reference = rules[field]?.references;
            if (reference) {
              const id = row[reference.column] as number | null;
              return [field, id === null ? null : encodeGlobalId(reference.type, id)];
            }
            const value = row[field];
            return [
              field,
              value instanceof Date
                ? value.toISOString().endsWith('T00:00:00.000Z')
                  ? value.toISOString().slice(0, 10)
                  : value.toISOString()
                : value,
            ];
          }),
        );
        // A creation lists what it set; a field it left out is null.
        expect(Object.fromEntries(fields.map((field) => [field, rebuilt[field] ?? null]))).toEqual(
          expected,
        );
      }
    }
    expect(events[0]).toMatchObject({ sequence: 1, kind: 'CREATED', actorRole: 'admin' });
  });

  it('is never written again over a story that has changed: a deleted leader stays deleted', async () => {
    const admin = { viewer: { role: 'admin' as const }, db };
    const created = await execute(
      app.yoga,
      'mutation { createLeader(input: { slug: "to-be-deleted", name: "To Be Deleted", title: "Nobody", country: "Nowhere" }) { leader { id } } }',
      {},
      editor,
    );
    const id = created.data.createLeader.leader.id;
    await deleteEntity(admin, 'Leader', { id });
    const xi = await db.leader.findUniqueOrThrow({ where: { slug: 'xi-jinping' } });
    await deleteEntity(admin, 'Leader', { id: ids.xi as string });
    const head = await db.storyEvent.count();
    expect(await seedIfEmpty(db)).toEqual({ events: 0 });
    expect(await db.storyEvent.count()).toBe(head);
    expect(await db.leader.findUnique({ where: { slug: 'xi-jinping' } })).toBeNull();
    expect(xi.name).toBe('Xi Jinping');
  });
});

describe('events speak GraphQL', () => {
  it('names a changed organizer by field and global ID, with the old and the new one related', async () => {
    const current = await execute(
      app.yoga,
      '{ summit(slug: "eastern-economic-forum-2022") { version organizer { id } } }',
    );
    const before = current.data.summit.organizer?.id ?? null;
    const result = await execute(
      app.yoga,
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { organizer { id } } } }',
      {
        input: {
          id: ids.eef,
          expectedVersion: current.data.summit.version,
          patch: { organizer: ids.nato },
        },
      },
      editor,
    );
    expect(result.errors).toBeUndefined();
    const event = await db.storyEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
    expect(event.changes).toEqual([{ field: 'organizer', before, after: ids.nato }]);
    expect(event.relatedIds).toContain(ids.nato);
    if (before) expect(event.relatedIds).toContain(before);
  });

  it('serves StoryEvent.node as the entity is now, even after a later update', async () => {
    const touch = (description: string) =>
      editSummit(app.yoga, ids.sco as string, description, editor);
    const NODE =
      '{ storyEvents(last: 1, filter: { entityIds: [$id] }) { edges { node { node { ... on Summit { description } } } } } }'.replace(
        '{ storyEvents',
        'query ($id: ID!) { storyEvents',
      );
    await touch('first wording');
    const first = await execute(app.yoga, NODE, { id: ids.sco });
    expect(first.data.storyEvents.edges[0].node.node.description).toBe('first wording');
    await touch('second wording');
    const events = await db.storyEvent.findMany({
      where: { entityType: 'Summit' },
      orderBy: { sequence: 'desc' },
      take: 2,
    });
    const older = await execute(
      app.yoga,
      'query ($before: String) { storyEvents(last: 1, before: $before, filter: { types: [SUMMIT] }) { edges { node { sequence node { ... on Summit { description } } } } } }',
      { before: Buffer.from(`storyEvent:${events[0]?.sequence}`).toString('base64') },
    );
    expect(older.data.storyEvents.edges[0].node).toEqual({
      sequence: events[1]?.sequence,
      node: { description: 'second wording' },
    });
  });
});

describe('transports', () => {
  it('no longer serves the single-connection SSE endpoint', async () => {
    const response = await fetch(`${app.url}/stream`, { method: 'PUT' });
    expect(response.status).toBe(404);
    const reserve = await fetch(`${app.url}/stream`, { method: 'POST', body: '{}' });
    expect(reserve.status).toBe(404);
  });

  it('wakes only its own instance: two apps in one process share no commit listeners', async () => {
    const other = await startApp({ pollMs: 60_000 });
    const onOther = collect(wsClient(other.url), 'subscription { storyEvents { sequence } }');
    await waitForSubscribers(other, 1);
    await editSummit(app.yoga, ids.sco as string, 'heard only by a poll elsewhere', editor);
    // Without Redis the other instance learns of it only at its next poll: ask it now.
    expect(onOther.items).toEqual([]);
    other.feed.wake();
    const [event] = await onOther.waitFor(1);
    expect(event.sequence).toBeGreaterThan(0);
  });
});
