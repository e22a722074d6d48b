import { encodeGlobalId } from '../core/global-id.ts';
import type { Tx } from './changes.ts';

const ids = (type: string, rows: { id: number }[]) =>
  rows.map((row) => encodeGlobalId(type, row.id));

/**
 * Global IDs of everything linked to an entity right now. Stored on each event so that a reader
 * following a leader also hears of changes to the articles, summits and bodies linked to them.
 */
export const relatedIds = {
  async Leader(tx: Tx, id: number): Promise<string[]> {
    const leader = await tx.leader.findUnique({
      where: { id },
      select: {
        memberships: { select: { organizationId: true } },
        participations: { select: { summitId: true } },
        mentions: { select: { articleId: true } },
      },
    });
    if (!leader) return [];
    return [
      ...ids(
        'Organization',
        leader.memberships.map((m) => ({ id: m.organizationId })),
      ),
      ...ids(
        'Summit',
        leader.participations.map((p) => ({ id: p.summitId })),
      ),
      ...ids(
        'Article',
        leader.mentions.map((m) => ({ id: m.articleId })),
      ),
    ];
  },
  async Organization(tx: Tx, id: number): Promise<string[]> {
    const organization = await tx.organization.findUnique({
      where: { id },
      select: {
        memberships: { select: { leaderId: true } },
        summits: { select: { id: true } },
        mentions: { select: { articleId: true } },
      },
    });
    if (!organization) return [];
    return [
      ...ids(
        'Leader',
        organization.memberships.map((m) => ({ id: m.leaderId })),
      ),
      ...ids('Summit', organization.summits),
      ...ids(
        'Article',
        organization.mentions.map((m) => ({ id: m.articleId })),
      ),
    ];
  },
  async Summit(tx: Tx, id: number): Promise<string[]> {
    const summit = await tx.summit.findUnique({
      where: { id },
      select: {
        organizerId: true,
        participations: { select: { leaderId: true } },
        mentions: { select: { articleId: true } },
      },
    });
    if (!summit) return [];
    return [
      ...(summit.organizerId ? [encodeGlobalId('Organization', summit.organizerId)] : []),
      ...ids(
        'Leader',
        summit.participations.map((p) => ({ id: p.leaderId })),
      ),
      ...ids(
        'Article',
        summit.mentions.map((m) => ({ id: m.articleId })),
      ),
    ];
  },
  async Article(tx: Tx, id: number): Promise<string[]> {
    const article = await tx.article.findUnique({
      where: { id },
      select: {
        leaderMentions: { select: { leaderId: true } },
        organizationMentions: { select: { organizationId: true } },
        summitMentions: { select: { summitId: true } },
      },
    });
    if (!article) return [];
    return [
      ...ids(
        'Leader',
        article.leaderMentions.map((m) => ({ id: m.leaderId })),
      ),
      ...ids(
        'Organization',
        article.organizationMentions.map((m) => ({ id: m.organizationId })),
      ),
      ...ids(
        'Summit',
        article.summitMentions.map((m) => ({ id: m.summitId })),
      ),
    ];
  },
  async Membership(tx: Tx, id: number): Promise<string[]> {
    const membership = await tx.membership.findUnique({ where: { id } });
    if (!membership) return [];
    return [
      encodeGlobalId('Leader', membership.leaderId),
      encodeGlobalId('Organization', membership.organizationId),
    ];
  },
  async Participation(tx: Tx, id: number): Promise<string[]> {
    const participation = await tx.participation.findUnique({ where: { id } });
    if (!participation) return [];
    return [
      encodeGlobalId('Leader', participation.leaderId),
      encodeGlobalId('Summit', participation.summitId),
    ];
  },
};
