// Occurrences: what the story says happens between leaders and organizations (a meeting, a visit,
// talks …), with the claims articles make about each. The claims themselves are in claim.ts, the
// mutations in occurrence-mutations.ts.
import { brandWithType } from '@pothos/core';
import { badInput } from '../core/errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { decodeGlobalId } from '../story/global-id.ts';
import { participantOf, rangeOf } from '../story/occurrence-rows.ts';
import { conflictsOf } from '../story/occurrence-rules.ts';
import {
  CLAIM_MODALITIES,
  CLAIM_RANKS,
  OCCURRENCE_KINDS,
  OCCURRENCE_STATUSES,
  PARTICIPANT_ROLES,
  type TimeRange,
} from '../story/occurrences.ts';
import {
  ENTITIES,
  modelOf,
  PART_OF_COLUMNS,
  PARTICIPANT_COLUMNS,
  type ParticipantType,
} from '../story/registry.ts';
import { TimePrecisionEnum } from './analysis.ts';
import { builder } from './builder.ts';
import { entityQueries } from './entity-queries.ts';
import { followable } from './live.ts';
import { orderInput } from './scalars.ts';
import { Versioned, versionedFields } from './versioned.ts';

/** An enum from one of the vocabulary's lists, with a description for each value. */
function vocabulary<Value extends string>(
  name: string,
  description: string,
  values: readonly Value[],
  descriptions: Record<Value, string>,
) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [value, { value, description: descriptions[value] }]),
    ) as Record<Value, { value: Value; description: string }>,
  });
}

export const OccurrenceKindEnum = vocabulary(
  'OccurrenceKind',
  'What kind of thing happens.',
  OCCURRENCE_KINDS,
  {
    MEETING: 'Leaders meet in person.',
    VISIT: 'One side travels to the other.',
    TALKS: 'Negotiations or talks between delegations.',
    CALL: 'A phone or video call.',
    SIGNING: 'An agreement or document is signed.',
    OTHER: 'Anything else.',
  },
);

export const OccurrenceStatusEnum = vocabulary(
  'OccurrenceStatus',
  'Where an occurrence stands. Claims move it only forward; editors may set any status.',
  OCCURRENCE_STATUSES,
  {
    EXPECTED: 'Expected, but not announced.',
    ANNOUNCED: 'Announced by someone.',
    CONFIRMED: 'Confirmed by a government or an official.',
    OCCURRED: 'It took place.',
    POSTPONED: 'Put off to a later date.',
    CANCELLED: 'Called off.',
  },
);

export const ClaimModalityEnum = vocabulary(
  'ClaimModality',
  'How an article puts what it says happens.',
  CLAIM_MODALITIES,
  {
    PLANNED: 'It is planned or scheduled.',
    EXPECTED: 'It is expected.',
    CONFIRMED: 'Someone confirms it will happen.',
    REPORTED: 'It is reported as happening or having happened.',
    DENIED: 'Someone denies it will happen.',
    POSTPONED: 'It is said to be put off.',
    CANCELLED: 'It is said to be called off.',
  },
);

export const ClaimRankEnum = vocabulary(
  'ClaimRank',
  'How much weight a claim carries among the claims about one occurrence.',
  CLAIM_RANKS,
  {
    PREFERRED: 'The best account, chosen by an editor.',
    NORMAL: 'An ordinary claim (the default).',
    DEPRECATED: 'Set aside by an editor; left out of conflicts.',
  },
);

export const ParticipantRoleEnum = vocabulary(
  'ParticipantRole',
  'What part a participant plays in an occurrence.',
  PARTICIPANT_ROLES,
  {
    INITIATOR: 'The side that asked for it or travels.',
    COUNTERPART: 'The other side.',
    HOST: 'The side that hosts it.',
    GUEST: 'A side that is hosted.',
  },
);

export const TimeRangeRef = builder.objectRef<TimeRange>('TimeRange').implement({
  description: 'A span of days, both ends included, as precise as the sources allow.',
  fields: (t) => ({
    from: t.field({
      type: 'Date',
      description: 'The first day it can be.',
      resolve: (r) => r.from,
    }),
    to: t.field({ type: 'Date', description: 'The last day it can be.', resolve: (r) => r.to }),
    precision: t.field({
      type: TimePrecisionEnum,
      description: 'How exactly it is known.',
      resolve: (r) => r.precision,
    }),
  }),
});

