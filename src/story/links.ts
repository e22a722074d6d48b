import { ErrorCode, userError } from '../core/errors.ts';
import type {
  Article,
  Membership,
  MentionMatch,
  Participation,
  Summit,
} from '../generated/prisma/client.ts';
import type { StoredSpan } from './anchors.ts';
import type { MentionLinkDetail } from './as-of/details.ts';
import { notFound, type Recorder, type Tx, type Writer, writeChange } from './changes.ts';
import { createRow, deleteRow, updateRow } from './entity-writes.ts';
import { encodeGlobalId, idOf } from './global-id.ts';
import { mentionLabel, participationLabel } from './labels.ts';
import { checkSpans, MAX_SPANS_PER_MENTION, type SpanInput, samePlaces } from './mentions.ts';
import { MENTION_TYPES, type MentionType, mentionsOf } from './registry.ts';
import { relatedIds } from './related.ts';

/**
 * Links between entities, with one rule for every kind:
 * - linking is idempotent: the same link again changes nothing and logs nothing;
 * - a link that already exists with other values is a CONFLICT (change it with its update
 *   mutation, which checks the version, or unlink it first): a link never overwrites silently;
 * - unlinking what is not linked is NOT_FOUND;
 * - link, update and unlink of one kind return the same payload.
 * A summit's organizer is a field of the summit: setting it replaces the previous one, guarded by
 * the summit's version when one is given.
 */

/** Links a row if absent; returns it unchanged if present with the same values. */
async function linkRow<Row>(
  existing: Row | null,
  same: (row: Row) => boolean,
  conflict: string,
  create: () => Promise<Row>,
): Promise<Row> {
  if (!existing) return create();
  if (same(existing)) return existing;
  throw userError(ErrorCode.CONFLICT, conflict);
}

/** Removes a linked row; NOT_FOUND when there is none. Returns the row as it was. */
async function unlinkRow<Row>(
  existing: Row | null,
  missing: string,
  remove: (row: Row) => Promise<void>,
): Promise<Row> {
  if (!existing) throw userError(ErrorCode.NOT_FOUND, missing);
  await remove(existing);
  return existing;
}

// --- Mentions: an article names a leader, an organization or a summit. ---

export type { MentionType };

type MentionRow = { id: number; spans: unknown };
type MentionCall = (args: object) => Promise<MentionRow | null>;
type MentionRows = Record<'findUnique' | 'create' | 'delete', MentionCall>;

/** What a mention link names, as the API gives it: global IDs. */
export interface MentionLink {
  articleId: string;
  type: MentionType;
  /** The global ID of the leader, organization or summit. */
  entityId: string;
}

/** A mention link by row IDs: what the story layer works with once the IDs are decoded. */
export interface MentionRef {
  articleId: number;
  type: MentionType;
  entityId: number;
}

/** Decodes a link's global IDs, once (BAD_USER_INPUT for an ID of the wrong type). */
const decodeLink = (link: MentionLink): MentionRef => ({
  articleId: idOf('Article', link.articleId),
  type: link.type,
  entityId: idOf(link.type, link.entityId),
});

/** The mention rows of a type, and the unique key of one article's mention of one entity. */
function mentionRows(tx: Tx, link: MentionRef) {
  const spec = mentionsOf(link.type);
  const table = tx[spec.table as 'leaderMention'] as unknown as MentionRows;
  const where = {
    [`articleId_${spec.key}`]: { articleId: link.articleId, [spec.key]: link.entityId },
  };
  return { spec, table, where };
}

/** Records a mention inside a write, with its spans, and logs LINKED on the article. */
export async function linkMentionRow(
  tx: Tx,
  record: Recorder,
  link: MentionRef,
  spans: SpanInput[],
  /** How the link was found: by an editor, or by ingestion matching a name, alias or acronym. */
  matchedBy: MentionMatch = 'EDITOR',
): Promise<Article> {
  const { spec, table, where } = mentionRows(tx, link);
  const article = await tx.article.findUnique({ where: { id: link.articleId } });
  if (!article) notFound('Article', encodeGlobalId('Article', link.articleId));
  const checked = checkSpans(article.body, spans);
  const existing = await table.findUnique({ where });
  return linkRow(
    existing ? article : null,
    () => samePlaces(existing?.spans, checked) || spans.length === 0,
    `The article already mentions that ${link.type.toLowerCase()} with other spans; unlink it first.`,
    async () => {
      await table.create({
        data: { articleId: link.articleId, [spec.key]: link.entityId, spans: checked, matchedBy },
      });
      return touchArticle(tx, record, link, 'LINKED', { spans: checked as never, matchedBy });
    },
  );
}

