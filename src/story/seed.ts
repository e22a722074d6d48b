import type { Viewer } from '../core/auth.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { writeChange } from './changes.ts';
import { createRow } from './entity-writes.ts';
import { encodeGlobalId } from './global-id.ts';
import { linkMembershipRow, linkMentionRow, linkParticipationRow } from './links.ts';
import { findSpans } from './mentions.ts';
import type { MentionType } from './registry.ts';
import * as story from './seed-story.ts';

/** What a seeding run wrote: zero events when the story was not empty. */
export interface SeedReport {
  events: number;
}

/** The author of the shipped story in the log. */
const SEED: Viewer = { role: 'admin', subject: 'seed' };

const day = (iso: string | null) => (iso ? new Date(`${iso}T00:00:00.000Z`) : null);

/**
 * Writes the shipped story, but only into an empty story: no event in the log and no leader.
 * Once anything was written (the seed itself, or an editor), seeding does nothing, so a deleted
 * entity stays deleted however often start-up or `npm run db:seed` runs.
 *
 * The story goes through the same path as every edit, in one transaction: the log holds a CREATED
 * or LINKED event for each row, so replaying the log from the start rebuilds the story. The check
 * runs under the log's lock, so two instances starting at once seed it once.
 */
export async function seedIfEmpty(db: PrismaClient): Promise<SeedReport> {
  const { events } = await writeChange({ viewer: SEED, db }, async (tx, record) => {
    const [head, leader] = await Promise.all([
      tx.storyHead.findUnique({ where: { id: 1 } }),
      tx.leader.findFirst({ select: { id: true } }),
    ]);
    if ((head?.sequence ?? 0) > 0 || leader) return;

    const rowIds = new Map<string, number>();
    const names = new Map<string, string[]>();
    const created = async (type: MentionType, slug: string, id: number) =>
      rowIds.set(`${type}:${slug}`, id);
    const rowOf = (type: MentionType, slug: string) => rowIds.get(`${type}:${slug}`) as number;
    const idOf = (type: MentionType, slug: string) => encodeGlobalId(type, rowOf(type, slug));

    for (const leader of story.leaders) {
      const row = await createRow(tx, record, 'Leader', { ...leader });
      await created('Leader', leader.slug, row.id);
      names.set(`Leader:${leader.slug}`, [leader.name, ...leader.aliases]);
    }
    for (const { alsoKnownAs = [], ...organization } of story.organizations) {
      const row = await createRow(tx, record, 'Organization', { ...organization });
      await created('Organization', organization.slug, row.id);
      names.set(`Organization:${organization.slug}`, [
        organization.name,
        ...(organization.acronym ? [organization.acronym] : []),
        ...alsoKnownAs,
      ]);
    }
    for (const { alsoKnownAs, organizer, startsOn, endsOn, ...summit } of story.summits) {
      const row = await createRow(tx, record, 'Summit', {
        ...summit,
        startsOn: day(startsOn),
        endsOn: day(endsOn),
        organizer: organizer ? idOf('Organization', organizer) : null,
      });
      await created('Summit', summit.slug, row.id);
      names.set(`Summit:${summit.slug}`, [summit.name, ...alsoKnownAs]);
    }
    for (const { leader, organization, startedOn, ...membership } of story.memberships) {
      await linkMembershipRow(tx, record, {
        ...membership,
        leader: idOf('Leader', leader),
        organization: idOf('Organization', organization),
        startedOn: day(startedOn),
      });
    }
    for (const { leader, summit, ...participation } of story.participations) {
      await linkParticipationRow(tx, record, {
        ...participation,
        leader: idOf('Leader', leader),
        summit: idOf('Summit', summit),
      });
    }
    for (const { leaders, organizations, summits, publishedAt, ...article } of story.articles) {
      const row = await createRow(tx, record, 'Article', {
        ...article,
        publishedAt: new Date(publishedAt),
      });
      const mentioned = [
        ...leaders.map((slug) => ['Leader', slug] as const),
        ...organizations.map((slug) => ['Organization', slug] as const),
        ...summits.map((slug) => ['Summit', slug] as const),
      ];
      for (const [type, slug] of mentioned) {
        await linkMentionRow(
          tx,
          record,
          { articleId: row.id, type, entityId: rowOf(type, slug) },
          findSpans(article.body, names.get(`${type}:${slug}`) ?? []),
        );
      }
    }
  });
  return { events: events.length };
}
