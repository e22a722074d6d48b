// Link mutations: declarations only. What a link means, and the one rule every link follows, are
// the story layer's (src/story/links.ts).
import { z } from 'zod';
import {
  linkMembership,
  linkMention,
  linkParticipation,
  type MentionType,
  setOrganizer,
  unlinkMembership,
  unlinkMention,
  unlinkParticipation,
} from '../story/links.ts';
import { MAX_SPANS_PER_MENTION } from '../story/mentions.ts';
import { builder } from './builder.ts';
import {
  ArticlePayload,
  MembershipPayload,
  ParticipationPayload,
  SummitPayload,
} from './entity-mutations.ts';
import { lineSchema, textSchema } from './inputs.ts';
import { DatePrecisionEnum, ParticipationStatusEnum } from './scalars.ts';

/** The rule every link mutation follows, quoted in their descriptions. */
const RULE =
  'Linking again with the same values changes nothing; a link that exists with other values is a CONFLICT. Needs an editor token.';
const UNLINK_RULE = 'NOT_FOUND if there is no such link. Needs an editor token.';

const TextSpanInput = builder.inputType('TextSpanInput', {
  description: "Where an article's body names an entity.",
  fields: (t) => ({
    start: t.int({
      required: true,
      description: 'Offset of the first character.',
      validate: z.number().int().min(0),
    }),
    end: t.int({
      required: true,
      description: 'Offset just past the last character.',
      validate: z.number().int().min(1),
    }),
  }),
});

// --- Article mentions: one shape for leaders, organizations and summits. ---

/** The mention mutations, by name (written out so that each can be found by the name clients use). */
const MENTION_MUTATIONS = [
  { type: 'Leader', link: 'linkLeaderToArticle', unlink: 'unlinkLeaderFromArticle' },
  {
    type: 'Organization',
    link: 'linkOrganizationToArticle',
    unlink: 'unlinkOrganizationFromArticle',
  },
  { type: 'Summit', link: 'linkSummitToArticle', unlink: 'unlinkSummitFromArticle' },
] as const satisfies readonly {
  type: MentionType;
  link: `link${MentionType}ToArticle`;
  unlink: `unlink${MentionType}FromArticle`;
}[];

for (const { type, link, unlink } of MENTION_MUTATIONS) {
  const noun = type.toLowerCase();
  const idField = `${noun}Id`;
  const LinkInput = builder.inputType(`Link${type}ToArticleInput`, {
    description: `Records that an article mentions a ${noun}.`,
    fields: (t) => ({
      articleId: t.id({ required: true, description: "The article's ID." }),
      [idField]: t.id({ required: true, description: `The ${noun}'s ID.` }),
      spans: t.field({
        type: [TextSpanInput],
        description: `Where the body names the ${noun} (at most ${MAX_SPANS_PER_MENTION}, not overlapping); the text is taken from the body.`,
      }),
    }),
  });
  const UnlinkInput = builder.inputType(`Unlink${type}FromArticleInput`, {
    description: `Removes the record that an article mentions a ${noun}.`,
    fields: (t) => ({
      articleId: t.id({ required: true, description: "The article's ID." }),
      [idField]: t.id({ required: true, description: `The ${noun}'s ID.` }),
    }),
  });
  const linkOf = (input: Record<string, unknown>) => ({
    articleId: String(input.articleId),
    type,
    entityId: String(input[idField]),
  });

  builder.mutationField(link, (t) =>
    t.field({
      type: ArticlePayload,
      description: `Records that an article mentions a ${noun}. ${RULE}`,
      authScopes: { editor: true },
      args: { input: t.arg({ type: LinkInput, required: true, description: 'The link.' }) },
      resolve: async (_root, { input }, ctx) => ({
        row: await linkMention(
          ctx,
          linkOf(input),
          (input.spans as { start: number; end: number }[] | null) ?? [],
        ),
      }),
    }),
  );
  builder.mutationField(unlink, (t) =>
    t.field({
      type: ArticlePayload,
      description: `Removes the record that an article mentions a ${noun}; returns the article. ${UNLINK_RULE}`,
      authScopes: { editor: true },
      args: {
        input: t.arg({ type: UnlinkInput, required: true, description: 'The link to remove.' }),
      },
      resolve: async (_root, { input }, ctx) => ({
        row: await unlinkMention(ctx, linkOf(input)),
      }),
    }),
  );
}

// --- Participation: leader ↔ summit, with a status. ---

const LinkLeaderToSummitInput = builder.inputType('LinkLeaderToSummitInput', {
  description: "Records a leader's attendance at a summit.",
  fields: (t) => ({
    leaderId: t.id({ required: true, description: "The leader's ID." }),
    summitId: t.id({ required: true, description: "The summit's ID." }),
    status: t.field({
      type: ParticipationStatusEnum,
      required: true,
      description: 'Where the attendance stands.',
    }),
    note: t.string({ description: 'What is known about it.', validate: textSchema(2000) }),
  }),
});

