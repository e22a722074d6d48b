import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startApp, TEST_SECRET, tokenFor } from './helpers/app.ts';
import { browserSuite, chromiumAvailable, openPage, waitUntilLive } from './helpers/browser.ts';
import { execute } from './helpers/graphql.ts';

const available = chromiumAvailable('STORY VIEW BROWSER TESTS');

/** Where the story view's screenshot is saved; CI keeps it as an artifact. */
export const STORY_SCREENSHOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test-results',
  'story.png',
);

describe.skipIf(!available)('the story pages in a real browser', () => {
  const app = startApp();
  const suite = browserSuite();

  async function edit(query: string, variables: Record<string, unknown> = {}) {
    const { yoga } = await app;
    const result = await execute(yoga, query, variables, suite.editor);
    expect(result.errors).toBeUndefined();
    return result.data;
  }

  async function read(query: string, variables: Record<string, unknown> = {}) {
    const { yoga } = await app;
    const result = await execute(yoga, query, variables);
    expect(result.errors).toBeUndefined();
    return result.data;
  }

  async function open(path: string) {
    const { port } = await app;
    return openPage(suite.browser, port, path);
  }

  it('/live names what changed instead of showing global IDs', async () => {
    const { page, problems } = await open('/live');
    await waitUntilLive(page);
    // The seeded story is in the log already, so there is no waiting (see story-empty.test.ts).
    const waiting = page.locator('#waiting');
    expect(await waiting.isVisible()).toBe(false);

    const { leader, article } = await read(
      '{ leader(slug: "vladimir-putin") { id } article(slug: "xi-and-putin-to-meet-at-sco-summit") { id } }',
    );
    const data = await edit(
      'mutation ($input: UnlinkLeaderFromArticleInput!) { unlinkLeaderFromArticle(input: $input) { article { id history(last: 1) { edges { node { sequence } } } } } }',
      { input: { leaderId: leader.id, articleId: article.id } },
    );
    const sequence = data.unlinkLeaderFromArticle.article.history.edges[0].node.sequence;
    const item = page.locator(`li[data-sequence="${sequence}"]`);
    await item.waitFor({ timeout: 10_000 });
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Article: Xi and Putin set to meet at SCO summit');
    expect(text).toContain('leaders: Vladimir Putin → null');
    expect(text).not.toContain(leader.id);
    expect(text).not.toContain(article.id);
    expect(await waiting.isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('/story shows an edit in both the graph and the timeline without a reload', async () => {
    const story = await read(`{
      leaders { totalCount } organizations { totalCount } summits { totalCount } articles { totalCount }
      summit(slug: "sco-summit-samarkand-2022") { id version }
      organization(slug: "shanghai-cooperation-organization") { id }
    }`);
    const { page, problems } = await open('/story');
    await page.waitForFunction(() => (window as any).storyView?.ready, null, { timeout: 15_000 });
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'live',
      null,
      {
        timeout: 15_000,
      },
    );
    await page.evaluate(() => {
      (window as any).sameDocument = true;
    });
    const total =
      story.leaders.totalCount +
      story.organizations.totalCount +
      story.summits.totalCount +
      story.articles.totalCount;
    expect(await page.evaluate(() => (window as any).storyView.cy.nodes().length)).toBe(total);
    expect(await page.locator('#counts').textContent()).toMatch(
      new RegExp(`^${total} nodes · \\d+ links$`),
    );
    const summitFact = page.locator(`#timeline li[data-id="${story.summit.id}"]`);
    expect(await summitFact.textContent()).toContain('announced');
    expect(await page.locator('#timeline li[data-kind="article"]').count()).toBe(
      story.articles.totalCount,
    );

    // 1. A changed field: the summit's status and last day.
    await edit(
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { id status } } }',
      {
        input: {
          id: story.summit.id,
          expectedVersion: story.summit.version,
          patch: { status: 'CONFIRMED', endsOn: '2022-09-16' },
        },
      },
    );
    await page.waitForFunction(
      (id) => (window as any).storyView.cy.getElementById(id).data('status') === 'CONFIRMED',
      story.summit.id,
      { timeout: 10_000 },
    );
    await expect.poll(() => summitFact.textContent(), { timeout: 10_000 }).toContain('confirmed');
    expect(await summitFact.textContent()).toContain('15 Sep 2022 – 16 Sep 2022');

    // 2. New nodes and links: the host joins the story, with a seat in the SCO and a summit.
    const created = await edit(
      'mutation ($input: CreateLeaderInput!) { createLeader(input: $input) { leader { id } } }',
      {
        input: {
          slug: 'shavkat-mirziyoyev',
          name: 'Shavkat Mirziyoyev',
          title: 'President of Uzbekistan',
          country: 'Uzbekistan',
        },
      },
    );
    const host = created.createLeader.leader.id;
    const seat = await edit(
      'mutation ($input: LinkLeaderToOrganizationInput!) { linkLeaderToOrganization(input: $input) { membership { id } } }',
      {
        input: {
          leaderId: host,
          organizationId: story.organization.id,
          role: 'Head of state of the host country',
          startedOn: '2016-12-14',
        },
      },
    );
    const attendance = await edit(
      'mutation ($input: LinkLeaderToSummitInput!) { linkLeaderToSummit(input: $input) { participation { id } } }',
      { input: { leaderId: host, summitId: story.summit.id, status: 'CONFIRMED' } },
    );
    const membership = seat.linkLeaderToOrganization.membership.id;
    const participation = attendance.linkLeaderToSummit.participation.id;
    await page.waitForFunction(
      (ids) => ids.every((id) => (window as any).storyView.cy.getElementById(id).nonempty()),
      [host, membership, participation],
      { timeout: 10_000 },
    );
    expect(
      await page.evaluate(
        (id) => (window as any).storyView.cy.getElementById(id).data('label'),
        participation,
      ),
    ).toBe('confirmed');
    const seatFact = page.locator(`#timeline li[data-id="${membership}"]`);
    await seatFact.waitFor({ timeout: 10_000 });
    expect(await seatFact.textContent()).toContain('Shavkat Mirziyoyev · SCO');
    expect(await seatFact.textContent()).toContain('14 Dec 2016 – now');
    expect(await page.locator('#latest').textContent()).toContain('Shavkat Mirziyoyev');

    // 3. What an article says happens: its Xi–Putin claims, accepted as one occurrence, appear
    // in the timeline with their status and their source.
    const ingested = await edit(
      `mutation ($input: IngestArticleInput!) {
        ingestArticle(input: $input) { article { id } occurrenceProposals { id modality evidence { inHeadline } } }
      }`,
      {
        input: {
          headline:
            'Russia’s Putin to meet China’s Xi next week in Central Asia: Russian state media',
          body: 'The expected meeting at the Shanghai Cooperation Organization (SCO) summit would be their first since the invasion of Ukraine.',
          publishedAt: '2022-09-07T00:00:00Z',
          source: 'Wire report',
        },
      },
    );
    const [headlineClaim] = ingested.ingestArticle.occurrenceProposals;
    const accepted = await edit(
      `mutation ($input: AcceptOccurrenceProposalInput!) {
        acceptOccurrenceProposal(input: $input) { occurrence { id } }
      }`,
      { input: { articleId: ingested.ingestArticle.article.id, proposalId: headlineClaim.id } },
    );
    const meetingFact = page.locator(
      `#timeline li[data-id="${accepted.acceptOccurrenceProposal.occurrence.id}"]`,
    );
    await meetingFact.waitFor({ timeout: 10_000 });
    const meeting = await meetingFact.textContent();
    expect(meeting).toContain('Meeting: ');
    expect(meeting).toContain('Xi Jinping');
    expect(meeting).toContain('Vladimir Putin');
    expect(meeting).toContain('expected');
    expect(meeting).toContain('12 Sep 2022 – 18 Sep 2022');
    expect(meeting).toContain('1 source: Russian state media');

    expect(await page.evaluate(() => (window as any).sameDocument)).toBe(true);
    expect(problems).toEqual([]);

    // The screenshot CI keeps: wait for the last layout to settle first.
    await page.waitForFunction(
      () => (window as any).storyView.cy.nodes().every((n: any) => !n.animated()),
      null,
      { timeout: 10_000 },
    );
    await mkdir(dirname(STORY_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: STORY_SCREENSHOT });
    console.log(`story view screenshot: ${STORY_SCREENSHOT}`);

    // Labels are shortened; tapping a node names it in full.
    const point = await page.evaluate((id) => {
      const { cy } = (window as any).storyView;
      const box = cy.container().getBoundingClientRect();
      const position = cy.getElementById(id).renderedPosition();
      return { x: box.left + position.x, y: box.top + position.y };
    }, story.organization.id);
    await page.mouse.click(point.x, point.y);
    await expect
      .poll(() => page.locator('#latest').textContent(), { timeout: 5_000 })
      .toBe('Organization: Shanghai Cooperation Organization');
    await page.close();
  });

  it('serves the graph library from the installed package, not a CDN', async () => {
    const { url } = await app;
    const response = await fetch(new URL('/assets/cytoscape.min.js', url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    const { readFile } = await import('node:fs/promises');
    const { createRequire } = await import('node:module');
    const file = createRequire(import.meta.url).resolve('cytoscape/dist/cytoscape.min.js');
    expect(await response.text()).toBe(await readFile(file, 'utf8'));
  });

  it("/story lists an article's revisions under it, with their time and correction note", async () => {
    const { article } = await read(
      '{ article(slug: "xi-and-putin-to-meet-at-sco-summit") { id version body } }',
    );
    const { page, problems } = await open('/story');
    await page.waitForFunction(() => (window as any).storyView?.ready, null, { timeout: 15_000 });
    await waitUntilLive(page);
    const fact = page.locator(`#timeline li[data-id="${article.id}"]`);
    // Never revised: only its original text, which the fact itself already shows.
    expect(await fact.locator('li[data-revision]').count()).toBe(0);
    const note = 'An earlier version gave the wrong day for the meeting.';
    await edit(
      'mutation ($input: ReviseArticleInput!) { reviseArticle(input: $input) { revision { number } } }',
      {
        input: {
          id: article.id,
          expectedVersion: article.version,
          body: article.body.replace('plan to meet next week', 'are set to meet next week'),
          revisedAt: '2022-09-08T10:30:00Z',
          correction: note,
        },
      },
    );
    const second = fact.locator('li[data-revision="2"]');
    await second.waitFor({ timeout: 10_000 });
    expect(await second.textContent()).toBe(`#2 · 8 Sep 2022 10:30 UTC · correction: ${note}`);
    expect(await fact.locator('li[data-revision="1"]').textContent()).toContain('published');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('/story moves through the log with its slider, keeps the past on screen through edits, and returns live', async () => {
    const { page, problems } = await open('/story');
    await page.waitForFunction(() => (window as any).storyView?.ready, null, { timeout: 15_000 });
    await waitUntilLive(page);
    const nodes = () => page.evaluate(() => (window as any).storyView.cy.nodes().length);
    const version = () => page.evaluate(() => (window as any).storyView.version);
    const present = await nodes();
    expect(present).toBeGreaterThan(0);
    // To the start of the log: the empty story, drawn from asOf.
    const before = await version();
    await page.evaluate(() => {
      const slider = document.getElementById('position') as HTMLInputElement;
      slider.value = '0';
      slider.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction((v) => (window as any).storyView.version > v, before);
    expect(await nodes()).toBe(0);
    expect(await page.textContent('#position-text')).toContain('#0');
    // An edit meanwhile moves the slider's end, not what is on screen.
    const max = Number(await page.getAttribute('#position', 'max'));
    const { summit } = await read('{ summit(slug: "sco-summit-samarkand-2022") { id version } }');
    await edit(
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { id } } }',
      {
        input: {
          id: summit.id,
          expectedVersion: summit.version,
          patch: { description: 'Seen from the past' },
        },
      },
    );
    await page.waitForFunction(
      (m) => Number((document.getElementById('position') as HTMLInputElement).max) > m,
      max,
    );
    expect(await nodes()).toBe(0);
    // Live again: the present, with the edit.
    const pinned = await version();
    await page.click('#live-button');
    await page.waitForFunction((v) => (window as any).storyView.version > v, pinned);
    expect(await nodes()).toBe(present);
    expect(await page.textContent('#position-text')).toBe('the present');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens GraphiQL on a storygraph query and subscription, with an Authorization header to fill', async () => {
    const { page, problems } = await open('/graphql');
    await page.getByText('StorySoFar').first().waitFor({ timeout: 15_000 });
    await page.getByText('"Authorization"').first().waitFor({ timeout: 15_000 });
    // GraphiQL stores its tabs a moment after it draws them: wait for that, not a guessed time.
    const readTabs = () =>
      page.evaluate(() => JSON.parse(localStorage.getItem('graphiql:tabState') ?? '{"tabs":[]}'));
    await expect
      .poll(async () => (await readTabs()).tabs[0]?.title, { timeout: 10_000 })
      .toBe('StorySoFar');
    const tabs = await readTabs();
    expect(tabs.tabs[0].title).toBe('StorySoFar');
    expect(tabs.tabs[0].query).toContain('query StorySoFar {');
    expect(tabs.tabs[0].query).toContain('subscription FollowTheStory {');
    expect(tabs.tabs[0].query).toContain('npm run -s token -- --role editor');
    // Run it: the empty Authorization header reads anonymously, without an error.
    await page.locator('.graphiql-execute-button').click();
    // Two operations: GraphiQL asks which one to run.
    const choices = page.getByRole('menuitem');
    await choices.first().waitFor({ timeout: 10_000 });
    expect(await choices.allTextContents()).toEqual(['StorySoFar', 'FollowTheStory']);
    await page.getByRole('menuitem', { name: 'StorySoFar' }).click();
    await page.waitForFunction(
      () =>
        document.body.textContent?.replace(/\u00a0/g, ' ').includes('"name": "SCO Summit 2022"'),
      null,
      { timeout: 15_000 },
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it('/story and /live read a server without anonymous reads, with a token from the address fragment', async () => {
    const closed = await startApp({ auth: { secret: TEST_SECRET, anonymousReads: false } });
    // Without a token: the page says what to do instead of staying empty.
    const bare = await openPage(suite.browser, closed.port, '/story');
    await bare.page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'failed to load',
      null,
      { timeout: 15_000 },
    );
    expect(await bare.page.locator('#timeline').textContent()).toContain('/story#token=<token>');
    await bare.page.close();

    const reader = await tokenFor('reader');
    const { page, problems } = await openPage(suite.browser, closed.port, `/story#token=${reader}`);
    await page.waitForFunction(() => (window as any).storyView?.ready, null, { timeout: 15_000 });
    // The feed's connection_init carried the token: this server closes sockets without one.
    await waitUntilLive(page);
    expect(await page.evaluate(() => (window as any).storyView.cy.nodes().length)).toBeGreaterThan(
      0,
    );
    // The token left the address bar (bookmarks, screen shares) and stays with the tab.
    expect(page.url()).toBe(`http://127.0.0.1:${closed.port}/story`);
    await page.goto(`http://127.0.0.1:${closed.port}/live`);
    await waitUntilLive(page);
    expect(problems).toEqual([]);
    await page.close();
  });
});
