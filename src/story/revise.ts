// Revising an article: a new headline or body (and perhaps a correction note) that keeps what was
// found in the old text. Every stored span is re-anchored (story/anchors.ts), the new text is
// analysed as ingestion analyses it, links and claims follow the rules of story/revise-plan.ts,
// and the text is kept as a numbered revision: all in one transaction with its events.
import { badInput } from '../core/errors.ts';
import type {
  Article,
  ArticleRevision,
  MentionMatch,
  Prisma,
  PrismaClient,
} from '../generated/prisma/client.ts';
import { type AnchorCounts, noAnchors } from './anchors.ts';
import { articleFoldDetail, articleMentions, claimFoldDetail } from './as-of/details.ts';
import {
  type ChangeRecord,
  checkVersion,
  conflict,
  diffFields,
  type FieldChange,
  notFound,
  type Recorder,
  type Tx,
  type Writer,
  writeChange,
} from './changes.ts';
import { recordClaims } from './claims.ts';
import type { ApiFields } from './entity-writes.ts';
import { encodeGlobalId, idOf } from './global-id.ts';
import type { AnalysisPool } from './ingest/analysis-pool.ts';
import type { Analysis } from './ingest/analyze.ts';
import { loadKnownEntities, readAnalysis, type StoredAnalysis } from './ingest/store.ts';
import { revisionLabel } from './labels.ts';
import { linkNewMentions } from './links.ts';
import { withContext } from './mentions.ts';
import { mentionsOf } from './registry.ts';
import { relatedIds } from './related.ts';
import {
  analysisAfter,
  claimAfter,
  type MentionBefore,
  type MentionFound,
  type MentionPlan,
  newClaims,
  planMentions,
  type Texts,
} from './revise-plan.ts';

/** A revision as `reviseArticle` (or `updateArticle` with a new text) asks for it. */
export interface RevisionInput {
  /** The article's global ID. */
  id: string;
  expectedVersion: number;
  /** The new headline; the current one when absent. */
  headline?: string | null;
  body: string;
  /** When the revision was published; now when absent. */
  revisedAt?: Date | null;
  /** A correction note published with it. */
  correction?: string | null;
  /** Other fields changed in the same write (`updateArticle`'s patch), in column terms. */
  also?: ApiFields;
}

/** What a revision did. */
export interface RevisionResult {
  article: Article;
  /** The revision made; null when the text, the note and every field were already as given. */
  revision: ArticleRevision | null;
  /** How the old text's spans fared. */
  anchors: AnchorCounts;
}

/** The fields a revision's event diffs, besides the text. */
const OTHER_FIELDS = ['slug', 'summary', 'source', 'url', 'publishedAt'] as const;

/**
 * Revises an article. NOT_FOUND for an unknown ID, CONFLICT unless it is at `expectedVersion`,
 * BAD_USER_INPUT for a blank body; the same text without a note writes nothing. The analysis runs
 * before the transaction, on the pool's threads, as ingestion's does.
 */
export async function reviseArticle(
  writer: Writer & { analysis?: AnalysisPool },
  input: RevisionInput,
): Promise<RevisionResult> {
  const id = idOf('Article', input.id);
  if (!input.body.trim()) throw badInput('"body" must not be empty.', { field: 'body' });
  if (input.headline != null && !input.headline.trim()) {
    throw badInput('"headline" must not be empty.', { field: 'headline' });
  }
  const correction = input.correction?.trim() || null;
  const current = await writer.db.article.findUnique({ where: { id } });
  if (!current) notFound('Article', input.id);
  checkVersion('Article', current, input.expectedVersion);
  const headline = input.headline ?? current.headline;
  const also = changedFields(current, input.also ?? {});
  if (
    headline === current.headline &&
    input.body === current.body &&
    !correction &&
    also.length === 0
  ) {
    return { article: current, revision: null, anchors: noAnchors() };
  }
  if (!writer.analysis) throw new Error('A revision needs the analysis pool of the app.');
  const publishedAt = (input.also?.publishedAt as Date | undefined) ?? current.publishedAt;
  const analysis = await writer.analysis.analyze(
    { headline, body: input.body, publishedAt },
    await loadKnownEntities(writer.db),
  );
  const { result } = await writeChange(writer, (tx, record) =>
    writeRevision(tx, record, {
      ...input,
      id: String(id),
      headline,
      correction,
      analysis,
    }),
  );
  return result;
}

