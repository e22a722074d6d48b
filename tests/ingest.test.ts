import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startApp, tokenFor } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';
import { errorCodes, execute } from './helpers/graphql.ts';
import { INGEST } from './helpers/ingest-fixtures.ts';
import { recordSql } from './helpers/sql-recorder.ts';

const app = await startApp();
let editor: string;
let putin: string;
const scratch = mkdtempSync(join(tmpdir(), 'storygraph-ingest-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  editor = await tokenFor('editor');
  const result = await execute(app.yoga, '{ leader(slug: "vladimir-putin") { id } }');
  putin = result.data.leader.id;
});

const ingest = (input: Record<string, unknown>, token: string | null = editor) =>
  execute(app.yoga, INGEST, { input }, token ?? undefined);

/** What a failed write must leave untouched: the articles, the mentions and the log. */
async function storyState() {
  const result = await execute(
    app.yoga,
    `{ articles(first: 1) { totalCount }
       storyEvents(last: 1) { edges { node { sequence } } } }`,
  );
  return {
    articles: result.data.articles.totalCount as number,
    head: (result.data.storyEvents.edges[0]?.node.sequence ?? 0) as number,
  };
}

// A story about people the seeded story mostly does not know.
const CENTRAL_ASIA = {
  headline: 'Putin meets Central Asian leaders in Dushanbe',
  body: [
    'Vladimir Putin held talks in Dushanbe on Thursday with Kyrgyz President Sadyr Japarov and',
    'Tajik President Emomali Rahmon, the Kremlin said. Japarov later told reporters that trade',
    'with Russia had grown “faster than anyone expected” since early 2022.',
  ].join(' '),
  publishedAt: '2022-10-14T10:00:00Z',
  source: 'Test Wire',
  url: 'https://example.test/central-asia',
};