/** A mention of an entity by its row ID, with its spans, as ingestion finds it. */
export interface NewMention {
  type: MentionType;
  id: number;
  matchedBy: MentionMatch;
  /** With their context (mentions.ts `withContext`), which a revision finds them again by. */
  spans: readonly StoredSpan[];
}

/**
 * Links an article that was created in this same write to everything it mentions, in bulk: one
 * insert per mention table whatever the number of mentions, no version bump (the article is new,
 * at its first version), and one LINKED event each, so a subscriber following any of the
 * entities still hears of its own link. The spans come from the analysis of this body, so they
 * are taken as they are. Returns the global IDs of the linked entities.
 */
export async function linkNewMentions(
  tx: Tx,
  record: Recorder,
  article: { id: number; version: number },
  mentions: readonly NewMention[],
): Promise<string[]> {
  const related = mentions.map((mention) => encodeGlobalId(mention.type, mention.id));
  const spans = mentions.map((mention) => mention.spans.slice(0, MAX_SPANS_PER_MENTION));
  for (const type of MENTION_TYPES) {
    const spec = mentionsOf(type);
    const rows = mentions.flatMap((mention, index) =>
      mention.type === type
        ? [
            {
              articleId: article.id,
              [spec.key]: mention.id,
              spans: spans[index],
              matchedBy: mention.matchedBy,
            },
          ]
        : [],
    );
    if (rows.length) {
      await (
        tx[spec.table as 'leaderMention'] as unknown as {
          createMany(args: object): Promise<unknown>;
        }
      ).createMany({ data: rows });
    }
  }
  for (const [index, mention] of mentions.entries()) {
    await record({
      kind: 'LINKED',
      label: mentionLabel(mention.type),
      entityType: 'Article',
      entityId: article.id,
      entityVersion: article.version,
      detail: {
        spans: spans[index] ?? [],
        matchedBy: mention.matchedBy,
      } satisfies MentionLinkDetail,
      changes: [{ field: mentionsOf(mention.type).field, before: null, after: related[index] }],
      relatedIds: related,
    });
  }
  return related;
}

/** Removes a mention inside a write and logs UNLINKED on the article. */
export async function unlinkMentionRow(
  tx: Tx,
  record: Recorder,
  link: MentionRef,
): Promise<Article> {
  const { table, where } = mentionRows(tx, link);
  const existing = await table.findUnique({ where });
  await unlinkRow(
    existing,
    `The article does not mention that ${link.type.toLowerCase()}.`,
    async () => {
      await table.delete({ where });
    },
  );
  // The removed link's spans go with its event, so the log says what the article lost.
  const { spans, matchedBy } = existing as unknown as MentionLinkDetail;
  return touchArticle(tx, record, link, 'UNLINKED', { spans, matchedBy });
}

/** Bumps the article's version and logs the mention change on it. */
async function touchArticle(
  tx: Tx,
  record: Recorder,
  link: MentionRef,
  kind: 'LINKED' | 'UNLINKED',
  /** The spans of the link made or removed, for the as-of fold. */
  detail?: MentionLinkDetail,
): Promise<Article> {
  const entityId = encodeGlobalId(link.type, link.entityId);
  const article = await tx.article.update({
    where: { id: link.articleId },
    data: { version: { increment: 1 } },
  });
  await record({
    kind,
    label: kind === 'LINKED' ? mentionLabel(link.type) : null,
    detail,
    entityType: 'Article',
    entityId: link.articleId,
    entityVersion: article.version,
    changes: [
      {
        field: mentionsOf(link.type).field,
        before: kind === 'LINKED' ? null : entityId,
        after: kind === 'LINKED' ? entityId : null,
      },
    ],
    // An unlinked entity is no longer among the article's links: name it explicitly.
    relatedIds: [...(await relatedIds(tx, 'Article', link.articleId)), entityId],
  });
  return article;
}

/** Links an article to something it mentions, in its own write. */
export async function linkMention(
  writer: Writer,
  link: MentionLink,
  spans: SpanInput[],
): Promise<Article> {
  const ref = decodeLink(link);
  return (await writeChange(writer, (tx, record) => linkMentionRow(tx, record, ref, spans))).result;
}

/** Removes a mention, in its own write. */
export async function unlinkMention(writer: Writer, link: MentionLink): Promise<Article> {
  const ref = decodeLink(link);
  return (await writeChange(writer, (tx, record) => unlinkMentionRow(tx, record, ref))).result;
}

// --- Participation: a leader at a summit, with a status. ---

/** A leader's participation in a summit, by global IDs. */
export interface ParticipationLink {
  leader: string;
  summit: string;
  status: string;
  note?: string | null;
}

