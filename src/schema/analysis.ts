// What ingestion found in an article, as the API shows it: its time expressions, attributions,
// quotes and open proposals, and every mention with how it was matched. The mutations that
// ingest and accept are in ingest.ts.
import { brandWithType } from '@pothos/core';
import { resolveArrayConnection } from '@pothos/plugin-relay';
import type { Article as ArticleRow } from '../generated/prisma/client.ts';
import { MentionMatch } from '../generated/prisma/enums.ts';
import type { Attribution } from '../story/ingest/attributions.ts';
import type { TimeExpression } from '../story/ingest/dates.ts';
import type { Proposal } from '../story/ingest/proposals.ts';
import type { Quote } from '../story/ingest/quotes.ts';
import { readAnalysis, type StoredAnalysis } from '../story/ingest/store.ts';
import type { Span } from '../story/ingest/text.ts';
import { ENTITIES, MENTION_TYPES, type MentionType, mentionsOf } from '../story/registry.ts';
import { Article } from './article.ts';
import { builder } from './builder.ts';
import { readSpans, TextSpanRef } from './scalars.ts';

const MentionMatchEnum = builder.enumType('MentionMatch', {
  description: 'How a mention of an entity in an article was found.',
  values: {
    NAME: { value: MentionMatch.NAME, description: "The entity's full name." },
    ALIAS: {
      value: MentionMatch.ALIAS,
      description:
        'An alias, a surname after the full name or a title, or a summit named by its organization or city.',
    },
    ACRONYM: { value: MentionMatch.ACRONYM, description: "The organization's acronym." },
    EDITOR: { value: MentionMatch.EDITOR, description: 'Linked by an editor by hand.' },
  } as const,
});

export const TimePrecisionEnum = builder.enumType('TimePrecision', {
  description: 'How exactly a time expression pins down a date.',
  values: {
    DAY: { description: 'One day (or a range of named days).' },
    WEEK: { description: 'A week, or part of one ("earlier this week").' },
    MONTH: { description: 'A month, or part of one ("mid-September").' },
    PART_OF_YEAR: { description: 'Part of a year ("early 2020", "earlier this year").' },
    YEAR: { description: 'A whole year.' },
    DECADE: { description: 'A decade ("the 1990s").' },
  } as const,
});

const SourceKindEnum = builder.enumType('AttributionSourceKind', {
  description: 'What kind of source a claim is attributed to.',
  values: {
    NEWS_AGENCY: { description: 'An independent news agency, such as Reuters or AFP.' },
    STATE_MEDIA: { description: 'State-run media, such as Tass or Xinhua.' },
    GOVERNMENT: { description: 'A government body, such as the Kremlin or a ministry.' },
    OFFICIAL: { description: 'A person speaking for a government or body, or a leader.' },
    OTHER: { description: 'Anyone else.' },
  } as const,
});

const ProposalKindEnum = builder.enumType('EntityProposalKind', {
  description: 'What an unknown name in an article looks like.',
  values: {
    PERSON: { description: 'A person.' },
    ORGANIZATION: { description: 'An organization.' },
    EVENT: { description: 'An event, such as a summit or a conference.' },
    PLACE: { description: 'A place.' },
  } as const,
});

export const ProposalAsEnum = builder.enumType('AcceptProposalAs', {
  description: 'What kind of entity an accepted proposal becomes.',
  values: {
    LEADER: { description: 'A new leader.' },
    ORGANIZATION: { description: 'A new organization.' },
    SUMMIT: { description: 'A new summit (needs `startsOn`).' },
  } as const,
});

const asDate = (value: string) => new Date(`${value}T00:00:00.000Z`);

const TimeExpressionRef = builder.objectRef<TimeExpression>('TimeExpression').implement({
  description:
    'A phrase of the body that names a time, resolved against the publication date. `from` and `to` bound what it can mean, both included.',
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The phrase as written.' }),
    start: t.exposeInt('start', { description: 'Offset of its first character in the body.' }),
    end: t.exposeInt('end', { description: 'Offset just past its last character.' }),
    from: t.field({
      type: 'Date',
      description: 'The first day it can mean.',
      resolve: (e) => asDate(e.from),
    }),
    to: t.field({
      type: 'Date',
      description: 'The last day it can mean.',
      resolve: (e) => asDate(e.to),
    }),
    precision: t.field({
      type: TimePrecisionEnum,
      description: 'How exactly it is known.',
      resolve: (e) => e.precision,
    }),
  }),
});

const AttributionSourceRef = builder
  .objectRef<Attribution['source']>('AttributionSource')
  .implement({
    description: 'Who a claim is attributed to.',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'The source as the article names it.' }),
      kind: t.field({
        type: SourceKindEnum,
        description: 'What kind of source it is.',
        resolve: (s) => s.kind,
      }),
    }),
  });

export const AttributionRef = builder.objectRef<Attribution>('Attribution').implement({
  description: 'A phrase such as "according to Tass" or "the White House said".',
  fields: (t) => ({
    source: t.field({
      type: AttributionSourceRef,
      description: 'Who is cited.',
      resolve: (a) => a.source,
    }),
    span: t.field({
      type: TextSpanRef,
      description: 'Where the source is named: in the body, or in the headline if `inHeadline`.',
      resolve: (a) => a.span,
    }),
    inHeadline: t.exposeBoolean('inHeadline', {
      description: 'True when the phrase is in the headline (then `span` indexes the headline).',
    }),
  }),
});

