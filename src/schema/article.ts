import { z } from 'zod';
import { badInput } from '../core/errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { decodeGlobalId } from '../story/global-id.ts';
import { MENTION_TYPES, mentionsOf } from '../story/registry.ts';
import { builder } from './builder.ts';
import { entityQueries } from './entity-queries.ts';
import { followable } from './live.ts';
import { orderInput, readSpans, TextSpanRef } from './scalars.ts';
import { Versioned, versionedFields } from './versioned.ts';

export const Article = builder.prismaNode('Article', {
  description: 'A news article that reports on the story.',
  id: { field: 'id' },
  // The object declares the Versioned fields itself (versionedFields), selected on demand.
  interfaces: [Versioned as never],
  // Select mode: only the columns a query asks for are read (a list of headlines never pulls bodies).
  // The Versioned interface's fields are read from the parent row, so they are always selected.
  select: { id: true },
  // `node(id:)` answers null for an ID whose record is gone, instead of an error.
  nullable: true,
  fields: (t) => ({
    ...versionedFields(t),
    slug: t.exposeString('slug', {
      description: 'A stable, readable key such as `xi-and-putin-to-meet-at-sco-summit`.',
    }),
    headline: t.exposeString('headline', { description: 'The headline.' }),
    summary: t.exposeString('summary', {
      description: 'One or two sentences on what the article reports.',
    }),
    body: t.exposeString('body', {
      description: 'The text. Mention spans are character offsets into it.',
    }),
    source: t.exposeString('source', { description: 'Who published or reported it.' }),
    url: t.exposeString('url', { nullable: true, description: 'Where it can be read, if known.' }),
    publishedAt: t.expose('publishedAt', {
      type: 'DateTime',
      description: 'When it was first published.',
    }),
    leaders: t.relatedConnection('leaderMentions', {
      description: 'Leaders the article mentions, each with where it names them.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: { id: 'asc' } },
    }),
    organizations: t.relatedConnection('organizationMentions', {
      description: 'Organizations the article mentions, each with where it names them.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: { id: 'asc' } },
    }),
    summits: t.relatedConnection('summitMentions', {
      description: 'Summits the article mentions, each with where it names them.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: { id: 'asc' } },
    }),
  }),
});

// `history` on every article, and `articleUpdated(id)` to follow one.
followable(Article, 'Article', 'articleUpdated');

const spansField = {
  description: 'Where the body names the entity; empty when the link was made by hand.',
} as const;

builder.prismaObject('LeaderMention', {
  description: 'An article naming a leader.',
  select: { id: true },
  fields: (t) => ({
    article: t.relation('article', { description: 'The article.' }),
    leader: t.relation('leader', { description: 'The leader named.' }),
    spans: t.field({
      type: [TextSpanRef],
      ...spansField,
      select: { spans: true },
      resolve: (mention) => readSpans(mention.spans),
    }),
  }),
});

builder.prismaObject('OrganizationMention', {
  description: 'An article naming an organization.',
  fields: (t) => ({
    article: t.relation('article', { description: 'The article.' }),
    organization: t.relation('organization', { description: 'The organization named.' }),
    spans: t.field({
      type: [TextSpanRef],
      ...spansField,
      resolve: (mention) => readSpans(mention.spans),
    }),
  }),
});

builder.prismaObject('SummitMention', {
  description: 'An article naming a summit.',
  fields: (t) => ({
    article: t.relation('article', { description: 'The article.' }),
    summit: t.relation('summit', { description: 'The summit named.' }),
    spans: t.field({
      type: [TextSpanRef],
      ...spansField,
      resolve: (mention) => readSpans(mention.spans),
    }),
  }),
});

const ArticleOrder = orderInput(
  'Article',
  'articles',
  {
    PUBLISHED_AT: 'Publication time.',
    UPDATED_AT: 'Time of the last change.',
    HEADLINE: 'Headline, alphabetically.',
  },
  'DESC',
);

const ArticleFilter = builder.inputType('ArticleFilter', {
  description: 'Narrows a list of articles. Every condition given must hold.',
  fields: (t) => ({
    mentioning: t.id({
      description: 'Only articles that mention this leader, organization or summit (its ID).',
    }),
    source: t.string({
      description: 'Exact source name (any case).',
      validate: z.string().min(1).max(200),
    }),
    publishedAfter: t.field({
      type: 'DateTime',
      description: 'Only articles published at or after this instant.',
    }),
    publishedBefore: t.field({
      type: 'DateTime',
      description: 'Only articles published before this instant.',
    }),
    text: t.string({
      description: 'Words found in the headline, summary or body (any case).',
      validate: z.string().min(1).max(200),
    }),
  }),
});

function mentioningWhere(globalId: string): Prisma.ArticleWhereInput {
  const { typename, id } = decodeGlobalId(globalId);
  const type = MENTION_TYPES.find((candidate) => candidate === typename);
  if (!type) {
    const names = MENTION_TYPES.map((candidate) => candidate.toLowerCase());
    throw badInput(
      `"mentioning" takes the ID of a ${names.slice(0, -1).join(', ')} or ${names.at(-1)}, not of a ${typename}.`,
    );
  }
  const { onArticle, key } = mentionsOf(type);
  return { [onArticle]: { some: { [key]: Number(id) } } };
}

function articleWhere(
  filter: typeof ArticleFilter.$inferInput | null | undefined,
): Prisma.ArticleWhereInput {
  if (!filter) return {};
  if (
    filter.publishedAfter &&
    filter.publishedBefore &&
    filter.publishedAfter > filter.publishedBefore
  ) {
    throw badInput('"publishedAfter" must not be later than "publishedBefore".', {
      argument: 'filter',
    });
  }
  const where: Prisma.ArticleWhereInput[] = [];
  if (filter.mentioning) where.push(mentioningWhere(String(filter.mentioning)));
  if (filter.source) where.push({ source: { equals: filter.source, mode: 'insensitive' } });
  if (filter.publishedAfter) where.push({ publishedAt: { gte: filter.publishedAfter } });
  if (filter.publishedBefore) where.push({ publishedAt: { lt: filter.publishedBefore } });
  if (filter.text) {
    where.push({
      OR: [
        { headline: { contains: filter.text, mode: 'insensitive' } },
        { summary: { contains: filter.text, mode: 'insensitive' } },
        { body: { contains: filter.text, mode: 'insensitive' } },
      ],
    });
  }
  return { AND: where };
}

entityQueries({
  type: 'Article',
  one: 'article',
  list: 'articles',
  slugExample: 'xi-and-putin-to-meet-at-sco-summit',
  listDescription: 'All articles, filtered and ordered as asked (by default newest first).',
  filter: ArticleFilter,
  where: articleWhere,
  order: ArticleOrder,
  orderColumns: {
    PUBLISHED_AT: ['publishedAt'],
    HEADLINE: ['headline'],
    UPDATED_AT: ['updatedAt'],
  },
  unordered: [{ publishedAt: 'desc' }, { id: 'desc' }],
  defaultDirection: 'DESC',
});
