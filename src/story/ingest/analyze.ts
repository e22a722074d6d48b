import { type Attribution, findAttributions } from './attributions.ts';
import { findTimeExpressions, type TimeExpression } from './dates.ts';
import { type FoundMention, findMentions, type KnownEntities } from './entities.ts';
import { findProposals, type Proposal } from './proposals.ts';
import { findQuotes, type Quote } from './quotes.ts';

/** What ingestion learns from one article, before anything is written. */
export interface Analysis {
  mentions: FoundMention[];
  timeExpressions: TimeExpression[];
  attributions: Attribution[];
  quotes: Quote[];
  proposals: Proposal[];
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
  return {
    mentions,
    timeExpressions: findTimeExpressions(body, publishedAt),
    attributions,
    quotes: findQuotes(body),
    proposals: findProposals(body, taken),
  };
}
