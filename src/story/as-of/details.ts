// What events carry besides their diffs so that folding the log rebuilds every table
// (story/as-of/fold.ts): whole rows where a diff would not say enough. Built inside the writing
// transaction, after the rows changed, so they describe what the commit leaves behind.
import type { Claim, MentionMatch, Prisma } from '../../generated/prisma/client.ts';
import type { Tx } from '../changes.ts';
import { MENTION_TYPES, type MentionType, mentionsOf } from '../registry.ts';

/** An article's mentions of one entity, as its mention row holds them. */
export interface MentionDetail {
  type: MentionType;
  id: number;
  spans: Prisma.JsonValue;
  matchedBy: MentionMatch;
}

/**
 * On an article's CREATED event from ingestion and on each revision: its analysis, and (on a
 * revision) every mention it has afterwards, which replace the ones it had.
 */
export interface ArticleFoldDetail {
  analysis: Prisma.JsonValue;
  mentions?: MentionDetail[];
}

/** On a LINKED mention event: the new link's spans and how it was found. */
export interface MentionLinkDetail {
  spans: Prisma.JsonValue;
  matchedBy: MentionMatch;
}

/** A claim's whole row (but its keys and timestamps) with its participants: replaces the claim. */
export interface ClaimFoldDetail {
  claim: Omit<Claim, 'id' | 'createdAt' | 'updatedAt'>;
  participants: { leaderId: number | null; organizationId: number | null }[];
}

type MentionDelegate = {
  findMany(args: object): Promise<(Record<string, unknown> & MentionLinkDetail)[]>;
};

/** Every mention of the article, whatever the type of what it names, as its rows hold them. */
export async function articleMentions(tx: Tx, articleId: number): Promise<MentionDetail[]> {
  const mentions: MentionDetail[] = [];
  for (const type of MENTION_TYPES) {
    const spec = mentionsOf(type);
    const rows = await (tx[spec.table as 'leaderMention'] as unknown as MentionDelegate).findMany({
      where: { articleId },
      orderBy: { id: 'asc' },
    });
    for (const row of rows) {
      mentions.push({
        type,
        id: row[spec.key] as number,
        spans: row.spans,
        matchedBy: row.matchedBy,
      });
    }
  }
  return mentions;
}

/** The article's analysis and all its mentions, as they stand in the transaction. */
export async function articleFoldDetail(tx: Tx, articleId: number): Promise<ArticleFoldDetail> {
  const article = await tx.article.findUniqueOrThrow({
    where: { id: articleId },
    select: { analysis: true },
  });
  return { analysis: article.analysis, mentions: await articleMentions(tx, articleId) };
}

/** The claim as it stands in the transaction, with its participants. */
export async function claimFoldDetail(tx: Tx, claimId: number): Promise<ClaimFoldDetail> {
  const { id, createdAt, updatedAt, participants, ...claim } = await tx.claim.findUniqueOrThrow({
    where: { id: claimId },
    include: { participants: { orderBy: { id: 'asc' } } },
  });
  return {
    claim,
    participants: participants.map(({ leaderId, organizationId }) => ({
      leaderId,
      organizationId,
    })),
  };
}