const QuoteRef = builder.objectRef<Quote>('Quote').implement({
  description: 'Words the body puts in quotation marks, without the marks.',
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The quoted words.' }),
    start: t.exposeInt('start', { description: 'Offset of the first quoted character.' }),
    end: t.exposeInt('end', { description: 'Offset just past the last quoted character.' }),
  }),
});

export const ProposalRef = builder.objectRef<Proposal>('EntityProposal').implement({
  description:
    'A name in the body that matches no known entity. Never created by itself: see `acceptProposal`.',
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The name, in its fullest form in the text.' }),
    kind: t.field({
      type: ProposalKindEnum,
      description: 'What it looks like.',
      resolve: (p) => p.kind,
    }),
    spans: t.field({
      type: [TextSpanRef],
      description: 'Every place the body uses it, in text order.',
      resolve: (p) => p.spans,
    }),
  }),
});

interface MentionItem {
  entity: object;
  spans: Span[];
  matchedBy: MentionMatch;
}

const ArticleMentionRef = builder.objectRef<MentionItem>('ArticleMention').implement({
  description: 'An entity an article names, whatever its type.',
  fields: (t) => ({
    entity: t.field({
      type: builder.nodeInterfaceRef(),
      description: 'The leader, organization or summit named.',
      resolve: (m) => m.entity as never,
    }),
    spans: t.field({
      type: [TextSpanRef],
      description: 'Where the body names it, in text order; empty for a link made by hand.',
      resolve: (m) => m.spans,
    }),
    matchedBy: t.field({
      type: MentionMatchEnum,
      description: 'How the link was found.',
      resolve: (m) => m.matchedBy,
    }),
  }),
});

/** Marks a row with its GraphQL type (named as the registry names it), so unions know what it is. */
export function branded<T extends object>(row: T, type: MentionType): T {
  brandWithType(row, type as never);
  return row;
}

/** A mention row with the entity it names under the entity's model name (`leader`, …). */
export type MentionRow = { spans: unknown; matchedBy: MentionMatch } & Record<string, unknown>;

/**
 * `Article.mentions` from the article's mention rows by relation (`leaderMentions`, …), each in
 * id order with its entity: the plain read and an `asOf` snapshot both page through this.
 */
export function mentionConnection(
  rows: Record<string, MentionRow[]>,
  args: Parameters<typeof resolveArrayConnection>[0]['args'],
) {
  const items: MentionItem[] = MENTION_TYPES.flatMap((type) =>
    (rows[mentionsOf(type).onArticle] ?? []).map((m) => ({
      entity: branded(m[ENTITIES[type].model] as object, type),
      spans: readSpans(m.spans),
      matchedBy: m.matchedBy,
    })),
  );
  const first = (item: MentionItem) => item.spans[0]?.start ?? Number.MAX_SAFE_INTEGER;
  const last = (item: MentionItem) => item.spans[0]?.end ?? 0;
  // Text order, the longer of two spans that start together first ("SCO summit", "SCO");
  // a stable sort, so hand-made links (no spans) keep their creation order within a type.
  items.sort((a, b) => first(a) - first(b) || last(b) - last(a));
  return Object.assign(resolveArrayConnection({ args }, items), { totalCount: items.length });
}

const analysisOf = (article: ArticleRow): StoredAnalysis => readAnalysis(article.analysis);

builder.prismaObjectFields(Article, (t) => ({
  mentions: t.connection(
    {
      type: ArticleMentionRef,
      description:
        'Every entity the article names, whatever its type, in the order the body first names them (links made by hand last).',
      // Every mention table, each with the entity it names, from the registry.
      select: Object.fromEntries(
        MENTION_TYPES.map((type) => [
          mentionsOf(type).onArticle,
          { include: { [ENTITIES[type].model]: true }, orderBy: { id: 'asc' } },
        ]),
      ) as unknown as { leaderMentions: true },
      resolve: (article, args) =>
        mentionConnection(article as unknown as Record<string, MentionRow[]>, args),
    },
    {
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many entities the article names, across all pages.',
          resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
  ),
  timeExpressions: t.field({
    type: [TimeExpressionRef],
    description:
      'Phrases of the body that name a time, resolved against `publishedAt`, in text order. Empty for articles not ingested.',
    select: { analysis: true },
    resolve: (article) => analysisOf(article as ArticleRow).timeExpressions,
  }),
  attributions: t.field({
    type: [AttributionRef],
    description: 'Who the article cites: headline first, then the body in text order.',
    select: { analysis: true },
    resolve: (article) => analysisOf(article as ArticleRow).attributions,
  }),
  quotes: t.field({
    type: [QuoteRef],
    description: 'Quoted words in the body, in text order.',
    select: { analysis: true },
    resolve: (article) => analysisOf(article as ArticleRow).quotes,
  }),
  proposals: t.field({
    type: [ProposalRef],
    description:
      'Names in the body that match no known entity and that no editor has accepted yet.',
    select: { analysis: true },
    resolve: (article) => analysisOf(article as ArticleRow).proposals,
  }),
}));