describe('ingestArticle', () => {
  it('links known leaders, resolves dates and sources, and proposes the unknown people', async () => {
    const result = await ingest(CENTRAL_ASIA);
    expect(result.errors).toBeUndefined();
    const { article, proposals, created } = result.data.ingestArticle;
    expect(created).toBe(true);
    expect(article.slug).toBe('putin-meets-central-asian-leaders-in-dushanbe');
    const mentions = article.mentions.edges.map((e: any) => e.node);
    expect(mentions).toEqual([
      {
        matchedBy: 'NAME',
        spans: [{ start: 0, end: 14, text: 'Vladimir Putin' }],
        entity: { __typename: 'Leader', slug: 'vladimir-putin' },
      },
    ]);
    expect(article.mentions.totalCount).toBe(1);
    for (const span of mentions[0].spans) {
      expect(CENTRAL_ASIA.body.slice(span.start, span.end)).toBe(span.text);
    }
    expect(
      proposals.filter((p: any) => p.kind === 'PERSON').map((p: any) => [p.text, p.spans.length]),
    ).toEqual([
      ['Sadyr Japarov', 2],
      ['Emomali Rahmon', 1],
    ]);
    expect(article.timeExpressions).toEqual([
      // Published on a Friday; the talks were held the day before.
      {
        text: 'Thursday',
        start: CENTRAL_ASIA.body.indexOf('Thursday'),
        end: CENTRAL_ASIA.body.indexOf('Thursday') + 8,
        from: '2022-10-13',
        to: '2022-10-13',
        precision: 'DAY',
      },
      expect.objectContaining({
        text: 'early 2022',
        from: '2022-01-01',
        to: '2022-04-30',
        precision: 'PART_OF_YEAR',
      }),
    ]);
    expect(article.attributions.map((a: any) => [a.source.name, a.source.kind])).toEqual([
      ['Kremlin', 'GOVERNMENT'],
      ['Japarov', 'OTHER'],
    ]);
    expect(article.quotes.map((q: any) => q.text)).toEqual(['faster than anyone expected']);
  });

  it('returns the stored article and writes nothing when the same URL comes again', async () => {
    const before = await storyState();
    const again = await ingest({ ...CENTRAL_ASIA, headline: 'Another headline', body: 'Changed.' });
    expect(again.errors).toBeUndefined();
    expect(again.data.ingestArticle.created).toBe(false);
    expect(again.data.ingestArticle.article.slug).toBe(
      'putin-meets-central-asian-leaders-in-dushanbe',
    );
    expect(again.data.ingestArticle.proposals.length).toBeGreaterThan(0);
    expect(await storyState()).toEqual(before);
  });

  it('without a URL, recognises the same headline and body', async () => {
    const input = { ...CENTRAL_ASIA, url: undefined, headline: 'No link for this one' };
    const first = await ingest(input);
    expect(first.data.ingestArticle.created).toBe(true);
    const before = await storyState();
    const second = await ingest(input);
    expect(second.data.ingestArticle.created).toBe(false);
    expect(second.data.ingestArticle.article.id).toBe(first.data.ingestArticle.article.id);
    expect(await storyState()).toEqual(before);
    // A different body is a different article, with a slug of its own.
    const third = await ingest({ ...input, body: `${input.body} More later.` });
    expect(third.data.ingestArticle.created).toBe(true);
    expect(third.data.ingestArticle.article.slug).toBe('no-link-for-this-one-2');
  });

  it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
    const before = await storyState();
    const cases: Record<string, unknown>[] = [
      { ...CENTRAL_ASIA, url: 'https://example.test/empty', body: '   ' },
      { ...CENTRAL_ASIA, url: 'ftp://example.test/x' },
      { ...CENTRAL_ASIA, url: 'https://example.test/slug', slug: 'Not A Slug' },
      { ...CENTRAL_ASIA, url: 'https://example.test/headline', headline: '' },
      { ...CENTRAL_ASIA, url: 'https://example.test/date', publishedAt: 'yesterday' },
      { ...CENTRAL_ASIA, url: 'https://example.test/long', body: 'x'.repeat(100_001) },
    ];
    for (const input of cases) {
      const result = await ingest(input);
      expect(errorCodes(result), JSON.stringify(input).slice(0, 80)).toEqual(['BAD_USER_INPUT']);
      expect(result.data?.ingestArticle ?? null).toBeNull();
    }
    // Just under the limit is fine.
    const long = await ingest({
      ...CENTRAL_ASIA,
      url: 'https://example.test/just-under',
      body: `Vladimir Putin ${'x'.repeat(100_000 - 15)}`,
    });
    expect(long.errors).toBeUndefined();
    expect((await storyState()).articles).toBe(before.articles + 1);
  });

  it('rolls back the whole ingest when the write fails half-way', async () => {
    const before = await storyState();
    // The slug is taken: the article insert fails after the lock is held; nothing may remain.
    const result = await ingest({
      ...CENTRAL_ASIA,
      url: 'https://example.test/taken-slug',
      slug: 'putin-meets-central-asian-leaders-in-dushanbe',
    });
    expect(errorCodes(result)).toEqual(['CONFLICT']);
    expect(await storyState()).toEqual(before);
  });

  it('needs an editor', async () => {
    const input = { ...CENTRAL_ASIA, url: 'https://example.test/auth' };
    expect(errorCodes(await ingest(input, null))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await ingest(input, await tokenFor('reader')))).toEqual(['FORBIDDEN']);
  });
});

describe('the example in docs/ingestion.md', () => {
  it('runs as printed and links what it says', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'docs', 'ingestion.md'), 'utf8');
    const operation = /```graphql\n(mutation IngestArticle \{[\s\S]*?)```/.exec(readme)?.[1];
    expect(operation).toBeDefined();
    const result = await execute(app.yoga, operation as string, {}, editor);
    expect(result.errors).toBeUndefined();
    const { article, created } = result.data.ingestArticle;
    expect(created).toBe(true);
    expect(
      article.mentions.edges.map((e: any) => [e.node.matchedBy, e.node.spans[0].text]),
    ).toEqual([
      ['NAME', 'Xi Jinping'],
      ['NAME', 'Vladimir Putin'],
      ['ALIAS', 'SCO summit'],
      ['ACRONYM', 'SCO'],
    ]);
    expect(article.timeExpressions).toEqual([
      { text: 'next week', from: '2022-09-12', to: '2022-09-18', precision: 'WEEK' },
    ]);
    expect(article.attributions).toEqual([
      { source: { name: 'Tass', kind: 'STATE_MEDIA' }, span: { text: 'Tass' }, inHeadline: false },
    ]);
    const again = await execute(app.yoga, operation as string, {}, editor);
    expect(again.data.ingestArticle.created).toBe(false);
  });
});

