// Claims: what one article says happens, with the words it rests on. Also the lists that lead to
// claims and occurrences from articles, summits and leaders.
import type { Claim as ClaimRow } from '../generated/prisma/client.ts';
import type { Attribution } from '../story/ingest/attributions.ts';
import { rangeOf } from '../story/occurrence-rows.ts';
import { AttributionRef } from './analysis.ts';
import { Article } from './article.ts';
import { builder } from './builder.ts';
import { Leader } from './leader.ts';
import {
  ClaimModalityEnum,
  ClaimRankEnum,
  OccurrenceKindEnum,
  participantNode,
  partOfNode,
  TimeRangeRef,
} from './occurrence.ts';
import { TextSpanRef } from './scalars.ts';
import { Summit } from './summit.ts';

const TextQuoteRef = builder.objectRef<ClaimRow>('TextQuote').implement({
  description:
    'The exact words a claim rests on, with some context on each side to find them again (a W3C TextQuoteSelector).',
  fields: (t) => ({
    span: t.field({
      type: TextSpanRef,
      description: 'Where the words are: in the body, or in the headline if `inHeadline`.',
      resolve: (c) => ({
        start: c.evidenceStart,
        end: c.evidenceEnd,
        text: c.evidenceExact,
        anchor: c.evidenceAnchor,
      }),
    }),
    exact: t.exposeString('evidenceExact', { description: 'The words, as written.' }),
    prefix: t.exposeString('evidencePrefix', { description: 'Up to 32 characters before them.' }),
    suffix: t.exposeString('evidenceSuffix', { description: 'Up to 32 characters after them.' }),
    inHeadline: t.exposeBoolean('evidenceInHeadline', {
      description: 'True when the words are in the headline (then `span` indexes the headline).',
    }),
  }),
});

/** The attribution stored on a claim row, in the shape of the analysis' attributions. */
function attributionOf(claim: ClaimRow): Attribution | null {
  if (claim.attributionName === null) return null;
  const start = claim.attributionStart ?? 0;
  const end = claim.attributionEnd ?? start;
  return {
    source: { name: claim.attributionName, kind: claim.attributionKind as never },
    span: { start, end, text: claim.attributionName },
    inHeadline: claim.attributionInHeadline ?? false,
  };
}

export const Claim = builder.prismaNode('Claim', {
  description:
    'What one article says happens: who, what, when and where, how it is put, and on whose word. Attached to the occurrence it is about, or (while `occurrence` is null) a proposal of one.',
  id: { field: 'id' },
  nullable: true,
  fields: (t) => ({
    article: t.relation('article', { description: 'The article that makes the claim.' }),
    occurrence: t.relation('occurrence', {
      nullable: true,
      description: 'The occurrence it is about; null while it is only a proposal.',
    }),
    kind: t.expose('kind', {
      type: OccurrenceKindEnum,
      description: 'What kind of thing it says happens.',
    }),
    cameoCode: t.exposeString('cameoCode', {
      nullable: true,
      description: 'Its CAMEO event code, if one fits.',
    }),
    modality: t.expose('modality', { type: ClaimModalityEnum, description: 'How it is put.' }),
    participants: t.field({
      type: ['Node' as never],
      description: 'The leaders and organizations it names as taking part, in text order.',
      resolve: async (claim, _args, ctx) => {
        const rows = await ctx.db.claimParticipant.findMany({
          where: { claimId: claim.id },
          include: { leader: true, organization: true },
          orderBy: { id: 'asc' },
        });
        return rows.map(participantNode) as never;
      },
    }),
    when: t.field({
      type: TimeRangeRef,
      nullable: true,
      description: 'When it says it happens, or null if it does not say.',
      resolve: (claim) => rangeOf(claim),
    }),
    place: t.exposeString('place', { nullable: true, description: 'Where it says, if it does.' }),
    partOf: t.field({
      type: 'Node' as never,
      nullable: true,
      description: 'The summit (or occurrence) it says this is part of, if any.',
      resolve: (claim, _args, ctx) => partOfNode(ctx.db, claim) as never,
    }),
    attributedTo: t.field({
      type: AttributionRef,
      nullable: true,
      description: "Whom the article attributes it to; null when it is the article's own voice.",
      resolve: (claim) => attributionOf(claim),
    }),
    evidence: t.field({
      type: TextQuoteRef,
      description: 'The words it rests on.',
      resolve: (claim) => claim,
    }),
    confidence: t.exposeFloat('confidence', {
      description: 'How sure the extraction is, from 0 to 1.',
    }),
    rank: t.expose('rank', { type: ClaimRankEnum, description: 'Its weight among the claims.' }),
  }),
});

/** Claims in text order: the headline's first, then the body's by position. */
export const CLAIM_ORDER = [
  { evidenceInHeadline: 'desc' as const },
  { evidenceStart: 'asc' as const },
  { id: 'asc' as const },
];

builder.prismaObjectField(Article, 'claims', (t) =>
  t.relation('claims', {
    description: 'What the article says happens, in text order (the headline first).',
    query: { orderBy: CLAIM_ORDER },
  }),
);

builder.prismaObjectField(Summit, 'occurrences', (t) =>
  t.relation('occurrences', {
    description: 'The meetings, talks and other occurrences that are part of the summit.',
    query: { orderBy: [{ whenFrom: 'asc' }, { id: 'asc' }] },
  }),
);

builder.prismaObjectField(Leader, 'occurrences', (t) =>
  t.prismaField({
    type: ['Occurrence'],
    description: 'The occurrences the leader takes part in, earliest first.',
    resolve: (query, leader, _args, ctx) =>
      ctx.db.occurrence.findMany({
        ...query,
        where: { participants: { some: { leaderId: leader.id } } },
        orderBy: [{ whenFrom: 'asc' }, { id: 'asc' }],
      }),
  }),
);
