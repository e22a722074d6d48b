import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.ts';
import { idOf } from '../story/global-id.ts';
import { builder } from './builder.ts';
import { entityQueries } from './entity-queries.ts';
import { followable } from './live.ts';
import { DatePrecisionEnum, orderInput, ParticipationStatusEnum } from './scalars.ts';
import { Versioned, versionedFields } from './versioned.ts';

export const Leader = builder.prismaNode('Leader', {
  description: 'A political leader who appears in the story.',
  id: { field: 'id' },
  // The object declares the Versioned fields itself (versionedFields), selected on demand.
  interfaces: [Versioned as never],
  // Select mode: only the columns a query asks for are read (the Versioned fields too, as
  // versionedFields declares them on the object).
  select: { id: true },
  // `node(id:)` answers null for an ID whose record is gone, instead of an error.
  nullable: true,
  fields: (t) => ({
    ...versionedFields(t),
    slug: t.exposeString('slug', {
      description:
        'A stable, readable key such as `xi-jinping`, used in URLs and by `leader(slug:)`.',
    }),
    name: t.exposeString('name', { description: 'The full name, as usually written in English.' }),
    aliases: t.exposeStringList('aliases', {
      description: 'Other names the press uses, such as `Xi` or `President Xi`.',
    }),
    title: t.exposeString('title', { description: 'The office or role the leader holds now.' }),
    country: t.exposeString('country', { description: 'The country the leader serves.' }),
    description: t.exposeString('description', { description: 'A short note on who this is.' }),
    memberships: t.relatedConnection('memberships', {
      description: "The leader's seats in organizations, earliest start first.",
      cursor: 'id',
      totalCount: true,
      query: { orderBy: [{ startedOn: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }] },
    }),
    participations: t.relatedConnection('participations', {
      description: 'Summits the leader is expected at or attended, earliest first.',
      cursor: 'id',
      totalCount: true,
      args: {
        status: t.arg({
          type: [ParticipationStatusEnum],
          required: false,
          description: 'Only participations with one of these statuses.',
        }),
      },
      query: (args) => ({
        where: args.status ? { status: { in: args.status } } : {},
        orderBy: [{ summit: { startsOn: 'asc' } }, { id: 'asc' }],
      }),
    }),
    mentions: t.relatedConnection('mentions', {
      description: 'Articles that mention the leader, newest first.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: [{ article: { publishedAt: 'desc' } }, { id: 'desc' }] },
    }),
  }),
});

// `history` on every leader, and `leaderUpdated(id)` to follow one.
followable(Leader, 'Leader', 'leaderUpdated');

const LeaderOrder = orderInput('Leader', 'leaders', {
  NAME: 'Full name.',
  COUNTRY: 'Country, then name.',
  UPDATED_AT: 'Time of the last change.',
});

const LeaderFilter = builder.inputType('LeaderFilter', {
  description: 'Narrows a list of leaders. Every condition given must hold.',
  fields: (t) => ({
    country: t.string({
      description: 'Exact country name, such as `Russia`.',
      validate: z.string().min(1).max(100),
    }),
    organization: t.id({ description: 'Only members of this organization (its ID).' }),
    summit: t.id({ description: 'Only participants of this summit (its ID).' }),
    text: t.string({
      description: 'Words found in the name, title or description, or an exact alias (any case).',
      validate: z.string().min(1).max(200),
    }),
  }),
});

function leaderWhere(
  filter: typeof LeaderFilter.$inferInput | null | undefined,
): Prisma.LeaderWhereInput {
  if (!filter) return {};
  const where: Prisma.LeaderWhereInput[] = [];
  if (filter.country) where.push({ country: { equals: filter.country, mode: 'insensitive' } });
  if (filter.organization) {
    where.push({
      memberships: { some: { organizationId: idOf('Organization', String(filter.organization)) } },
    });
  }
  if (filter.summit) {
    where.push({ participations: { some: { summitId: idOf('Summit', String(filter.summit)) } } });
  }
  if (filter.text) {
    where.push({
      OR: [
        { name: { contains: filter.text, mode: 'insensitive' } },
        { title: { contains: filter.text, mode: 'insensitive' } },
        { description: { contains: filter.text, mode: 'insensitive' } },
        { aliases: { has: filter.text } },
      ],
    });
  }
  return { AND: where };
}

entityQueries({
  type: 'Leader',
  one: 'leader',
  list: 'leaders',
  slugExample: 'xi-jinping',
  listDescription:
    'All leaders in the story, filtered and ordered as asked (by default in creation order).',
  filter: LeaderFilter,
  where: leaderWhere,
  order: LeaderOrder,
  orderColumns: { NAME: ['name'], COUNTRY: ['country', 'name'], UPDATED_AT: ['updatedAt'] },
  unordered: [{ id: 'asc' }],
});

builder.prismaNode('Membership', {
  interfaces: [Versioned],
  description: "A leader's seat in an organization.",
  id: { field: 'id' },
  // `node(id:)` answers null for an ID whose record is gone, instead of an error.
  nullable: true,
  fields: (t) => ({
    role: t.exposeString('role', {
      description: 'The seat, such as `Member of the Politburo Standing Committee`.',
    }),
    startedOn: t.expose('startedOn', {
      type: 'Date',
      nullable: true,
      description: 'When it began, if known.',
    }),
    startedOnPrecision: t.expose('startedOnPrecision', {
      type: DatePrecisionEnum,
      nullable: true,
      description: 'How exactly `startedOn` is known.',
    }),
    endedOn: t.expose('endedOn', {
      type: 'Date',
      nullable: true,
      description: 'When it ended; null while it lasts.',
    }),
    endedOnPrecision: t.expose('endedOnPrecision', {
      type: DatePrecisionEnum,
      nullable: true,
      description: 'How exactly `endedOn` is known.',
    }),
    leader: t.relation('leader', { description: 'Who holds the seat.' }),
    organization: t.relation('organization', { description: 'Where the seat is.' }),
  }),
});

builder.prismaNode('Participation', {
  interfaces: [Versioned],
  description: "A leader's attendance at a summit.",
  id: { field: 'id' },
  // `node(id:)` answers null for an ID whose record is gone, instead of an error.
  nullable: true,
  fields: (t) => ({
    status: t.expose('status', {
      type: ParticipationStatusEnum,
      description: 'Where the attendance stands.',
    }),
    note: t.exposeString('note', {
      description: 'What is known about it, such as who announced it.',
    }),
    leader: t.relation('leader', { description: 'Who attends.' }),
    summit: t.relation('summit', { description: 'Which summit.' }),
  }),
});
