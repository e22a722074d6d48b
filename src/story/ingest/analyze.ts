import { MAX_SPANS_PER_MENTION } from '../mentions.ts';
import type { ClaimDraft } from '../occurrences.ts';
import { type Attribution, findAttributions } from './attributions.ts';
import { findTimeExpressions, type TimeExpression } from './dates.ts';
import { findClaims } from './find-claims.ts';
import type { FoundMention, KnownEntities } from './known.ts';
import { findMentions } from './matching.ts';
import { findProposals, type Proposal } from './proposals.ts';
import { findQuotes, type Quote } from './quotes.ts';

/** What ingestion learns from one article, before anything is written. */
export interface Analysis {
  mentions: FoundMention[];
  timeExpressions: TimeExpression[];
  attributions: Attribution[];
  quotes: Quote[];
  proposals: Proposal[];
  /** What the article says happens (ingest/find-claims.ts), in text order, headline first. */
  claims: ClaimDraft[];
}

/** The text an analysis reads. */
export interface ArticleText {
  headline: string;
  body: string;
  publishedAt: Date;
}

/**
 * Analyses an article against what the story knows. Pure and offline: the same text and known
 * entities always give the same result, and nothing is read or written.
 */
export function analyzeArticle(article: ArticleText, known: KnownEntities): Analysis {
  const { body, headline, publishedAt } = article;
  const mentions = findMentions(body, known, { publishedAt, headline });
  const attributions = findAttributions(body, {
    headline,
    leaderNames: known.leaders.flatMap((leader) => [leader.name, ...leader.aliases]),
  });
  // Names already explained are not proposed: known entities, and outlets or institutions
  // quoted as sources (they are sources, not actors in the story).
  const taken = [
    ...mentions.flatMap((mention) => mention.spans),
    ...attributions
      .filter((a) => !a.inHeadline && a.source.kind !== 'OFFICIAL' && a.source.kind !== 'OTHER')
      .map((a) => a.span),
  ];
  // Each list is cut to what an editor can use: a text that repeats "next week" ten thousand
  // times would otherwise carry a megabyte of analysis into every read of the article.
  const found: Analysis = {
    mentions: mentions.map((mention) => ({
      ...mention,
      spans: mention.spans.slice(0, MAX_SPANS_PER_MENTION),
    })),
    timeExpressions: findTimeExpressions(body, publishedAt).slice(0, ANALYSIS_LIST_LIMIT),
    attributions: attributions.slice(0, ANALYSIS_LIST_LIMIT),
    quotes: findQuotes(body).slice(0, ANALYSIS_LIST_LIMIT),
    proposals: findProposals(body, taken)
      .slice(0, ANALYSIS_LIST_LIMIT)
      .map((proposal) => ({ ...proposal, spans: proposal.spans.slice(0, MAX_SPANS_PER_MENTION) })),
    claims: [],
  };
  // Claims read the mentions, times and attributions found above.
  found.claims = findClaims(article, found, { known }).slice(0, ANALYSIS_LIST_LIMIT);
  return found;
}

/**
 * The most time expressions, attributions, quotes and proposals one article keeps, each (the
 * first ones in the text). Hundreds is already far more than any real article has.
 */
export const ANALYSIS_LIST_LIMIT = 200;