describe('acceptProposal', () => {
  const ACCEPT = `mutation Accept($input: AcceptProposalInput!) {
    acceptProposal(input: $input) {
      entity { id __typename ... on Leader { slug name aliases country } }
      article { version proposals { text }
        mentions(first: 10) { edges { node { matchedBy spans { start end text } entity { id } } } } }
    }
  }`;

  it('creates the leader and links every place the article names them', async () => {
    const stored = await execute(
      app.yoga,
      '{ article(slug: "putin-meets-central-asian-leaders-in-dushanbe") { id version } }',
    );
    const { id: articleId, version } = stored.data.article;
    const result = await execute(
      app.yoga,
      ACCEPT,
      { input: { articleId, text: 'sadyr japarov', as: 'LEADER', country: 'Kyrgyzstan' } },
      editor,
    );
    expect(result.errors).toBeUndefined();
    const { entity, article } = result.data.acceptProposal;
    expect(entity).toMatchObject({
      __typename: 'Leader',
      slug: 'sadyr-japarov',
      name: 'Sadyr Japarov',
      aliases: ['Japarov'],
      country: 'Kyrgyzstan',
    });
    expect(article.version).toBe(version + 1);
    expect(article.proposals.map((p: any) => p.text)).not.toContain('Sadyr Japarov');
    const link = article.mentions.edges.find((e: any) => e.node.entity.id === entity.id);
    expect(link.node.matchedBy).toBe('EDITOR');
    expect(link.node.spans.map((s: any) => s.text)).toEqual(['Sadyr Japarov', 'Japarov']);

    // Accepted once: a second time is a CONFLICT naming the leader it became.
    const again = await execute(
      app.yoga,
      ACCEPT,
      { input: { articleId, text: 'Sadyr Japarov', as: 'LEADER' } },
      editor,
    );
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.errors?.[0]?.extensions?.entityId).toBe(entity.id);

    // From now on the story knows him: a new article links him by name.
    const next = await ingest({
      headline: 'Japarov visits Moscow',
      body: 'Sadyr Japarov arrived in Moscow on Monday. Japarov will meet Vladimir Putin.',
      publishedAt: '2022-10-17T09:00:00Z',
      url: 'https://example.test/japarov-moscow',
    });
    const names = next.data.ingestArticle.article.mentions.edges.map((e: any) => [
      e.node.entity.slug,
      e.node.matchedBy,
      e.node.spans.length,
    ]);
    expect(names).toEqual([
      ['sadyr-japarov', 'NAME', 2],
      ['vladimir-putin', 'NAME', 1],
    ]);
  });

  it('creates an organization with the acronym the article gave, and a summit it organizes', async () => {
    const result = await ingest({
      headline: 'Security bloc meets in Yerevan',
      body: 'The Collective Security Treaty Organization (CSTO) held its Yerevan Summit on Wednesday. The CSTO said members would meet again next year.',
      publishedAt: '2022-11-24T09:00:00Z',
      url: 'https://example.test/csto',
    });
    const { article, proposals } = result.data.ingestArticle;
    expect(proposals.map((p: any) => [p.kind, p.text, p.spans.length])).toEqual([
      ['ORGANIZATION', 'Collective Security Treaty Organization', 3],
      ['EVENT', 'Yerevan Summit', 1],
    ]);
    const organization = await execute(
      app.yoga,
      `mutation ($input: AcceptProposalInput!) { acceptProposal(input: $input) {
        entity { id ... on Organization { name acronym kind } } } }`,
      {
        input: {
          articleId: article.id,
          text: 'Collective Security Treaty Organization',
          as: 'ORGANIZATION',
          kind: 'ALLIANCE',
        },
      },
      editor,
    );
    expect(organization.errors).toBeUndefined();
    const csto = organization.data.acceptProposal.entity;
    expect(csto).toMatchObject({ acronym: 'CSTO', kind: 'ALLIANCE' });
    const summit = await execute(
      app.yoga,
      `mutation ($input: AcceptProposalInput!) { acceptProposal(input: $input) {
        entity { ... on Summit { name city startsOn status organizer { id } } }
        article { mentions(first: 10) { totalCount } proposals { text } } } }`,
      {
        input: {
          articleId: article.id,
          text: 'Yerevan Summit',
          as: 'SUMMIT',
          name: 'CSTO Summit 2022',
          city: 'Yerevan',
          country: 'Armenia',
          startsOn: '2022-11-23',
          organizerId: csto.id,
          status: 'CONCLUDED',
        },
      },
      editor,
    );
    expect(summit.errors).toBeUndefined();
    expect(summit.data.acceptProposal).toEqual({
      entity: {
        name: 'CSTO Summit 2022',
        city: 'Yerevan',
        startsOn: '2022-11-23',
        status: 'CONCLUDED',
        organizer: { id: csto.id },
      },
      article: { mentions: { totalCount: 2 }, proposals: [] },
    });
  });

  it('refuses a summit without a start date', async () => {
    const stored = await execute(
      app.yoga,
      '{ article(slug: "putin-meets-central-asian-leaders-in-dushanbe") { id } }',
    );
    const result = await execute(
      app.yoga,
      ACCEPT,
      { input: { articleId: stored.data.article.id, text: 'Emomali Rahmon', as: 'SUMMIT' } },
      editor,
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('under concurrency', () => {
  it('stores one article for one URL: the losers of the race get it back with created: false', async () => {
    const before = await storyState();
    const url = 'https://example.test/race';
    const results = await Promise.all(
      ['First headline', 'Second headline', 'Third headline', 'First headline'].map((headline) =>
        ingest({ ...CENTRAL_ASIA, url, headline, body: `${headline}: Vladimir Putin spoke.` }),
      ),
    );
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const answers = results.map((result) => result.data.ingestArticle);
    expect(answers.filter((answer) => answer.created)).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.article.id)).size).toBe(1);
    const after = await storyState();
    expect(after.articles).toBe(before.articles + 1);
  });

  it('stores one article for one headline and body without a URL, however many send it at once', async () => {
    const before = await storyState();
    const input = {
      ...CENTRAL_ASIA,
      url: undefined,
      headline: 'Same text twice',
      body: 'Same body.',
    };
    const results = await Promise.all([1, 2, 3].map(() => ingest(input)));
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    expect(results.map((result) => result.data.ingestArticle.created).sort()).toEqual([
      false,
      false,
      true,
    ]);
    expect((await storyState()).articles).toBe(before.articles + 1);
  });

  it('accepts one proposal once: concurrent acceptances with different slugs make one leader', async () => {
    const article = (
      await ingest({
        headline: 'A guest from the Balkans',
        body: 'Aleksandar Vucic arrived in Samarkand on Thursday. Vucic spoke after the hosts.',
        publishedAt: '2022-09-15T09:00:00Z',
        url: 'https://example.test/balkan-guest',
      })
    ).data.ingestArticle.article;
    const accept = (slug: string) =>
      execute(
        app.yoga,
        `mutation ($input: AcceptProposalInput!) { acceptProposal(input: $input) { entity { id } } }`,
        { input: { articleId: article.id, text: 'Aleksandar Vucic', as: 'LEADER', slug } },
        editor,
      );
    const results = await Promise.all(['vucic-a', 'vucic-b', 'vucic-c'].map(accept));
    const won = results.filter((result) => !result.errors);
    expect(won).toHaveLength(1);
    const entityId = won[0]?.data.acceptProposal.entity.id;
    const lost = results.filter((result) => result.errors);
    expect(lost.map(errorCodes)).toEqual([['CONFLICT'], ['CONFLICT']]);
    expect(lost.map((result) => result.errors?.[0]?.extensions?.entityId)).toEqual([
      entityId,
      entityId,
    ]);
    const leaders = await execute(
      app.yoga,
      '{ a: leader(slug: "vucic-a") { id } b: leader(slug: "vucic-b") { id } c: leader(slug: "vucic-c") { id } }',
    );
    expect(Object.values(leaders.data).filter(Boolean)).toHaveLength(1);
  });
});

describe('linking in bulk', () => {
  it('sends as many SQL statements for an article with 30 mentions as for one with 3', async () => {
    // Thirty leaders the story knows, with names no other test uses.
    const names = Array.from(
      { length: 30 },
      (_, i) => `Bulkname Testperson${String.fromCharCode(97 + (i % 26))}${i}`,
    );
    for (const [i, name] of names.entries()) {
      const created = await execute(
        app.yoga,
        'mutation ($input: CreateLeaderInput!) { createLeader(input: $input) { leader { id } } }',
        { input: { slug: `bulk-leader-${i}`, name, title: 'Minister', country: 'Testland' } },
        editor,
      );
      expect(errorCodes(created)).toEqual([]);
    }
    const article = (count: number) => ({
      headline: `Bulk linking with ${count} leaders`,
      body: `${names.slice(0, count).join(' met with ')} on Monday.`,
      publishedAt: '2022-09-07T00:00:00Z',
      url: `https://example.test/bulk-${count}`,
    });
    const few = await recordSql(() => ingest(article(3)));
    const many = await recordSql(() => ingest(article(30)));
    expect(few.result.data.ingestArticle.article.mentions.totalCount).toBe(3);
    expect(many.result.data.ingestArticle.article.mentions.totalCount).toBe(30);
    // The feed's own reads of the log run on their own schedule: they are not the ingestion's.
    const ingestion = (statements: string[]) =>
      statements.filter((sql) => !/^SELECT .* FROM "public"\."StoryEvent"/s.test(sql));
    expect(ingestion(many.statements)).toHaveLength(ingestion(few.statements).length);
    expect(ingestion(many.statements).length).toBeLessThan(20);
    // One article version, and one LINKED event per link after its CREATED event.
    const log = await execute(
      app.yoga,
      // The article's own events (its claims have theirs, written in the same statements).
      '{ storyEvents(last: 31, filter: { types: [ARTICLE] }) { edges { node { kind entityVersion } } } }',
    );
    const kinds = log.data.storyEvents.edges.map((edge: any) => edge.node.kind);
    expect(kinds).toEqual(['CREATED', ...Array(30).fill('LINKED')]);
    expect(new Set(log.data.storyEvents.edges.map((edge: any) => edge.node.entityVersion))).toEqual(
      new Set([1]),
    );
  });
});

describe('live feed', () => {
  it('tells a subscriber following a leader about each new article that names them', async () => {
    const head = await execute(app.yoga, '{ storyEvents(last: 1) { edges { node { cursor } } } }');
    // Resuming from the current head replays nothing and then goes live, with no gap: no need
    // to wait for the subscription to be registered before writing.
    const feed = collect(
      wsClient(app.url),
      `subscription ($after: String, $filter: StoryEventFilter) {
        storyEvents(after: $after, filter: $filter) { kind label entity entityId }
      }`,
      { after: head.data.storyEvents.edges[0].node.cursor, filter: { mentioning: putin } },
    );
    const unrelated = await ingest({
      headline: 'Biden speaks in Ohio',
      body: 'Joe Biden spoke about jobs in Ohio on Tuesday.',
      publishedAt: '2022-10-18T12:00:00Z',
      url: 'https://example.test/ohio',
    });
    expect(unrelated.errors).toBeUndefined();
    const named = await ingest({
      headline: 'Putin addresses security council',
      body: 'Russian President Vladimir Putin chaired a meeting of his security council. Putin said little.',
      publishedAt: '2022-10-18T15:00:00Z',
      url: 'https://example.test/security-council',
    });
    const articleId = named.data.ingestArticle.article.id;
    const events = await feed.waitFor(2, 20_000);
    expect(events).toEqual([
      { kind: 'CREATED', label: 'ARTICLE_INGESTED', entity: 'Article', entityId: articleId },
      { kind: 'LINKED', label: 'LEADER_MENTIONED', entity: 'Article', entityId: articleId },
    ]);
    expect(feed.errors).toEqual([]);
    feed.unsubscribe();
  });
});

describe('npm run ingest', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npx', ['tsx', 'scripts/ingest.ts', ...args], {
        env: { ...process.env, NODE_ENV: 'development', STORYGRAPH_URL: '', REDIS_URL: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`ingest CLI did not finish: ${stdout}${stderr}`));
      }, 90_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });

  it('ingests a file through the API, prints the links, and is idempotent', async () => {
    const file = join(scratch, 'article.txt');
    writeFileSync(
      file,
      'Samarkand talks next week\nChinese President Xi Jinping will meet Vladimir Putin at the SCO summit next week, according to Tass.\n',
    );
    const args = [file, '--published', '2022-09-07', '--url', 'https://example.test/cli'];
    const first = await run(args);
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('ingested: samarkand-talks-next-week\n');
    expect(first.stdout).toMatch(/Leader\s+Xi Jinping\s+\[NAME\]/);
    expect(first.stdout).toMatch(/Summit\s+SCO Summit 2022\s+\[ALIAS\] 1× "SCO summit"/);
    expect(first.stdout).toContain('"next week" → 2022-09-12 … 2022-09-18 (WEEK)');
    expect(first.stdout).toContain('Tass (STATE_MEDIA)');
    // The server sees the article the CLI wrote.
    const stored = await execute(
      app.yoga,
      '{ article(slug: "samarkand-talks-next-week") { source mentions { totalCount } } }',
    );
    expect(stored.data.article).toEqual({ source: 'example.test', mentions: { totalCount: 4 } });

    const second = await run(args);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already ingested (nothing changed)');
  }, 200_000);

  it('sends the article to a running server when STORYGRAPH_URL is set', async () => {
    const file = join(scratch, 'remote.txt');
    writeFileSync(file, 'Putin at the forum\nVladimir Putin spoke in Vladivostok on Wednesday.\n');
    const result = await run([file, '--published', '2022-09-07', '--source', 'Wire'], {
      STORYGRAPH_URL: app.url,
      TOKEN: editor,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ingested: putin-at-the-forum');
    expect(result.stdout).toContain('"Wednesday" → 2022-09-07 (DAY)');
    const stored = await execute(app.yoga, '{ article(slug: "putin-at-the-forum") { source } }');
    expect(stored.data.article).toEqual({ source: 'Wire' });
  }, 100_000);

  it('prints one line and exits 1 when the server can not be reached', async () => {
    const file = join(scratch, 'unreachable.txt');
    writeFileSync(file, 'Nobody listens\nA body.\n');
    const closedPort = await freePort();
    const url = `http://127.0.0.1:${closedPort}/graphql`;
    const result = await run([file, '--published', '2022-09-07'], {
      STORYGRAPH_URL: url,
      TOKEN: editor,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`can not reach ${url}: ECONNREFUSED\n`);
  }, 100_000);

  it('prints its usage and exits 2 without --published', async () => {
    const result = await run([join(scratch, 'missing.txt')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run ingest');
  }, 100_000);
});

describe('reading ingested articles', () => {
  it('loads mentions and analysis with the articles, not once per article', async () => {
    const query = `query ($first: Int!) {
      articles(first: $first) { edges { node {
        mentions(first: 10) { totalCount edges { node { matchedBy entity { id } spans { text } } } }
        timeExpressions { text } attributions { source { name } } quotes { text } proposals { text }
      } } }
    }`;
    // Prisma skips a nested query when no row needs it, so both pages hold leaders,
    // organizations and summits (the four newest include the CSTO article and its summit).
    const few = await recordSql(() => execute(app.yoga, query, { first: 4 }));
    const many = await recordSql(() => execute(app.yoga, query, { first: 12 }));
    expect(many.result.errors).toBeUndefined();
    // Every article this file ingested, and the seeded ones: well over the first page of four.
    expect(many.result.data.articles.edges.length).toBeGreaterThanOrEqual(10);
    if (many.statements.length !== few.statements.length)
      console.log(
        JSON.stringify(
          {
            few: few.statements.map((q) => q.slice(0, 90)),
            many: many.statements.map((q) => q.slice(0, 90)),
          },
          null,
          1,
        ),
      );
    expect(many.statements.length).toBe(few.statements.length);
  });
});
