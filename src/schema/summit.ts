import { z } from 'zod';
import { badInput } from '../core/errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { idOf } from '../story/global-id.ts';
import { builder } from './builder.ts';
import { entityQueries } from './entity-queries.ts';
import { followable } from './live.ts';
import {
  DatePrecisionEnum,
  orderInput,
  ParticipationStatusEnum,
  SummitStatusEnum,
} from './scalars.ts';
import { Versioned, versionedFields } from './versioned.ts';

export const Summit = builder.prismaNode('Summit', {
  description: 'A summit, forum or congress: a gathering with a place and a date.',
  id: { field: 'id' },
  // The object declares the Versioned fields itself (versionedFields), selected on demand.
  interfaces: [Versioned as never],
  // `node(id:)` answers null for an ID whose record is gone, instead of an error.
  nullable: true,
  fields: (t) => ({
    ...versionedFields(t),
    slug: t.exposeString('slug', {
      description: 'A stable, readable key such as `sco-summit-samarkand-2022`.',
    }),
    name: t.exposeString('name', { description: 'The name of the gathering.' }),
    city: t.exposeString('city', { description: 'The host city.' }),
    country: t.exposeString('country', { description: 'The host country.' }),
    startsOn: t.expose('startsOn', {
      type: 'Date',
      description:
        'The first day (YYYY-MM-DD). Read it with `startsOnPrecision`: a month-precise date is the 1st.',
    }),
    startsOnPrecision: t.expose('startsOnPrecision', {
      type: DatePrecisionEnum,
      description: 'How exactly the start is known.',
    }),
    endsOn: t.expose('endsOn', {
      type: 'Date',
      nullable: true,
      description: 'The last day, or null if not known yet.',
    }),
    endsOnPrecision: t.expose('endsOnPrecision', {
      type: DatePrecisionEnum,
      nullable: true,
      description: 'How exactly the end is known.',
    }),
    status: t.expose('status', { type: SummitStatusEnum, description: 'Where the summit stands.' }),
    description: t.exposeString('description', { description: 'A short note on the gathering.' }),
    organizer: t.relation('organizer', {
      nullable: true,
      description: 'The organization that holds it, if any.',
    }),
    participants: t.relatedConnection('participations', {
      description: 'Leaders expected at or attending the summit, with the status of each.',
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
        orderBy: { id: 'asc' },
      }),
    }),
    mentions: t.relatedConnection('mentions', {
      description: 'Articles that mention the summit, newest first.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: [{ article: { publishedAt: 'desc' } }, { id: 'desc' }] },
    }),
  }),
});

// `history` on every summit, and `summitUpdated(id)` to follow one.
followable(Summit, 'Summit', 'summitUpdated');

const SummitOrder = orderInput('Summit', 'summits', {
  STARTS_ON: 'First day.',
  NAME: 'Name.',
  UPDATED_AT: 'Time of the last change.',
});

const SummitFilter = builder.inputType('SummitFilter', {
  description: 'Narrows a list of summits. Every condition given must hold.',
  fields: (t) => ({
    status: t.field({
      type: [SummitStatusEnum],
      description: 'Only summits with one of these statuses.',
    }),
    country: t.string({
      description: 'Host country, such as `Uzbekistan`.',
      validate: z.string().min(1).max(100),
    }),
    city: t.string({
      description: 'Host city, such as `Samarkand`.',
      validate: z.string().min(1).max(100),
    }),
    organization: t.id({ description: 'Only summits held by this organization (its ID).' }),
    participant: t.id({ description: 'Only summits this leader takes part in (the leader ID).' }),
    startsOnOrAfter: t.field({
      type: 'Date',
      description: 'Only summits starting on this day or later.',
    }),
    startsOnOrBefore: t.field({
      type: 'Date',
      description: 'Only summits starting on this day or earlier.',
    }),
    text: t.string({
      description: 'Words found in the name, city or description (any case).',
      validate: z.string().min(1).max(200),
    }),
  }),
});

function summitWhere(
  filter: typeof SummitFilter.$inferInput | null | undefined,
): Prisma.SummitWhereInput {
  if (!filter) return {};
  if (
    filter.startsOnOrAfter &&
    filter.startsOnOrBefore &&
    filter.startsOnOrAfter > filter.startsOnOrBefore
  ) {
    throw badInput('"startsOnOrAfter" must not be later than "startsOnOrBefore".', {
      argument: 'filter',
    });
  }
  const where: Prisma.SummitWhereInput[] = [];
  if (filter.status) where.push({ status: { in: filter.status } });
  if (filter.country) where.push({ country: { equals: filter.country, mode: 'insensitive' } });
  if (filter.city) where.push({ city: { equals: filter.city, mode: 'insensitive' } });
  if (filter.organization)
    where.push({ organizerId: idOf('Organization', String(filter.organization)) });
  if (filter.participant) {
    where.push({
      participations: { some: { leaderId: idOf('Leader', String(filter.participant)) } },
    });
  }
  if (filter.startsOnOrAfter) where.push({ startsOn: { gte: filter.startsOnOrAfter } });
  if (filter.startsOnOrBefore) where.push({ startsOn: { lte: filter.startsOnOrBefore } });
  if (filter.text) {
    where.push({
      OR: [
        { name: { contains: filter.text, mode: 'insensitive' } },
        { city: { contains: filter.text, mode: 'insensitive' } },
        { description: { contains: filter.text, mode: 'insensitive' } },
      ],
    });
  }
  return { AND: where };
}

entityQueries({
  type: 'Summit',
  one: 'summit',
  list: 'summits',
  slugExample: 'sco-summit-samarkand-2022',
  listDescription:
    'All summits in the story, filtered and ordered as asked (by default earliest first).',
  filter: SummitFilter,
  where: summitWhere,
  order: SummitOrder,
  orderColumns: { STARTS_ON: ['startsOn'], NAME: ['name'], UPDATED_AT: ['updatedAt'] },
  unordered: [{ startsOn: 'asc' }, { id: 'asc' }],
});
