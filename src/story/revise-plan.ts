// What a revision does to an article's spans, decided without the database: which mentions keep
// their link (with which spans), which go, which come; the analysis of the new text with each
// item's anchor; where a claim's evidence stands now. story/revise.ts writes it.
import type { MentionMatch } from '../generated/prisma/client.ts';
import {
  type AnchorCounts,
  type AnchorStatus,
  afterRevision,
  anchorSpan,
  countAnchor,
  type StoredSpan,
  storedSpan,
} from './anchors.ts';
import type { Analysis } from './ingest/analyze.ts';
import type { StoredAnalysis } from './ingest/store.ts';
import { overlaps } from './ingest/text.ts';
import { MAX_SPANS_PER_MENTION } from './mentions.ts';
import type { MentionType } from './registry.ts';

/** The article's text before and after the revision. */
export interface Texts {
  oldHeadline: string;
  newHeadline: string;
  oldBody: string;
  newBody: string;
}

/** The old and new text a span indexes: the headline's or the body's. */
const textsOf = (texts: Texts, inHeadline: boolean) =>
  inHeadline ? [texts.oldHeadline, texts.newHeadline] : [texts.oldBody, texts.newBody];

/** The spans stored as JSON on a mention row, without anything malformed. */
export function readStoredSpans(value: unknown): StoredSpan[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (span): span is StoredSpan =>
      typeof span === 'object' &&
      span !== null &&
      typeof span.start === 'number' &&
      typeof span.end === 'number' &&
      typeof span.text === 'string',
  );
}

/** Re-anchors spans of one text, counting each outcome. */
function reanchor(
  oldText: string,
  newText: string,
  spans: readonly StoredSpan[],
  counts: AnchorCounts,
): Required<StoredSpan>[] {
  return spans.map((span) => {
    const anchored = anchorSpan(oldText, newText, span);
    countAnchor(counts, anchored.status);
    return afterRevision(anchored);
  });
}

/** A mention row as the revision reads it. */
export interface MentionBefore {
  type: MentionType;
  entityId: number;
  spans: unknown;
  matchedBy: MentionMatch;
}

/** A mention the new text gives, as ingestion's analysis finds it. */
export type MentionFound = Analysis['mentions'][number] & { type: MentionType };

/** What becomes of the article's mentions. */
export interface MentionPlan {
  /** Links that stay, with their spans and how they are matched now. */
  keep: { type: MentionType; entityId: number; spans: StoredSpan[]; matchedBy: MentionMatch }[];
  /** Links ingestion made whose entity the new text no longer names. */
  remove: { type: MentionType; entityId: number }[];
  /** Entities the new text names that were not linked. */
  add: MentionFound[];
}

/**
 * The mention rule: an editor's link stays, with its spans re-anchored (stale ones flagged); a
 * link ingestion made stays while the new text still names the entity, with its re-anchored
 * spans and the ones the new analysis finds besides, and goes when it does not; an entity the
 * new text names for the first time is linked. Stale spans come last, after the live ones.
 */
export function planMentions(
  rows: readonly MentionBefore[],
  found: readonly MentionFound[],
  texts: Texts,
  counts: AnchorCounts,
): MentionPlan {
  const plan: MentionPlan = { keep: [], remove: [], add: [] };
  const key = (type: string, id: number) => `${type}:${id}`;
  const named = new Map(found.map((mention) => [key(mention.type, mention.id), mention]));
  for (const row of rows) {
    const anchored = reanchor(texts.oldBody, texts.newBody, readStoredSpans(row.spans), counts);
    const live = anchored.filter((span) => span.anchor !== 'STALE');
    const stale = anchored.filter((span) => span.anchor === 'STALE');
    const mention = named.get(key(row.type, row.entityId));
    named.delete(key(row.type, row.entityId));
    if (row.matchedBy === 'EDITOR') {
      plan.keep.push({ ...row, spans: [...live, ...stale] });
    } else if (mention) {
      const fresh = mention.spans
        .filter((span) => !live.some((kept) => overlaps(kept, span)))
        .map((span) => storedSpan(texts.newBody, span.start, span.end));
      const spans = [...[...live, ...fresh].sort((a, b) => a.start - b.start), ...stale];
      plan.keep.push({
        type: row.type,
        entityId: row.entityId,
        spans: spans.slice(0, MAX_SPANS_PER_MENTION),
        matchedBy: mention.matchedBy,
      });
    } else {
      plan.remove.push({ type: row.type, entityId: row.entityId });
    }
  }
  plan.add = [...named.values()];
  return plan;
}

/** An analysis item's place, in the headline or the body. */
const placeKey = (start: number, end: number, inHeadline = false) =>
  `${inHeadline ? 'h' : 'b'}:${start}:${end}`;

/**
 * The new text's analysis as `Article.analysis` stores it, each item marked with how the item it
 * continues fared (EXACT for what the old text did not have). The old items are re-anchored to
 * count them; those that went STALE are not kept: the analysis describes the text as it is, and
 * the revision rows keep every earlier analysis. Proposals already accepted stay accepted.
 */
