import type { PrismaClient } from '../generated/prisma/client.ts';
import { findSpans } from './mentions.ts';
import * as story from './seed-story.ts';

/** How many rows a seeding run created; zero everywhere on a database that already has the story. */
export interface SeedReport {
  created: number;
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function countRows(tx: Tx): Promise<number> {
  const counts = await Promise.all([
    tx.leader.count(),
    tx.organization.count(),
    tx.summit.count(),
    tx.membership.count(),
    tx.participation.count(),
    tx.article.count(),
    tx.leaderMention.count(),
    tx.organizationMention.count(),
    tx.summitMention.count(),
  ]);
  return counts.reduce((sum, n) => sum + n, 0);
}

const day = (iso: string | null) => (iso ? new Date(`${iso}T00:00:00.000Z`) : null);

/**
 * Writes the shipped story into an empty or partly seeded database, in one transaction.
 * Idempotent: what exists (matched by slug or natural key) is left exactly as editors left it.
 */
export async function seedStory(db: PrismaClient): Promise<SeedReport> {
  return db.$transaction(
    async (tx) => {
      const before = await countRows(tx);
      const leaderIds = new Map<string, number>();
      const organizationIds = new Map<string, number>();
      const summitIds = new Map<string, number>();
      const names = new Map<string, string[]>();

      // An upsert with an empty update creates what is missing and never overwrites an edit.
      for (const leader of story.leaders) {
        const row = await tx.leader.upsert({
          where: { slug: leader.slug },
          create: leader,
          update: {},
        });
        leaderIds.set(leader.slug, row.id);
        names.set(`leader:${leader.slug}`, [leader.name, ...leader.aliases]);
      }
      for (const { alsoKnownAs = [], ...organization } of story.organizations) {
        const row = await tx.organization.upsert({
          where: { slug: organization.slug },
          create: organization,
          update: {},
        });
        organizationIds.set(organization.slug, row.id);
        names.set(`organization:${organization.slug}`, [
          organization.name,
          ...(organization.acronym ? [organization.acronym] : []),
          ...alsoKnownAs,
        ]);
      }
      for (const { alsoKnownAs, organizer, startsOn, endsOn, ...summit } of story.summits) {
        const row = await tx.summit.upsert({
          where: { slug: summit.slug },
          create: {
            ...summit,
            startsOn: day(startsOn) as Date,
            endsOn: day(endsOn),
            organizerId: organizer ? (organizationIds.get(organizer) ?? null) : null,
          },
          update: {},
        });
        summitIds.set(summit.slug, row.id);
        names.set(`summit:${summit.slug}`, [summit.name, ...alsoKnownAs]);
      }
      for (const { leader, organization, startedOn, ...membership } of story.memberships) {
        const key = {
          leaderId: leaderIds.get(leader) as number,
          organizationId: organizationIds.get(organization) as number,
          role: membership.role,
        };
        await tx.membership.upsert({
          where: { leaderId_organizationId_role: key },
          create: { ...key, ...membership, startedOn: day(startedOn) },
          update: {},
        });
      }
      for (const { leader, summit, ...participation } of story.participations) {
        const key = {
          leaderId: leaderIds.get(leader) as number,
          summitId: summitIds.get(summit) as number,
        };
        await tx.participation.upsert({
          where: { leaderId_summitId: key },
          create: { ...key, ...participation },
          update: {},
        });
      }
      for (const { leaders, organizations, summits, publishedAt, ...article } of story.articles) {
        const row = await tx.article.upsert({
          where: { slug: article.slug },
          create: { ...article, publishedAt: new Date(publishedAt) },
          update: {},
        });
        const spansOf = (key: string) => findSpans(row.body, names.get(key) ?? []) as never;
        for (const slug of leaders) {
          const key = { articleId: row.id, leaderId: leaderIds.get(slug) as number };
          await tx.leaderMention.upsert({
            where: { articleId_leaderId: key },
            create: { ...key, spans: spansOf(`leader:${slug}`) },
            update: {},
          });
        }
        for (const slug of organizations) {
          const key = { articleId: row.id, organizationId: organizationIds.get(slug) as number };
          await tx.organizationMention.upsert({
            where: { articleId_organizationId: key },
            create: { ...key, spans: spansOf(`organization:${slug}`) },
            update: {},
          });
        }
        for (const slug of summits) {
          const key = { articleId: row.id, summitId: summitIds.get(slug) as number };
          await tx.summitMention.upsert({
            where: { articleId_summitId: key },
            create: { ...key, spans: spansOf(`summit:${slug}`) },
            update: {},
          });
        }
      }
      return { created: (await countRows(tx)) - before };
    },
    { timeout: 30_000 },
  );
}