/** The fields of `also` whose value differs from the row's. */
function changedFields(current: Article, also: ApiFields): FieldChange[] {
  const patch = Object.fromEntries(OTHER_FIELDS.map((field) => [field, also[field]]));
  const fields = OTHER_FIELDS.filter((field) => patch[field] !== undefined);
  return diffFields(current as unknown as ApiFields, { ...current, ...patch }, fields);
}

type Prepared = RevisionInput & { headline: string; correction: string | null; analysis: Analysis };

async function writeRevision(tx: Tx, record: Recorder, input: Prepared): Promise<RevisionResult> {
  const id = Number(input.id);
  const before = await tx.article.findUnique({ where: { id } });
  if (!before) notFound('Article', encodeGlobalId('Article', id));
  checkVersion('Article', before, input.expectedVersion);
  const texts: Texts = {
    oldHeadline: before.headline,
    newHeadline: input.headline,
    oldBody: before.body,
    newBody: input.body,
  };
  const anchors = noAnchors();
  const stored = analysisAfter(readAnalysis(before.analysis), input.analysis, texts, anchors);
  const mentions = planMentions(
    await mentionRows(tx, id),
    input.analysis.mentions as MentionFound[],
    texts,
    anchors,
  );
  const also = changedFields(before, input.also ?? {});
  const article = await tx.article
    .update({
      where: { id, version: before.version },
      data: {
        headline: input.headline,
        body: input.body,
        analysis: stored as unknown as Prisma.InputJsonValue,
        version: before.version + 1,
        ...Object.fromEntries(also.map((change) => [change.field, input.also?.[change.field]])),
      },
    })
    .catch((error: { code?: string }) => {
      throw error.code === 'P2025' ? conflict('Article', null, before.version) : error;
    });
  // The revision's own event comes first in the log; what follows from it (links, claims) after,
  // so a reader of the feed sees the new text before its consequences.
  const later: ChangeRecord[] = [];
  const buffer: Recorder = async (change) => {
    later.push(change);
  };
  const removed = await applyMentions(tx, buffer, article, mentions);
  await reanchorClaims(tx, buffer, article, texts, input.analysis, anchors);
  const revision = await storeRevision(tx, before, article, input, stored);
  await record({
    kind: 'UPDATED',
    label: revisionLabel(input.correction),
    entityType: 'Article',
    entityId: id,
    entityVersion: article.version,
    changes: [
      ...diffFields(before, article, ['headline', 'body']),
      ...also,
      ...(input.correction ? [{ field: 'correction', before: null, after: input.correction }] : []),
    ],
    relatedIds: [...(await relatedIds(tx, 'Article', id)), ...removed],
    detail: await articleFoldDetail(tx, id),
  });
  for (const change of later) await record(change);
  return { article, revision, anchors };
}

/** Every mention of the article, whatever the type of what it names. */
async function mentionRows(tx: Tx, articleId: number): Promise<MentionBefore[]> {
  return (await articleMentions(tx, articleId)).map(({ type, id, spans, matchedBy }) => ({
    type,
    entityId: id,
    spans,
    matchedBy,
  }));
}

type MentionTable = Record<'update' | 'delete', (args: object) => Promise<unknown>>;

/**
 * Writes the mention plan: spans of kept links updated in place, links gone deleted (UNLINKED,
 * each), new ones created (LINKED, each, with their spans for the fold). All at the revision's
 * version: a revision moves the article one version whatever it links. Returns the global IDs
 * of the entities unlinked, which the revision's event names too.
 */
async function applyMentions(
  tx: Tx,
  record: Recorder,
  article: Article,
  plan: MentionPlan,
): Promise<string[]> {
  const key = (type: MentionBefore['type'], entityId: number) => {
    const spec = mentionsOf(type);
    const where = { [`articleId_${spec.key}`]: { articleId: article.id, [spec.key]: entityId } };
    return { table: tx[spec.table as 'leaderMention'] as unknown as MentionTable, where };
  };
  for (const kept of plan.keep) {
    const { table, where } = key(kept.type, kept.entityId);
    await table.update({ where, data: { spans: kept.spans, matchedBy: kept.matchedBy } });
  }
  const removed: string[] = [];
  for (const gone of plan.remove) {
    const { table, where } = key(gone.type, gone.entityId);
    await table.delete({ where });
    removed.push(encodeGlobalId(gone.type, gone.entityId));
  }
  const related = await relatedIds(tx, 'Article', article.id);
  for (const [index, gone] of plan.remove.entries()) {
    await record({
      kind: 'UNLINKED',
      entityType: 'Article',
      entityId: article.id,
      entityVersion: article.version,
      changes: [{ field: mentionsOf(gone.type).field, before: removed[index], after: null }],
      relatedIds: [...related, removed[index] as string],
    });
  }
  await linkNewMentions(
    tx,
    record,
    article,
    plan.add.map((mention) => ({
      ...mention,
      matchedBy: mention.matchedBy as MentionMatch,
      spans: withContext(article.body, mention.spans),
    })),
  );
  return removed;
}