const participationKey = (link: { leader: string; summit: string }) => ({
  leaderId: idOf('Leader', link.leader),
  summitId: idOf('Summit', link.summit),
});

/** Records a participation inside a write (LINKED, labelled by its status). */
export async function linkParticipationRow(
  tx: Tx,
  record: Recorder,
  link: ParticipationLink,
): Promise<Participation> {
  const existing = await tx.participation.findUnique({
    where: { leaderId_summitId: participationKey(link) },
  });
  return linkRow(
    existing,
    (row) => row.status === link.status && (link.note == null || row.note === link.note),
    `That leader's participation in that summit is already recorded with other values (version ${existing?.version}); change it with updateParticipation.`,
    () =>
      createRow<Participation>(tx, record, 'Participation', link as never, {
        kind: 'LINKED',
        label: participationLabel([{ field: 'status', before: null, after: link.status }]),
      }),
  );
}

/** Records a participation, in its own write. */
export async function linkParticipation(
  writer: Writer,
  link: ParticipationLink,
): Promise<Participation> {
  return (await writeChange(writer, (tx, record) => linkParticipationRow(tx, record, link))).result;
}

/** Removes a participation, in its own write; returns it as it was. */
export async function unlinkParticipation(
  writer: Writer,
  link: { leader: string; summit: string },
): Promise<Participation> {
  const { result } = await writeChange(writer, async (tx, record) =>
    unlinkRow(
      await tx.participation.findUnique({ where: { leaderId_summitId: participationKey(link) } }),
      'That leader has no participation in that summit.',
      (row) => deleteRow(tx, record, 'Participation', row, { kind: 'UNLINKED' }),
    ),
  );
  return result;
}

// --- Membership: a leader's seat in an organization. ---

/** A seat, by global IDs, with its dates. */
export interface MembershipLink {
  leader: string;
  organization: string;
  role: string;
  startedOn?: Date | null;
  startedOnPrecision?: string | null;
  endedOn?: Date | null;
  endedOnPrecision?: string | null;
}

const DATE_FIELDS = ['startedOn', 'startedOnPrecision', 'endedOn', 'endedOnPrecision'] as const;

/** Records a seat inside a write (LINKED, `MEMBERSHIP_ADDED`). */
export async function linkMembershipRow(
  tx: Tx,
  record: Recorder,
  link: MembershipLink,
): Promise<Membership> {
  const existing = await tx.membership.findUnique({
    where: {
      leaderId_organizationId_role: {
        leaderId: idOf('Leader', link.leader),
        organizationId: idOf('Organization', link.organization),
        role: link.role,
      },
    },
  });
  const same = (row: Membership) =>
    DATE_FIELDS.every((field) => {
      const given = link[field];
      if (given == null) return true;
      const stored = row[field];
      return given instanceof Date && stored instanceof Date
        ? given.getTime() === stored.getTime()
        : given === stored;
    });
  return linkRow(
    existing,
    same,
    `That leader already holds that role there with other dates (version ${existing?.version}); change it with updateMembership.`,
    () =>
      createRow<Membership>(tx, record, 'Membership', link as never, {
        kind: 'LINKED',
        label: 'MEMBERSHIP_ADDED',
      }),
  );
}

/** Records a seat, in its own write. */
export async function linkMembership(writer: Writer, link: MembershipLink): Promise<Membership> {
  return (await writeChange(writer, (tx, record) => linkMembershipRow(tx, record, link))).result;
}

/** Removes a seat, in its own write; returns it as it was. */
export async function unlinkMembership(writer: Writer, membershipId: string): Promise<Membership> {
  const { result } = await writeChange(writer, async (tx, record) =>
    unlinkRow(
      await tx.membership.findUnique({ where: { id: idOf('Membership', membershipId) } }),
      `No Membership has the ID ${membershipId}.`,
      (row) => deleteRow(tx, record, 'Membership', row, { kind: 'UNLINKED' }),
    ),
  );
  return result;
}

// --- Organizer: the organization that holds a summit, a field of the summit. ---

/** Sets (or with null clears) a summit's organizer, logged as LINKED or UNLINKED. */
export async function setOrganizer(
  writer: Writer,
  target: { summit: string; organization: string | null; expectedVersion?: number | null },
): Promise<Summit> {
  const { result } = await writeChange(writer, (tx, record) =>
    updateRow<Summit>(tx, record, 'Summit', {
      id: target.summit,
      expectedVersion: target.expectedVersion,
      patch: { organizer: target.organization },
      kind: target.organization ? 'LINKED' : 'UNLINKED',
    }),
  );
  return result;
}
