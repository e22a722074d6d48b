import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startApp } from './helpers/app.ts';
import { browserSuite, chromiumAvailable, openPage, waitUntilLive } from './helpers/browser.ts';
import { execute } from './helpers/graphql.ts';

const available = chromiumAvailable('EMPTY-STORY BROWSER TESTS');

// This file needs a story with nothing in it, as a database that was migrated but never seeded:
// empty this file's copy of the seeded template before the app opens it.
if (available) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public'
         AND tablename NOT IN ('_prisma_migrations', 'StoryHead')`,
    );
    await client.query(
      `TRUNCATE ${rows.map((row) => `"${row.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
    );
    await client.query('UPDATE "StoryHead" SET "sequence" = 0');
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)('the story pages on an empty story, in a real browser', () => {
  const app = startApp();
  const suite = browserSuite();

  async function edit(query: string, variables: Record<string, unknown>) {
    const { yoga } = await app;
    const result = await execute(yoga, query, variables, suite.editor);
    expect(result.errors).toBeUndefined();
    return result.data;
  }

  it('/live and /story say they are waiting, then show the first edit', async () => {
    const { port, yoga } = await app;
    const empty = await execute(yoga, '{ storyEvents(first: 1) { edges { cursor } } }');
    expect(empty.data.storyEvents.edges).toEqual([]);

    const live = await openPage(suite.browser, port, '/live');
    const story = await openPage(suite.browser, port, '/story');
    await waitUntilLive(live.page);
    await waitUntilLive(story.page);
    const waiting = live.page.locator('#waiting');
    expect(await waiting.isVisible()).toBe(true);
    expect(await waiting.textContent()).toContain('Waiting for the first edit');
    expect(await story.page.locator('#timeline #waiting').textContent()).toContain(
      'Nothing dated in the story yet',
    );
    expect(await story.page.evaluate(() => (window as any).storyView.cy.nodes().length)).toBe(0);

    const created = await edit(
      'mutation ($input: CreateSummitInput!) { createSummit(input: $input) { summit { id } } }',
      {
        input: {
          slug: 'sco-summit-samarkand-2022',
          name: 'SCO Summit 2022',
          city: 'Samarkand',
          country: 'Uzbekistan',
          startsOn: '2022-09-15',
          endsOn: '2022-09-16',
          status: 'CONFIRMED',
        },
      },
    );
    const summit = created.createSummit.summit.id;

    const item = live.page.locator('li[data-sequence="1"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toContain('Summit: SCO Summit 2022');
    expect(await waiting.isVisible()).toBe(false);

    const fact = story.page.locator(`#timeline li[data-id="${summit}"]`);
    await fact.waitFor({ timeout: 10_000 });
    expect(await fact.textContent()).toContain('15 Sep 2022 – 16 Sep 2022');
    expect(await story.page.locator('#timeline #waiting').count()).toBe(0);
    await story.page.waitForFunction(
      (id) => (window as any).storyView.cy.getElementById(id).nonempty(),
      summit,
      { timeout: 10_000 },
    );

    expect([...live.problems, ...story.problems]).toEqual([]);
    await live.page.close();
    await story.page.close();
  });
});
