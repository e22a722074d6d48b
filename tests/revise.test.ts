// Revising an article through the API, on a listening app: its spans re-anchored, its links and
// claims following the new text, one transaction with its events, and every refusal writing
// nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { AsOfCache } from '../src/story/as-of/source.ts';
import { type Tables, tablesFromDatabase } from '../src/story/as-of/tables.ts';
import { startApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { errorCodes, execute } from './helpers/graphql.ts';
import { INGEST } from './helpers/ingest-fixtures.ts';

const app = await startApp();
let editor: string;
let reader: string;
let nato: string;

const PARAGRAPHS = [
  'Russian President Vladimir Putin will meet Chinese leader Xi Jinping in Samarkand on Thursday, the Kremlin said. The two leaders will hold talks at the SCO summit.',
  'Li Zhanshu, the third-ranking official in Beijing, met Vladimir Putin in Vladivostok last week, Tass reported.',
  'The meeting will be their first since February, when they declared a partnership without limits that worried the North Atlantic alliance.',
];
const ORIGINAL = {
  headline: 'Putin and Xi to meet in Samarkand',
  body: PARAGRAPHS.join('\n\n'),
  publishedAt: '2022-09-12T08:00:00Z',
  source: 'Test Wire',
  url: 'https://example.test/revise/samarkand',
};
// A paragraph in front, the second one gone, a capital letter fixed and a new name at the end.
const REVISED = [
  'SAMARKAND, 13 September. Security was tightened across the old city ahead of the gathering.',
  PARAGRAPHS[0],
  `${PARAGRAPHS[2]?.replace('North Atlantic alliance', 'North Atlantic Alliance')} Xi is also expected to promote the Belt and Road Initiative.`,
].join('\n\n');

const REVISE = `mutation Revise($input: ReviseArticleInput!) {
  reviseArticle(input: $input) {
    article { id version body headline }
    revision { number headline correction revisedAt sequence }
    anchors { exact moved fuzzy stale }
  }
}`;

const ARTICLE = `query Article($id: ID!) {
  node(id: $id) { ... on Article {
    id version
    mentions(first: 50) { edges { node { matchedBy spans { start end text anchor }
      entity { id ... on Leader { slug } ... on Organization { slug } ... on Summit { slug } } } } }
    attributions { span { text anchor } }
    claims { id rank evidence { exact span { start end text anchor } } }
    revisions { number headline body correction revisedAt sequence }
  } }
}`;

const read = async (id: string) => (await execute(app.yoga, ARTICLE, { id })).data.node;
const head = async () => (await db.storyHead.findUniqueOrThrow({ where: { id: 1 } })).sequence;
const slugOf = (edge: any) => edge.node.entity.slug as string;

let article: { id: string; version: number };

beforeAll(async () => {
  [editor, reader] = await Promise.all([tokenFor('editor'), tokenFor('reader')]);
  nato = (await execute(app.yoga, '{ organization(slug: "nato") { id } }')).data.organization.id;
  const ingested = await execute(app.yoga, INGEST, { input: ORIGINAL }, editor);
  expect(ingested.errors).toBeUndefined();
  const id = ingested.data.ingestArticle.article.id as string;
  // An editor links NATO to words the analysis does not know it by.
  const start = ORIGINAL.body.indexOf('the North Atlantic alliance');
  const linked = await execute(
    app.yoga,
    `mutation ($input: LinkOrganizationToArticleInput!) {
      linkOrganizationToArticle(input: $input) { article { id version } } }`,
    { input: { articleId: id, organizationId: nato, spans: [{ start, end: start + 27 }] } },
    editor,
  );
  expect(linked.errors).toBeUndefined();
  article = linked.data.linkOrganizationToArticle.article;
});

describe('reviseArticle', () => {
  it('re-anchors every span, follows the new text with links and claims, and keeps the revisions', async () => {
    const before = await read(article.id);
    expect(before.revisions).toEqual([
      expect.objectContaining({ number: 1, headline: ORIGINAL.headline, correction: null }),
    ]);
    const met = before.claims.find((claim: any) => claim.evidence.exact === 'met');
    expect(met.rank).toBe('NORMAL');
    const from = await head();

    const result = await execute(
      app.yoga,
      REVISE,
      {
        input: {
          id: article.id,
          expectedVersion: article.version,
          body: REVISED,
          revisedAt: '2022-09-13T09:00:00Z',
        },
      },
      editor,
    );
    expect(result.errors).toBeUndefined();
    const { anchors, revision } = result.data.reviseArticle;
    // Mentions: Putin ×2 (one gone), Xi, "SCO summit", "SCO", Li Zhanshu, NATO's editor span;
    // analysis: Kremlin, Tass, Thursday, last week, February; claims: will meet, will hold talks, met.
    expect(anchors).toEqual({ exact: 0, moved: 9, fuzzy: 1, stale: 5 });
    expect(revision).toMatchObject({ number: 2, correction: null, headline: ORIGINAL.headline });
    expect(result.data.reviseArticle.article.version).toBe(article.version + 1);

    const after = await read(article.id);
    const mentions = Object.fromEntries(after.mentions.edges.map((e: any) => [slugOf(e), e.node]));
    // Li Zhanshu was found by ingestion and is no longer named: unlinked. The Belt and Road
    // Initiative is new: linked. NATO's editor link stays, on its words with a capital letter.
    expect(Object.keys(mentions).sort()).toEqual([
      'belt-and-road-initiative',
      'nato',
      'sco-summit-samarkand-2022',
      'shanghai-cooperation-organization',
      'vladimir-putin',
      'xi-jinping',
    ]);
    expect(mentions.nato).toMatchObject({
      matchedBy: 'EDITOR',
      spans: [{ text: 'the North Atlantic Alliance', anchor: 'FUZZY' }],
    });
    expect(mentions['vladimir-putin'].spans.map((s: any) => [s.text, s.anchor])).toEqual([
      ['Vladimir Putin', 'MOVED'],
      ['Vladimir Putin', 'STALE'],
    ]);
    expect(mentions['belt-and-road-initiative'].spans).toEqual([
      expect.objectContaining({ text: 'Belt and Road Initiative', anchor: 'EXACT' }),
    ]);
    for (const mention of Object.values(mentions) as any[]) {
      for (const span of mention.spans) {
        if (span.anchor !== 'STALE') expect(REVISED.slice(span.start, span.end)).toBe(span.text);
      }
    }
    expect(after.attributions.map((a: any) => [a.span.text, a.span.anchor])).toEqual([
      ['Kremlin', 'MOVED'],
    ]);
    // The claim whose words were deleted is deprecated; the others moved with their words.
    const claims = Object.fromEntries(after.claims.map((c: any) => [c.evidence.exact, c]));
    expect(claims.met).toMatchObject({
      rank: 'DEPRECATED',
      evidence: { span: { anchor: 'STALE' } },
    });
    expect(claims['will meet']).toMatchObject({
      rank: 'NORMAL',
      evidence: { span: { anchor: 'MOVED' } },
    });

    // One transaction: the revision's event first, then its consequences, with nothing between.
    const events = await db.storyEvent.findMany({
      where: { sequence: { gt: from } },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => [e.entityType, e.kind, e.label])).toEqual([
      ['Article', 'UPDATED', 'ARTICLE_REVISED'],
      ['Article', 'UNLINKED', null],
      ['Article', 'LINKED', 'ORGANIZATION_MENTIONED'],
      ['Claim', 'UPDATED', null],
      ['Claim', 'UPDATED', null],
      ['Claim', 'UPDATED', null],
    ]);
    expect(new Set(events.map((e) => e.occurredAt.getTime())).size).toBe(1);
    expect(events[0]?.entityVersion).toBe(article.version + 1);
    expect((events[0]?.changes as any[] | undefined)?.map((c) => c.field)).toEqual(['body']);
    expect(revision.sequence).toBe(events[0]?.sequence);
    const deprecated = events.find(
      (e) => e.entityType === 'Claim' && (e.changes as any[]).some((c) => c.field === 'rank'),
    );
    expect(deprecated?.changes).toContainEqual({
      field: 'rank',
      before: 'NORMAL',
      after: 'DEPRECATED',
    });
    // What the as-of fold needs: the article's analysis and mentions, each claim's whole row.
    const details = await db.storyEventDetail.findMany({
      where: { sequence: { in: events.map((e) => e.sequence) } },
    });
    const revisedDetail = details.find((d) => d.sequence === events[0]?.sequence)?.detail as any;
    expect(revisedDetail.mentions).toHaveLength(6);
    expect(revisedDetail.analysis.attributions).toHaveLength(1);
    for (const event of events.filter((e) => e.entityType === 'Claim' || e.kind === 'LINKED')) {
      expect(details.some((d) => d.sequence === event.sequence)).toBe(true);
    }

    expect(after.revisions.map((r: any) => [r.number, r.revisedAt])).toEqual([
      [1, '2022-09-12T08:00:00.000Z'],
      [2, '2022-09-13T09:00:00.000Z'],
    ]);
    expect(after.revisions[0].body).toBe(ORIGINAL.body);
    expect(after.revisions[1].body).toBe(REVISED);
    article = { id: article.id, version: after.version };
  });

  it('labels a revision with a correction note CORRECTION_ISSUED, carrying the note', async () => {
    const from = await head();
    const note = 'An earlier version misstated where the two leaders last met.';
    const result = await execute(
      app.yoga,
      REVISE,
      {
        input: {
          id: article.id,
          expectedVersion: article.version,
          headline: 'Putin and Xi to hold talks in Samarkand',
          body: REVISED,
          correction: note,
        },
      },
      editor,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.reviseArticle.revision).toMatchObject({ number: 3, correction: note });
    const events = await db.storyEvent.findMany({ where: { sequence: { gt: from } } });
    // One event for the revision; the two claims that had MOVED now stand EXACT, which their
    // rows (and so the log, for the as-of fold) record.
    expect(events.map((e) => [e.entityType, e.label])).toEqual([
      ['Article', 'CORRECTION_ISSUED'],
      ['Claim', null],
      ['Claim', null],
    ]);
    expect(events[1]?.changes).toEqual([
      {
        field: 'evidence',
        before: expect.objectContaining({ text: 'will meet', anchor: 'MOVED' }),
        after: expect.objectContaining({ text: 'will meet', anchor: 'EXACT' }),
      },
    ]);
    expect(events[0]?.changes).toEqual([
      {
        field: 'headline',
        before: ORIGINAL.headline,
        after: 'Putin and Xi to hold talks in Samarkand',
      },
      { field: 'correction', before: null, after: note },
    ]);
    const after = await read(article.id);
    expect(after.revisions.map((r: any) => [r.number, r.correction])).toEqual([
      [1, null],
      [2, null],
      [3, note],
    ]);
    article = { id: article.id, version: after.version };
  });

  it('updateArticle with a new body revises the same way', async () => {
    const from = await head();
    const body = REVISED.replace('Security was tightened', 'Security has been tightened');
    const result = await execute(
      app.yoga,
      `mutation ($input: UpdateArticleInput!) {
        updateArticle(input: $input) { article { id version body } } }`,
      {
        input: {
          id: article.id,
          expectedVersion: article.version,
          patch: { body, summary: 'Talks in Samarkand.' },
        },
      },
      editor,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.updateArticle.article).toMatchObject({ body, version: article.version + 1 });
    const events = await db.storyEvent.findMany({ where: { sequence: { gt: from } } });
    // The revision, then the claims whose words moved with the longer first paragraph.
    expect(events.map((e) => [e.entityType, e.label])).toEqual([
      ['Article', 'ARTICLE_REVISED'],
      ['Claim', null],
      ['Claim', null],
    ]);
    expect((events[0]?.changes as any[] | undefined)?.map((c) => c.field)).toEqual([
      'body',
      'summary',
    ]);
    const after = await read(article.id);
    expect(after.revisions.map((r: any) => r.number)).toEqual([1, 2, 3, 4]);
    expect(after.revisions[3].sequence).toBe(events[0]?.sequence);
    const putin = after.mentions.edges.find((e: any) => slugOf(e) === 'vladimir-putin').node;
    // Three characters longer in front of it: moved, and still on its words.
    expect(putin.spans[0]).toMatchObject({ text: 'Vladimir Putin', anchor: 'MOVED' });
    expect(body.slice(putin.spans[0].start, putin.spans[0].end)).toBe('Vladimir Putin');
    article = { id: article.id, version: after.version };
  });
});

describe('the as-of fold', () => {
  /** The article's own rows (itself, its mentions, its claims), as the fold compares them. */
  function rowsOf(tables: Tables, articleId: number) {
    const plain = (row: object) => {
      const { createdAt, updatedAt, ...rest } = row as Record<string, unknown>;
      return JSON.parse(JSON.stringify(rest));
    };
    const mentions = [tables.leaderMention, tables.organizationMention, tables.summitMention]
      .flatMap((table) => [...(table as Map<string, { articleId: number }>).values()])
      .filter((row) => row.articleId === articleId)
      .map(({ id, ...row }: any) => plain(row));
    return {
      article: plain(tables.article.get(String(articleId)) ?? {}),
      mentions: mentions.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      claims: [...tables.claim.values()].filter((c) => c.articleId === articleId).map(plain),
    };
  }

  it('rebuilds the revised article, its links and its claims from the log alone', async () => {
    const articleId = Number(Buffer.from(article.id, 'base64').toString().split(':')[1]);
    const folded = rowsOf(
      (await new AsOfCache(db, { every: 1_000_000, cacheMb: 1 }).at(await head())).tables,
      articleId,
    );
    const now = rowsOf(await tablesFromDatabase(db), articleId);
    // The fold also keeps each change's field on the row, where no column has its name: the
    // revision's `correction` and a claim's `evidence` (its columns come from the claim's detail).
    // No field reads them; compared here are the columns the tables have.
    const columnsOf = (row: Record<string, unknown>, like: Record<string, unknown>) =>
      Object.fromEntries(Object.keys(like).map((key) => [key, row[key]]));
    expect(columnsOf(folded.article, now.article)).toEqual(now.article);
    expect(folded.mentions).toEqual(now.mentions);
    expect(folded.claims.map((c: any, i: number) => columnsOf(c, now.claims[i]))).toEqual(
      now.claims,
    );
  });
});

describe('refusals write nothing', () => {
  const revise = (input: Record<string, unknown>, token: string = editor) =>
    execute(
      app.yoga,
      REVISE,
      { input: { id: article.id, expectedVersion: article.version, body: REVISED, ...input } },
      token,
    );

  async function writesNothing(attempt: () => Promise<unknown>) {
    const [events, revisions, version] = [
      await head(),
      await db.articleRevision.count(),
      (await read(article.id)).version,
    ];
    const result = await attempt();
    expect(await head()).toBe(events);
    expect(await db.articleRevision.count()).toBe(revisions);
    expect((await read(article.id)).version).toBe(version);
    return result as any;
  }

  it('the same text without a note: no event, no revision, zero counts', async () => {
    const current = await read(article.id);
    const result = await writesNothing(() =>
      execute(
        app.yoga,
        REVISE,
        {
          input: {
            id: article.id,
            expectedVersion: current.version,
            body: current.revisions.at(-1).body,
          },
        },
        editor,
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.reviseArticle).toMatchObject({
      revision: null,
      anchors: { exact: 0, moved: 0, fuzzy: 0, stale: 0 },
    });
  });

  it('BAD_USER_INPUT for a blank body, by reviseArticle and by updateArticle', async () => {
    expect(errorCodes(await writesNothing(() => revise({ body: '  \n ' })))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const update = await writesNothing(() =>
      execute(
        app.yoga,
        `mutation ($input: UpdateArticleInput!) { updateArticle(input: $input) { article { id } } }`,
        { input: { id: article.id, expectedVersion: article.version, patch: { body: '   ' } } },
        editor,
      ),
    );
    expect(errorCodes(update)).toEqual(['BAD_USER_INPUT']);
  });

  it('CONFLICT for a stale version, by reviseArticle and by updateArticle', async () => {
    const stale = await writesNothing(() =>
      revise({ expectedVersion: article.version - 1, body: `${REVISED} More.` }),
    );
    expect(errorCodes(stale)).toEqual(['CONFLICT']);
    const update = await writesNothing(() =>
      execute(
        app.yoga,
        `mutation ($input: UpdateArticleInput!) { updateArticle(input: $input) { article { id } } }`,
        {
          input: {
            id: article.id,
            expectedVersion: article.version - 1,
            patch: { body: 'Other.' },
          },
        },
        editor,
      ),
    );
    expect(errorCodes(update)).toEqual(['CONFLICT']);
  });

  it('NOT_FOUND for an unknown article', async () => {
    const missing = Buffer.from('Article:999999').toString('base64');
    expect(errorCodes(await writesNothing(() => revise({ id: missing })))).toEqual(['NOT_FOUND']);
  });

  it('FORBIDDEN for a reader, as for every edit', async () => {
    const result = await writesNothing(() => revise({ body: `${REVISED} More.` }, reader));
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
  });
});
