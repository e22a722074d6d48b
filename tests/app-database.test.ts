// Each app owns its database: every resolver, loader, feed read and write of an app goes to the
// database it was given (or opened), never to one shared by the process. Two apps in one process
// on two databases stay apart.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openPostgres } from '../src/infra/db.ts';
import { startApp, tokenFor, waitForSubscribers } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';
import { execute } from './helpers/graphql.ts';
import { admin, urlFor } from './helpers/postgres.ts';

const template = inject('templateDatabase');
const other = `${template.replace(/_template$/, '')}_other_${randomBytes(3).toString('hex')}`;
await admin((client) => client.query(`CREATE DATABASE ${other} TEMPLATE ${template}`));
const otherDatabase = openPostgres(urlFor(other), 4, true);
afterAll(async () => {
  await otherDatabase.close();
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${other} WITH (FORCE)`));
});

const CREATE =
  'mutation ($input: CreateLeaderInput!) { createLeader(input: $input) { leader { id slug } } }';
const READ = 'query ($slug: String!) { leader(slug: $slug) { name } }';

describe('two apps in one process', () => {
  it('read, write and deliver on their own databases only', async () => {
    const here = await startApp();
    const there = await startApp({ database: otherDatabase });
    const editor = await tokenFor('editor');
    // A subscriber on each app, following every new leader.
    const SUBSCRIBE = 'subscription { storyEvents { kind changes { field after } } }';
    const heard = {
      here: collect(wsClient(here.url), SUBSCRIBE),
      there: collect(wsClient(there.url), SUBSCRIBE),
    };
    await waitForSubscribers(here, 1);
    await waitForSubscribers(there, 1);

    const input = { slug: 'only-here', name: 'Only Here', title: 'Minister', country: 'Testland' };
    const created = await execute(here.yoga, CREATE, { input }, editor);
    expect(created.errors).toBeUndefined();
    expect((await execute(here.yoga, READ, { slug: 'only-here' })).data.leader).toEqual({
      name: 'Only Here',
    });
    expect((await execute(there.yoga, READ, { slug: 'only-here' })).data.leader).toBeNull();
    expect(await otherDatabase.prisma.leader.count({ where: { slug: 'only-here' } })).toBe(0);

    // The same slug on the other app is no conflict: it is another database.
    const elsewhere = await execute(
      there.yoga,
      CREATE,
      { input: { ...input, name: 'Only There' } },
      editor,
    );
    expect(elsewhere.errors).toBeUndefined();
    expect((await execute(there.yoga, READ, { slug: 'only-here' })).data.leader).toEqual({
      name: 'Only There',
    });
    expect((await execute(here.yoga, READ, { slug: 'only-here' })).data.leader).toEqual({
      name: 'Only Here',
    });

    // Each feed read its own log: one CREATED each. A marker edit on each app, heard only there,
    // shows that nothing from the other app's log arrived in between.
    const mark = (app: typeof here, slug: string) =>
      execute(app.yoga, CREATE, { input: { ...input, slug } }, editor);
    await mark(here, 'marker-here');
    await mark(there, 'marker-there');
    const slugs = (events: { changes: { field: string; after: unknown }[] }[]) =>
      events.map((event) => event.changes.find((change) => change.field === 'slug')?.after);
    expect(slugs(await heard.here.waitFor(2))).toEqual(['only-here', 'marker-here']);
    expect(slugs(await heard.there.waitFor(2))).toEqual(['only-here', 'marker-there']);
    expect(await here.database.prisma.leader.count({ where: { slug: 'marker-there' } })).toBe(0);
    expect(await otherDatabase.prisma.leader.count({ where: { slug: 'marker-here' } })).toBe(0);
  });
});