/** A row's leader or organization, branded for the `Node` interface. */
export function participantNode(row: Record<string, unknown>): object {
  const ref = participantOf(row as { leaderId: number | null; organizationId: number | null });
  const entity = row[ENTITIES[ref.type].model] as object;
  brandWithType(entity, ref.type as never);
  return entity;
}

/** What a row with partOf columns is part of, as a `Node`, or null. */
export async function partOfNode(db: object, row: Record<string, unknown>): Promise<object | null> {
  for (const [type, column] of Object.entries(PART_OF_COLUMNS)) {
    const id = row[column];
    if (id == null) continue;
    const found = await modelOf<Finder>(db, type as 'Summit').findUnique({ where: { id } });
    if (found) brandWithType(found, type as never);
    return found;
  }
  return null;
}

type Finder = { findUnique(args: object): Promise<object | null> };

interface ParticipantShape {
  entity: object;
  role: (typeof PARTICIPANT_ROLES)[number];
}

const OccurrenceParticipantRef = builder
  .objectRef<ParticipantShape>('OccurrenceParticipant')
  .implement({
    description: 'A leader or an organization taking part in an occurrence.',
    fields: (t) => ({
      entity: t.field({
        type: 'Node' as never,
        description: 'The leader or organization.',
        resolve: (p) => p.entity as never,
      }),
      role: t.field({
        type: ParticipantRoleEnum,
        description: 'The part it plays.',
        resolve: (p) => p.role,
      }),
    }),
  });

const ClaimConflictRef = builder
  .objectRef<{ field: string; claims: object[] }>('ClaimConflict')
  .implement({
    description: 'A point on which the claims attached to an occurrence disagree.',
    fields: (t) => ({
      field: t.exposeString('field', {
        description:
          '`when` (ranges that share no day), `place` (different places) or `modality` (a denial beside a claim that it happens).',
      }),
      claims: t.field({
        type: ['Claim' as never],
        description: 'The claims involved, oldest first.',
        resolve: (c) => c.claims as never,
      }),
    }),
  });

export const Occurrence = builder.prismaNode('Occurrence', {
  description:
    'Something that happens between leaders or organizations: a meeting, a visit, talks, a call or a signing, with the claims articles make about it.',
  id: { field: 'id' },
  interfaces: [Versioned as never],
  nullable: true,
  fields: (t) => ({
    ...versionedFields(t),
    slug: t.exposeString('slug', {
      description: 'A stable, readable key such as `meeting-xi-jinping-vladimir-putin-2022-09-15`.',
    }),
    kind: t.expose('kind', { type: OccurrenceKindEnum, description: 'What kind of thing it is.' }),
    cameoCode: t.exposeString('cameoCode', {
      nullable: true,
      description:
        'Its CAMEO event code: 036 intent to meet, 042 visit, 043 host, 044 meet at a third place.',
    }),
    status: t.expose('status', { type: OccurrenceStatusEnum, description: 'Where it stands.' }),
    when: t.field({
      type: TimeRangeRef,
      nullable: true,
      description: 'When it happens (or happened), or null if not known.',
      resolve: (row) => rangeOf(row),
    }),
    previousWhen: t.field({
      type: [TimeRangeRef],
      description: 'The ranges `when` held before, oldest first: how the date moved.',
      resolve: (row) =>
        (Array.isArray(row.previousWhen) ? row.previousWhen : []).map((range) => {
          const r = range as { from: string; to: string; precision: TimeRange['precision'] };
          return { from: new Date(r.from), to: new Date(r.to), precision: r.precision };
        }),
    }),
    place: t.exposeString('place', { nullable: true, description: 'Where, if known.' }),
    partOf: t.field({
      type: 'Node' as never,
      nullable: true,
      description: 'The summit or the occurrence it is part of, if any.',
      resolve: (row, _args, ctx) => partOfNode(ctx.db, row) as never,
    }),
    participants: t.field({
      type: [OccurrenceParticipantRef],
      description: 'Who takes part, with the role of each, in the order they were given.',
      // Selected with the occurrence, so a list of occurrences loads every participant in the
      // list's own statement (or one batched read when the parent came from elsewhere).
      select: {
        participants: {
          include: { leader: true, organization: true },
          orderBy: { id: 'asc' },
        },
      },
      resolve: (row) => row.participants.map((p) => ({ entity: participantNode(p), role: p.role })),
    }),
    claims: t.relatedConnection('claims', {
      description: 'The claims attached to it, oldest first.',
      cursor: 'id',
      totalCount: true,
      args: {
        rank: t.arg({
          type: [ClaimRankEnum],
          required: false,
          description: 'Only claims with one of these ranks.',
        }),
      },
      query: (args) => ({
        where: args.rank ? { rank: { in: args.rank } } : {},
        orderBy: { id: 'asc' },
      }),
    }),
    sourceCount: t.int({
      description: 'How many different articles its claims come from.',
      resolve: async (row, _args, ctx) =>
        (
          await ctx.db.claim.findMany({
            where: { occurrenceId: row.id },
            distinct: ['articleId'],
            select: { articleId: true },
          })
        ).length,
    }),
    conflicts: t.field({
      type: [ClaimConflictRef],
      description:
        'Where its claims disagree (DEPRECATED claims aside); empty when they all agree.',
      resolve: async (row, _args, ctx) => {
        const claims = await ctx.db.claim.findMany({
          where: { occurrenceId: row.id },
          orderBy: { id: 'asc' },
        });
        return conflictsOf(
          claims.map((claim) => ({ ...claim, when: rangeOf(claim), row: claim })),
        ).map((c) => ({ field: c.field, claims: c.claims.map((claim) => claim.row) }));
      },
    }),
  }),
});

