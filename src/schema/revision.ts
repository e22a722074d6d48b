// Revisions of an article's text: `reviseArticle`, `Article.revisions` and what a revision tells
// about the spans it moved. The rules are story/revise.ts's and story/anchors.ts's.
import { z } from 'zod';
import type { Context } from '../context.ts';
import type { Article as ArticleRow } from '../generated/prisma/client.ts';
import type { AnchorCounts } from '../story/anchors.ts';
import { reviseArticle, revisionSequence } from '../story/revise.ts';
import { Article } from './article.ts';
import { builder } from './builder.ts';
import { lineSchema, textSchema } from './inputs.ts';

/** A revision as the API shows it: a stored row, or the text of an article never revised. */
interface RevisionItem {
  articleId: number;
  number: number;
  headline: string;
  body: string;
  correction: string | null;
  revisedAt: Date;
  articleVersion: number;
}

const ArticleRevisionRef = builder.objectRef<RevisionItem>('ArticleRevision').implement({
  description:
    "One text an article has had: number 1 is the text it was published with, each revision adds the next. An article's revisions are numbered 1, 2, 3… without gaps.",
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'Its place among the revisions, from 1.' }),
    headline: t.exposeString('headline', { description: 'The headline of this text.' }),
    body: t.exposeString('body', { description: 'The body of this text.' }),
    correction: t.exposeString('correction', {
      nullable: true,
      description: 'The correction note published with it; null for a plain revision.',
    }),
    revisedAt: t.expose('revisedAt', {
      type: 'DateTime',
      description: 'When it was published (for number 1: the article’s `publishedAt`).',
    }),
    sequence: t.int({
      nullable: true,
      description:
        'The position in the story log of the event that made this text current (for number 1, the article’s creation); null if the log holds none, as for articles older than the log.',
      resolve: (revision, _args, ctx) => revisionSequence(ctx.db, revision),
    }),
  }),
});

/** Revision 1 of an article never revised: the text it has. */
const original = (row: { id: number; headline: string; body: string; publishedAt: Date }) => ({
  articleId: row.id,
  number: 1,
  headline: row.headline,
  body: row.body,
  correction: null,
  revisedAt: row.publishedAt,
  articleVersion: 1,
});

/**
 * The revisions an article had at its version `row.version`: revision rows are written once and
 * never change, so those made by then are its revisions as of any position (`asOf` reads them so).
 */
export async function revisionsAsOf(
  db: Context['db'],
  row: { id: number; headline: string; body: string; publishedAt: Date; version: number },
): Promise<RevisionItem[]> {
  const rows = await db.articleRevision.findMany({
    where: { articleId: row.id, articleVersion: { lte: row.version } },
    orderBy: { number: 'asc' },
  });
  return rows.length > 0 ? rows : [original(row)];
}

/** Where a revision's event is in the log: written before the revision is visible, never after. */
export const revisionSequenceOf = (db: Context['db'], revision: RevisionItem) =>
  revisionSequence(db, revision);

builder.prismaObjectFields(Article, (t) => ({
  revisions: t.field({
    type: [ArticleRevisionRef],
    description:
      'Every text the article has had, oldest first: its original as number 1, then each revision.',
    select: {
      id: true,
      headline: true,
      body: true,
      publishedAt: true,
      revisions: { orderBy: { number: 'asc' } },
    },
    resolve: (article) => {
      const row = article as unknown as ArticleRow & { revisions: RevisionItem[] };
      // Revision 1 is stored when the first revision replaces it; until then it is the article.
      return row.revisions.length > 0 ? row.revisions : [original(row)];
    },
  }),
}));

const AnchorCountsRef = builder.objectRef<AnchorCounts>('AnchorCounts').implement({
  description:
    "How the old text's spans fared in a revision, by outcome: mention spans, the analysis' time expressions, attributions and quotes, and claims' evidence.",
  fields: (t) => ({
    exact: t.exposeInt('exact', { description: 'Spans left where they were.' }),
    moved: t.exposeInt('moved', { description: 'Spans whose words were found elsewhere.' }),
    fuzzy: t.exposeInt('fuzzy', { description: 'Spans matched to slightly changed words.' }),
    stale: t.exposeInt('stale', {
      description: 'Spans whose words are gone: kept with their old offsets and flagged.',
    }),
  }),
});

const ReviseArticleInput = builder.inputType('ReviseArticleInput', {
  description:
    'A new text for an article, applied only if `expectedVersion` is still current. The same headline and body without a correction change nothing.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The article's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the text was based on.' }),
    headline: t.string({
      description: 'The new headline; the current one when left out.',
      validate: lineSchema(300),
    }),
    body: t.string({
      required: true,
      description: 'The new body (not blank); every span is re-anchored into it.',
      validate: textSchema(100_000).refine((v) => v.trim().length > 0, 'must not be empty'),
    }),
    revisedAt: t.field({
      type: 'DateTime',
      description: 'When the revision was published; now when left out.',
    }),
    correction: t.string({
      description:
        'A correction note published with the revision: the feed labels the revision CORRECTION_ISSUED and carries the note.',
      validate: z.string().trim().min(1).max(2000),
    }),
  }),
});

const ReviseArticlePayload = builder
  .objectRef<Awaited<ReturnType<typeof reviseArticle>>>('ReviseArticlePayload')
  .implement({
    description: 'The article after a revision, the revision made and how its spans fared.',
    fields: (t) => ({
      article: t.field({
        type: Article,
        description: 'The article as committed.',
        resolve: (payload) => payload.article,
      }),
      revision: t.field({
        type: ArticleRevisionRef,
        nullable: true,
        description: 'The revision made; null when nothing changed (and nothing was written).',
        resolve: (payload) => payload.revision,
      }),
      anchors: t.field({
        type: AnchorCountsRef,
        description: "How the old text's spans fared (all zero when nothing changed).",
        resolve: (payload) => payload.anchors,
      }),
    }),
  });

builder.mutationField('reviseArticle', (t) =>
  t.field({
    type: ReviseArticlePayload,
    description:
      'Replaces an article’s headline and body with a revision. Every stored span is re-anchored in the new text (EXACT, MOVED, FUZZY or STALE), the text is analysed again: links the analysis made follow the new text, editors’ links stay, claims whose words are gone are DEPRECATED and new claims recorded. One transaction; the feed gets ARTICLE_REVISED (CORRECTION_ISSUED with a note), then the LINKED, UNLINKED and claim events. CONFLICT if someone changed the article since `expectedVersion`. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: ReviseArticleInput, required: true, description: 'The new text.' }),
    },
    resolve: (_root, { input }, ctx) =>
      reviseArticle(ctx, {
        id: String(input.id),
        expectedVersion: input.expectedVersion,
        headline: input.headline ?? null,
        body: input.body,
        revisedAt: input.revisedAt ?? null,
        correction: input.correction ?? null,
      }),
  }),
);
