import type { Article as ArticleRow } from '../generated/prisma/client.ts';
import { acceptProposal } from '../story/ingest/accept.ts';
import type { Proposal } from '../story/ingest/proposals.ts';
import { ingestArticle } from '../story/ingest/store.ts';
import { branded, ProposalAsEnum, ProposalRef } from './analysis.ts';
import { Article } from './article.ts';
import { builder } from './builder.ts';
import { CLAIM_ORDER } from './claim.ts';
import { lineSchema, namesSchema, slugSchema, textSchema, urlSchema } from './inputs.ts';
import { OrganizationKindEnum, SummitStatusEnum } from './scalars.ts';

const IngestArticleInput = builder.inputType('IngestArticleInput', {
  description:
    'An article to analyse and store. The same `url` (or, without one, the same headline and body) a second time returns the stored article and changes nothing.',
  fields: (t) => ({
    headline: t.string({ required: true, description: 'The headline.', validate: lineSchema(300) }),
    body: t.string({
      required: true,
      description: 'The text; every offset the analysis gives is into it.',
      validate: textSchema(100_000).refine((v) => v.trim().length > 0, 'must not be empty'),
    }),
    publishedAt: t.field({
      type: 'DateTime',
      required: true,
      description: 'When it was published: relative dates ("next week") are resolved against it.',
    }),
    source: t.string({
      description: "Who published it; defaults to the URL's host, or `unknown`.",
      validate: lineSchema(),
    }),
    url: t.string({
      description: 'Where to read it; the key for re-ingesting.',
      validate: urlSchema,
    }),
    slug: t.string({
      description: 'A unique slug; derived from the headline when absent.',
      validate: slugSchema,
    }),
  }),
});

const IngestArticlePayload = builder
  .objectRef<{ article: ArticleRow; proposals: Proposal[]; created: boolean }>(
    'IngestArticlePayload',
  )
  .implement({
    description: 'The stored article, with what the analysis could not link.',
    fields: (t) => ({
      article: t.field({
        type: Article,
        description: 'The article, with its mentions, time expressions, attributions and quotes.',
        resolve: (payload) => payload.article,
      }),
      created: t.exposeBoolean('created', {
        description:
          'False when the article was already stored (same URL, or same headline and body): nothing was written.',
      }),
      proposals: t.field({
        type: [ProposalRef],
        description:
          'Names the story does not know yet; `acceptProposal` turns one into an entity.',
        resolve: (payload) => payload.proposals,
      }),
      claims: t.prismaField({
        type: ['Claim'],
        description:
          'What the article says happens, in text order (the headline first), each attached to the occurrence it matches or left as a proposal.',
        resolve: (query, payload, _args, ctx) =>
          ctx.db.claim.findMany({
            ...query,
            where: { articleId: payload.article.id },
            orderBy: CLAIM_ORDER,
          }),
      }),
      occurrenceProposals: t.prismaField({
        type: ['Claim'],
        description:
          'The claims that match no occurrence the story knows: `acceptOccurrenceProposal` turns one into an occurrence (with the claims of the article that describe it).',
        resolve: (query, payload, _args, ctx) =>
          ctx.db.claim.findMany({
            ...query,
            where: { articleId: payload.article.id, occurrenceId: null },
            orderBy: CLAIM_ORDER,
          }),
      }),
    }),
  });

const AcceptProposalInput = builder.inputType('AcceptProposalInput', {
  description:
    "Turns one of an article's proposals into a leader, organization or summit, linked at every place the article names it.",
  fields: (t) => ({
    articleId: t.id({ required: true, description: "The article's ID." }),
    text: t.string({
      required: true,
      description: "The proposal's `text` (any case).",
      validate: lineSchema(300),
    }),
    as: t.field({ type: ProposalAsEnum, required: true, description: 'What to create.' }),
    name: t.string({
      description: 'The name to store; the proposal text by default.',
      validate: lineSchema(),
    }),
    slug: t.string({
      description: 'A unique slug; derived from the name by default.',
      validate: slugSchema,
    }),
    title: t.string({ description: "A leader's title.", validate: lineSchema() }),
    country: t.string({
      description: "A leader's or summit's country.",
      validate: lineSchema(100),
    }),
    aliases: t.stringList({
      description: "A leader's other names; the article's shorter forms are added.",
      validate: namesSchema,
    }),
    acronym: t.string({ description: "An organization's acronym.", validate: lineSchema(20) }),
    kind: t.field({
      type: OrganizationKindEnum,
      description: "An organization's kind (OTHER by default).",
    }),
    organizerId: t.id({ description: "The ID of a summit's organizing organization." }),
    city: t.string({ description: "A summit's city.", validate: lineSchema() }),
    startsOn: t.field({
      type: 'Date',
      description: "A summit's first day (required for a summit).",
    }),
    status: t.field({
      type: SummitStatusEnum,
      description: "A summit's status (ANNOUNCED by default).",
    }),
  }),
});

const AcceptProposalPayload = builder
  .objectRef<{ article: ArticleRow; entity: object }>('AcceptProposalPayload')
  .implement({
    description: 'The new entity and the article now linked to it.',
    fields: (t) => ({
      article: t.field({
        type: Article,
        description: 'The article, with the proposal now among its mentions.',
        resolve: (payload) => payload.article,
      }),
      entity: t.field({
        type: builder.nodeInterfaceRef(),
        description: 'The leader, organization or summit created.',
        resolve: (payload) => payload.entity as never,
      }),
    }),
  });

builder.mutationFields((t) => ({
  ingestArticle: t.field({
    type: IngestArticlePayload,
    description:
      'Stores an article and links the leaders, organizations and summits it names; resolves its dates, sources and quotes; proposes the names it could not link. The analysis runs on worker threads: ANALYSIS_TIMEOUT past its time budget, SERVICE_UNAVAILABLE when too many articles wait for it; nothing is written then. One transaction; the feed gets a CREATED event and one LINKED event per link. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: IngestArticleInput, required: true, description: 'The article.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      return ingestArticle(ctx, {
        headline: input.headline,
        body: input.body,
        publishedAt: input.publishedAt,
        source: input.source ?? null,
        url: input.url ?? null,
        slug: input.slug ?? null,
      });
    },
  }),
  acceptProposal: t.field({
    type: AcceptProposalPayload,
    description:
      "Creates the entity an article's proposal names and links every place the article uses it. NOT_FOUND if the article has no such open proposal; CONFLICT, with extensions.entityId, if it was already accepted (also at the same moment). Needs an editor token.",
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: AcceptProposalInput, required: true, description: 'The decision.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      const { article, entity } = await acceptProposal(ctx, {
        articleId: String(input.articleId),
        text: input.text,
        as: input.as,
        name: input.name ?? null,
        slug: input.slug ?? null,
        title: input.title ?? null,
        country: input.country ?? null,
        aliases: input.aliases ?? null,
        acronym: input.acronym ?? null,
        kind: input.kind ?? null,
        organizerId: input.organizerId == null ? null : String(input.organizerId),
        city: input.city ?? null,
        startsOn: input.startsOn ?? null,
        status: input.status ?? null,
      });
      return { article, entity: branded(entity, entity.__typename) };
    },
  }),
}));