const UnlinkLeaderFromSummitInput = builder.inputType('UnlinkLeaderFromSummitInput', {
  description: "Removes a leader's participation in a summit.",
  fields: (t) => ({
    leaderId: t.id({ required: true, description: "The leader's ID." }),
    summitId: t.id({ required: true, description: "The summit's ID." }),
  }),
});

// --- Membership: leader ↔ organization, with a role and time span. ---

const LinkLeaderToOrganizationInput = builder.inputType('LinkLeaderToOrganizationInput', {
  description: 'Gives a leader a seat in an organization.',
  fields: (t) => ({
    leaderId: t.id({ required: true, description: "The leader's ID." }),
    organizationId: t.id({ required: true, description: "The organization's ID." }),
    role: t.string({
      required: true,
      description: 'The seat, such as `Member`.',
      validate: lineSchema(),
    }),
    startedOn: t.field({ type: 'Date', description: 'When it began, if known.' }),
    startedOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly `startedOn` is known.',
    }),
    endedOn: t.field({ type: 'Date', description: 'When it ended, if it has.' }),
    endedOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly `endedOn` is known.',
    }),
  }),
});

const UnlinkLeaderFromOrganizationInput = builder.inputType('UnlinkLeaderFromOrganizationInput', {
  description: 'Removes a membership.',
  fields: (t) => ({
    membershipId: t.id({ required: true, description: "The membership's ID." }),
  }),
});

// --- Summit ↔ organization: the organizer, a field of the summit. ---

const LinkSummitToOrganizationInput = builder.inputType('LinkSummitToOrganizationInput', {
  description: 'Makes an organization the organizer of a summit.',
  fields: (t) => ({
    summitId: t.id({ required: true, description: "The summit's ID." }),
    organizationId: t.id({ required: true, description: "The organization's ID." }),
    expectedVersion: t.int({
      description: 'When given, only if the summit is still at this version.',
    }),
  }),
});

const UnlinkSummitFromOrganizationInput = builder.inputType('UnlinkSummitFromOrganizationInput', {
  description: 'Clears the organizer of a summit.',
  fields: (t) => ({
    summitId: t.id({ required: true, description: "The summit's ID." }),
    expectedVersion: t.int({
      description: 'When given, only if the summit is still at this version.',
    }),
  }),
});

builder.mutationFields((t) => ({
  linkLeaderToSummit: t.field({
    type: ParticipationPayload,
    description: `Records that a leader takes part in a summit, with a status (logged as PARTICIPATION_EXPECTED and the like); change the status later with updateParticipation. ${RULE}`,
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: LinkLeaderToSummitInput,
        required: true,
        description: 'The participation.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await linkParticipation(ctx, {
        leader: String(input.leaderId),
        summit: String(input.summitId),
        status: input.status,
        note: input.note,
      }),
    }),
  }),
  unlinkLeaderFromSummit: t.field({
    type: ParticipationPayload,
    description: `Removes a leader's participation in a summit; returns it as it was. ${UNLINK_RULE}`,
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: UnlinkLeaderFromSummitInput,
        required: true,
        description: 'The participation to remove.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await unlinkParticipation(ctx, {
        leader: String(input.leaderId),
        summit: String(input.summitId),
      }),
    }),
  }),
  linkLeaderToOrganization: t.field({
    type: MembershipPayload,
    description: `Gives a leader a seat in an organization (one per role); change its dates later with updateMembership. ${RULE}`,
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: LinkLeaderToOrganizationInput,
        required: true,
        description: 'The membership.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await linkMembership(ctx, {
        ...input,
        leader: String(input.leaderId),
        organization: String(input.organizationId),
      }),
    }),
  }),
  unlinkLeaderFromOrganization: t.field({
    type: MembershipPayload,
    description: `Removes a membership; returns it as it was. ${UNLINK_RULE}`,
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: UnlinkLeaderFromOrganizationInput,
        required: true,
        description: 'The membership to remove.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await unlinkMembership(ctx, String(input.membershipId)),
    }),
  }),
  linkSummitToOrganization: t.field({
    type: SummitPayload,
    description:
      'Makes an organization the organizer of a summit, replacing any previous one (a summit has one organizer); the same organizer again changes nothing. CONFLICT if `expectedVersion` is given and no longer current. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: LinkSummitToOrganizationInput,
        required: true,
        description: 'The link.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await setOrganizer(ctx, {
        summit: String(input.summitId),
        organization: String(input.organizationId),
        expectedVersion: input.expectedVersion,
      }),
    }),
  }),
  unlinkSummitFromOrganization: t.field({
    type: SummitPayload,
    description:
      'Clears the organizer of a summit; a summit without one is left as it is. CONFLICT if `expectedVersion` is given and no longer current. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: UnlinkSummitFromOrganizationInput,
        required: true,
        description: 'The link to remove.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await setOrganizer(ctx, {
        summit: String(input.summitId),
        organization: null,
        expectedVersion: input.expectedVersion,
      }),
    }),
  }),
}));