// `history` on every occurrence, and `occurrenceUpdated(id)` to follow one (and its claims).
followable(Occurrence, 'Occurrence', 'occurrenceUpdated');

const OccurrenceOrder = orderInput('Occurrence', 'occurrences', {
  WHEN: 'The first day of `when` (unknown last).',
  UPDATED_AT: 'Time of the last change.',
});

const OccurrenceFilter = builder.inputType('OccurrenceFilter', {
  description: 'Narrows a list of occurrences. Every condition given must hold.',
  fields: (t) => ({
    mentioning: t.id({
      description: 'Only occurrences this leader or organization takes part in (its global ID).',
    }),
    kinds: t.field({ type: [OccurrenceKindEnum], description: 'Only these kinds.' }),
    statuses: t.field({ type: [OccurrenceStatusEnum], description: 'Only these statuses.' }),
    from: t.field({
      type: 'Date',
      description: 'Only occurrences whose `when` reaches this day or later.',
    }),
    to: t.field({
      type: 'Date',
      description: 'Only occurrences whose `when` starts on this day or earlier.',
    }),
  }),
});

function occurrenceWhere(
  filter: typeof OccurrenceFilter.$inferInput | null | undefined,
): Prisma.OccurrenceWhereInput {
  if (!filter) return {};
  if (filter.from && filter.to && filter.from > filter.to) {
    throw badInput('"from" must not be later than "to".', { argument: 'filter' });
  }
  const where: Prisma.OccurrenceWhereInput[] = [];
  if (filter.mentioning) {
    const { typename, id } = decodeGlobalId(String(filter.mentioning));
    if (!(typename in PARTICIPANT_COLUMNS)) {
      throw badInput('"mentioning" takes the ID of a leader or an organization.', {
        argument: 'filter',
      });
    }
    const column = PARTICIPANT_COLUMNS[typename as ParticipantType];
    where.push({ participants: { some: { [column]: Number(id) } } });
  }
  if (filter.kinds) where.push({ kind: { in: filter.kinds } });
  if (filter.statuses) where.push({ status: { in: filter.statuses } });
  if (filter.from) where.push({ whenTo: { gte: filter.from } });
  if (filter.to) where.push({ whenFrom: { lte: filter.to } });
  return { AND: where };
}

entityQueries({
  type: 'Occurrence',
  one: 'occurrence',
  list: 'occurrences',
  slugExample: 'meeting-xi-jinping-vladimir-putin-2022-09-15',
  listDescription:
    'Occurrences in the story, filtered and ordered as asked (by default earliest first).',
  filter: OccurrenceFilter,
  where: occurrenceWhere,
  order: OccurrenceOrder,
  orderColumns: { WHEN: ['whenFrom'], UPDATED_AT: ['updatedAt'] },
  unordered: [{ whenFrom: 'asc' }, { id: 'asc' }],
});
