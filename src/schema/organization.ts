import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.ts';
import { builder } from './builder.ts';
import { entityQueries } from './entity-queries.ts';
import { followable } from './live.ts';
import { OrganizationKindEnum, orderInput, SummitStatusEnum } from './scalars.ts';
import { Versioned, versionedFields } from './versioned.ts';

export const Organization = builder.prismaNode('Organization', {
  description: 'An intergovernmental body, party organ, alliance, forum or initiative.',
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
      description: 'A stable, readable key such as `shanghai-cooperation-organization`.',
    }),
    name: t.exposeString('name', { description: 'The full name.' }),
    acronym: t.exposeString('acronym', {
      nullable: true,
      description: 'The short form, such as `SCO`, if it has one.',
    }),
    kind: t.expose('kind', { type: OrganizationKindEnum, description: 'What kind of body it is.' }),
    description: t.exposeString('description', { description: 'A short note on what it is.' }),
    memberStates: t.exposeStringList('memberStates', {
      description:
        'Names of the member countries, alphabetically; empty where membership is not by state.',
    }),
    memberships: t.relatedConnection('memberships', {
      description: 'Leaders who hold a seat in the organization, with their role.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: { id: 'asc' } },
    }),
    summits: t.relatedConnection('summits', {
      description: 'Summits the organization holds, earliest first.',
      cursor: 'id',
      totalCount: true,
      args: {
        status: t.arg({
          type: [SummitStatusEnum],
          required: false,
          description: 'Only summits with one of these statuses.',
        }),
      },
      query: (args) => ({
        where: args.status ? { status: { in: args.status } } : {},
        orderBy: [{ startsOn: 'asc' }, { id: 'asc' }],
      }),
    }),
    mentions: t.relatedConnection('mentions', {
      description: 'Articles that mention the organization, newest first.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: [{ article: { publishedAt: 'desc' } }, { id: 'desc' }] },
    }),
  }),
});

// `history` on every organization, and `organizationUpdated(id)` to follow one.
followable(Organization, 'Organization', 'organizationUpdated');

const OrganizationOrder = orderInput('Organization', 'organizations', {
  NAME: 'Full name.',
  UPDATED_AT: 'Time of the last change.',
});

const OrganizationFilter = builder.inputType('OrganizationFilter', {
  description: 'Narrows a list of organizations. Every condition given must hold.',
  fields: (t) => ({
    kind: t.field({ type: OrganizationKindEnum, description: 'Only organizations of this kind.' }),
    memberState: t.string({
      description: 'Only organizations with this member country, such as `India`.',
      validate: z.string().min(1).max(100),
    }),
    text: t.string({
      description: 'Words found in the name or description, or the exact acronym (any case).',
      validate: z.string().min(1).max(200),
    }),
  }),
});

function organizationWhere(
  filter: typeof OrganizationFilter.$inferInput | null | undefined,
): Prisma.OrganizationWhereInput {
  if (!filter) return {};
  const where: Prisma.OrganizationWhereInput[] = [];
  if (filter.kind) where.push({ kind: filter.kind });
  if (filter.memberState) where.push({ memberStates: { has: filter.memberState } });
  if (filter.text) {
    where.push({
      OR: [
        { name: { contains: filter.text, mode: 'insensitive' } },
        { description: { contains: filter.text, mode: 'insensitive' } },
        { acronym: { equals: filter.text, mode: 'insensitive' } },
      ],
    });
  }
  return { AND: where };
}

entityQueries({
  type: 'Organization',
  one: 'organization',
  list: 'organizations',
  slugExample: 'nato',
  listDescription:
    'All organizations in the story, filtered and ordered as asked (by default in creation order).',
  filter: OrganizationFilter,
  where: organizationWhere,
  order: OrganizationOrder,
  orderColumns: { NAME: ['name'], UPDATED_AT: ['updatedAt'] },
  unordered: [{ id: 'asc' }],
});