export function analysisAfter(
  before: StoredAnalysis,
  analysis: Analysis,
  texts: Texts,
  counts: AnchorCounts,
): StoredAnalysis {
  const landed = new Map<string, AnchorStatus>();
  const note = (span: StoredSpan, inHeadline = false) => {
    const [oldText, newText] = textsOf(texts, inHeadline) as [string, string];
    const [anchored] = reanchor(oldText, newText, [span], counts);
    if (anchored && anchored.anchor !== 'STALE') {
      landed.set(placeKey(anchored.start, anchored.end, inHeadline), anchored.anchor);
    }
  };
  for (const item of before.timeExpressions) note(item);
  for (const item of before.quotes) note(item);
  for (const item of before.attributions) note(item.span, item.inHeadline);
  const anchorOf = (start: number, end: number, inHeadline = false) =>
    landed.get(placeKey(start, end, inHeadline)) ?? 'EXACT';
  return {
    timeExpressions: analysis.timeExpressions.map((item) => ({
      ...item,
      anchor: anchorOf(item.start, item.end),
    })),
    attributions: analysis.attributions.map((item) => ({
      ...item,
      span: { ...item.span, anchor: anchorOf(item.span.start, item.span.end, item.inHeadline) },
    })),
    quotes: analysis.quotes.map((item) => ({ ...item, anchor: anchorOf(item.start, item.end) })),
    proposals: analysis.proposals,
    accepted: before.accepted ?? [],
  };
}

/** The columns of a claim that say where its words are. */
export interface ClaimPlace {
  evidenceStart: number;
  evidenceEnd: number;
  evidenceExact: string;
  evidencePrefix: string;
  evidenceSuffix: string;
  evidenceInHeadline: boolean;
  evidenceAnchor: AnchorStatus;
  attributionStart: number | null;
  attributionEnd: number | null;
  attributionInHeadline: boolean | null;
}

/**
 * Where a claim's evidence (and the source it names) stands in the new text. A claim whose
 * evidence went STALE no longer rests on anything the article says: it is ranked DEPRECATED.
 */
export function claimAfter(
  claim: ClaimPlace & { rank: string },
  texts: Texts,
  counts: AnchorCounts,
): Partial<ClaimPlace> & { rank?: 'DEPRECATED' } {
  const [oldText, newText] = textsOf(texts, claim.evidenceInHeadline) as [string, string];
  const evidence = anchorSpan(oldText, newText, {
    start: claim.evidenceStart,
    end: claim.evidenceEnd,
    text: claim.evidenceExact,
    prefix: claim.evidencePrefix,
    suffix: claim.evidenceSuffix,
    anchor: claim.evidenceAnchor,
  });
  countAnchor(counts, evidence.status);
  const after: Partial<ClaimPlace> & { rank?: 'DEPRECATED' } = {
    evidenceStart: evidence.start,
    evidenceEnd: evidence.end,
    evidenceExact: evidence.text,
    evidencePrefix: evidence.prefix,
    evidenceSuffix: evidence.suffix,
    evidenceAnchor: evidence.status,
  };
  if (evidence.status === 'STALE' && claim.rank !== 'DEPRECATED') after.rank = 'DEPRECATED';
  if (
    evidence.status !== 'STALE' &&
    claim.attributionStart !== null &&
    claim.attributionEnd !== null
  ) {
    // The source's name is a span too; where it can not be found it keeps its old offsets. With
    // the evidence gone, they index an older text: nothing to look for.
    const inHeadline = claim.attributionInHeadline ?? false;
    const [oldSource, newSource] = textsOf(texts, inHeadline) as [string, string];
    const source = anchorSpan(oldSource, newSource, {
      start: claim.attributionStart,
      end: claim.attributionEnd,
      text: oldSource.slice(claim.attributionStart, claim.attributionEnd),
    });
    after.attributionStart = source.start;
    after.attributionEnd = source.end;
  }
  // Only what differs: an unmoved claim is not written and logs nothing.
  return Object.fromEntries(
    Object.entries(after).filter(([column, value]) => claim[column as keyof ClaimPlace] !== value),
  );
}

/** The new text's claims that no existing claim already rests on (their words overlap none). */
export function newClaims(
  drafts: Analysis['claims'],
  existing: readonly {
    evidenceStart: number;
    evidenceEnd: number;
    evidenceInHeadline: boolean;
    evidenceAnchor: AnchorStatus;
  }[],
): Analysis['claims'] {
  const live = existing.filter((claim) => claim.evidenceAnchor !== 'STALE');
  return drafts.filter(
    (draft) =>
      !live.some(
        (claim) =>
          claim.evidenceInHeadline === draft.evidence.inHeadline &&
          overlaps(
            { start: claim.evidenceStart, end: claim.evidenceEnd },
            { start: draft.evidence.start, end: draft.evidence.end },
          ),
      ),
  );
}