/**
 * Moves each claim's evidence to where its words are now (a claim whose words are gone is
 * DEPRECATED), logging an UPDATED event for each claim that changed; then records the claims of
 * the new text that no existing claim rests on, as ingestion does.
 */
async function reanchorClaims(
  tx: Tx,
  record: Recorder,
  article: Article,
  texts: Texts,
  analysis: Analysis,
  anchors: AnchorCounts,
): Promise<void> {
  const claims = await tx.claim.findMany({
    where: { articleId: article.id },
    orderBy: { id: 'asc' },
  });
  const after = [];
  for (const claim of claims) {
    const data = claimAfter(claim, texts, anchors);
    after.push({ ...claim, ...data });
    if (Object.keys(data).length === 0) continue;
    const row = await tx.claim.update({
      where: { id: claim.id },
      data: { ...data, version: claim.version + 1 },
    });
    await record({
      kind: 'UPDATED',
      entityType: 'Claim',
      entityId: claim.id,
      entityVersion: row.version,
      changes: [
        ...diffFields(
          { evidence: evidenceOf(claim), rank: claim.rank },
          { evidence: evidenceOf(row), rank: row.rank },
          ['evidence', 'rank'],
        ),
      ],
      relatedIds: await relatedIds(tx, 'Claim', claim.id),
      detail: await claimFoldDetail(tx, claim.id),
    });
  }
  await recordClaims(tx, record, {
    articleId: article.id,
    drafts: newClaims(analysis.claims, after),
    attributions: analysis.attributions,
  });
}

/** A claim's evidence as its events show it: the `TextQuote.span` of the API, with its anchor. */
const evidenceOf = (claim: {
  evidenceStart: number;
  evidenceEnd: number;
  evidenceExact: string;
  evidenceAnchor: string;
}) => ({
  start: claim.evidenceStart,
  end: claim.evidenceEnd,
  text: claim.evidenceExact,
  anchor: claim.evidenceAnchor,
});

/**
 * Stores the new text as the next revision, and first the text it replaces as revision 1 if the
 * article had none: the original is stored lazily, when it is first replaced.
 */
async function storeRevision(
  tx: Tx,
  before: Article,
  article: Article,
  input: Prepared,
  analysis: StoredAnalysis,
): Promise<ArticleRevision> {
  const last = await tx.articleRevision.findFirst({
    where: { articleId: article.id },
    orderBy: { number: 'desc' },
    select: { number: true },
  });
  if (!last) {
    await tx.articleRevision.create({
      data: {
        articleId: article.id,
        number: 1,
        headline: before.headline,
        body: before.body,
        revisedAt: before.publishedAt,
        analysis: before.analysis as Prisma.InputJsonValue,
        // The text it was created with: its event is the article's CREATED one.
        articleVersion: 1,
      },
    });
  }
  return tx.articleRevision.create({
    data: {
      articleId: article.id,
      number: (last?.number ?? 1) + 1,
      headline: article.headline,
      body: article.body,
      correction: input.correction,
      revisedAt: input.revisedAt ?? new Date(),
      analysis: analysis as unknown as Prisma.InputJsonValue,
      articleVersion: article.version,
    },
  });
}

/** The event that made a revision current: the article's first CREATED or UPDATED at its version. */
export async function revisionSequence(
  db: PrismaClient,
  revision: { articleId: number; articleVersion: number },
): Promise<number | null> {
  const event = await db.storyEvent.findFirst({
    where: {
      entityType: 'Article',
      entityId: revision.articleId,
      entityVersion: revision.articleVersion,
      kind: { in: ['CREATED', 'UPDATED'] },
    },
    orderBy: { sequence: 'asc' },
    select: { sequence: true },
  });
  return event?.sequence ?? null;
}
