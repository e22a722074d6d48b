// Editing occurrences and their claims. Resolvers hand the input to the story layer
// (story/occurrence-writes.ts, story/claims.ts), which decodes IDs and decides everything else.
import { z } from 'zod';
import {
  acceptOccurrenceProposal,
  attachClaim,
  deleteOccurrence,
  detachClaim,
  rankClaim,
} from '../story/claims.ts';
import type { OccurrenceRow } from '../story/occurrence-rows.ts';
import { createOccurrence, updateOccurrence } from '../story/occurrence-writes.ts';
import type { ParticipantRole } from '../story/occurrences.ts';
import { TimePrecisionEnum } from './analysis.ts';
import { builder } from './builder.ts';
import { Claim } from './claim.ts';
import { lineSchema, slugSchema } from './inputs.ts';
import { DeleteInput, DeletePayload } from './mutation-common.ts';
import {
  ClaimRankEnum,
  Occurrence,
  OccurrenceKindEnum,
  OccurrenceStatusEnum,
  ParticipantRoleEnum,
} from './occurrence.ts';

const cameoSchema = z.string().regex(/^[0-9]{2,4}$/, 'must be a CAMEO code such as `044`');

const TimeRangeInput = builder.inputType('TimeRangeInput', {
  description: 'A span of days, both ends included.',
  fields: (t) => ({
    from: t.field({ type: 'Date', required: true, description: 'The first day.' }),
    to: t.field({ type: 'Date', required: true, description: 'The last day; not before `from`.' }),
    precision: t.field({
      type: TimePrecisionEnum,
      description: 'How exactly it is known; DAY by default.',
    }),
  }),
});

const ParticipantInput = builder.inputType('OccurrenceParticipantInput', {
  description: 'A leader or an organization taking part.',
  fields: (t) => ({
    entity: t.id({ required: true, description: 'The global ID of the leader or organization.' }),
    role: t.field({
      type: ParticipantRoleEnum,
      description: 'The part it plays; by default INITIATOR for the first, COUNTERPART after.',
    }),
  }),
});

const common = {
  slug: 'A unique, readable key; made from the kind, participants and first day when left out.',
  cameoCode: 'Its CAMEO event code, such as `044` (meet at a third place).',
  when: 'When it happens.',
  place: 'Where it happens.',
  partOf: 'The global ID of the summit or occurrence it is part of (never itself or its parts).',
};

const CreateOccurrenceInput = builder.inputType('CreateOccurrenceInput', {
  description: 'A new occurrence.',
  fields: (t) => ({
    slug: t.string({ description: common.slug, validate: slugSchema }),
    kind: t.field({ type: OccurrenceKindEnum, required: true, description: 'What kind it is.' }),
    cameoCode: t.string({ description: common.cameoCode, validate: cameoSchema }),
    status: t.field({
      type: OccurrenceStatusEnum,
      description: 'Where it stands; ANNOUNCED by default.',
    }),
    when: t.field({ type: TimeRangeInput, description: common.when }),
    place: t.string({ description: common.place, validate: lineSchema() }),
    partOf: t.id({ description: common.partOf }),
    participants: t.field({
      type: [ParticipantInput],
      required: true,
      description: 'Who takes part: at least one leader or organization, each once.',
    }),
    claimIds: t.idList({
      description: 'Stored claims to attach: each unattached, naming the same participants.',
    }),
  }),
});

const OccurrencePatch = builder.inputType('OccurrencePatch', {
  description: 'Fields to change on an occurrence; leave out what stays the same.',
  fields: (t) => ({
    slug: t.string({ description: 'A unique, readable key.', validate: slugSchema }),
    kind: t.field({ type: OccurrenceKindEnum, description: 'What kind it is.' }),
    cameoCode: t.string({
      description: `${common.cameoCode} Null clears it.`,
      validate: cameoSchema,
    }),
    status: t.field({ type: OccurrenceStatusEnum, description: 'Where it stands (any status).' }),
    when: t.field({
      type: TimeRangeInput,
      description:
        'When it happens; the range it replaces is kept in `previousWhen`. Null clears it.',
    }),
    place: t.string({ description: `${common.place} Null clears it.`, validate: lineSchema() }),
    partOf: t.id({ description: `${common.partOf} Null clears it.` }),
    participants: t.field({
      type: [ParticipantInput],
      description:
        'Who takes part, replacing the whole list: at least one leader or organization, each once. CONFLICT (with the `claimIds`) if claims attached to it name other participants: detach those first.',
    }),
  }),
});

const UpdateOccurrenceInput = builder.inputType('UpdateOccurrenceInput', {
  description: 'A change to an occurrence, applied only if `expectedVersion` is still current.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The occurrence's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the change was based on.' }),
    patch: t.field({ type: OccurrencePatch, required: true, description: 'What to change.' }),
  }),
});

const OccurrencePayload = builder.objectRef<{ row: OccurrenceRow }>('OccurrencePayload').implement({
  description: 'The occurrence after the change.',
  fields: (t) => ({
    occurrence: t.field({
      type: Occurrence,
      description: 'The occurrence as committed.',
      resolve: (payload) => payload.row as never,
    }),
  }),
});

const ClaimLinkInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      claimId: t.id({ required: true, description: "The claim's global ID." }),
      occurrenceId: t.id({ required: true, description: "The occurrence's global ID." }),
    }),
  });

const ClaimPayload = builder
  .objectRef<{ claimId: number; occurrence: OccurrenceRow | null }>('ClaimPayload')
  .implement({
    description: 'A claim after the change, with its occurrence.',
    fields: (t) => ({
      claim: t.prismaField({
        type: Claim,
        description: 'The claim as committed.',
        resolve: (query, payload, _args, ctx) =>
          ctx.db.claim.findUniqueOrThrow({ ...query, where: { id: payload.claimId } }),
      }),
      occurrence: t.field({
        type: Occurrence,
        nullable: true,
        description: 'The occurrence it was attached to or detached from, as it is now.',
        resolve: (payload) => payload.occurrence as never,
      }),
    }),
  });

const RankClaimInput = builder.inputType('RankClaimInput', {
  description: 'A new rank for a claim.',
  fields: (t) => ({
    claimId: t.id({ required: true, description: "The claim's global ID." }),
    rank: t.field({ type: ClaimRankEnum, required: true, description: 'The new rank.' }),
  }),
});

const AcceptOccurrenceProposalInput = builder.inputType('AcceptOccurrenceProposalInput', {
  description: 'A proposal of an article (one of its claims attached to nothing) to accept.',
  fields: (t) => ({
    articleId: t.id({ required: true, description: "The article's global ID." }),
    proposalId: t.id({ required: true, description: 'The global ID of the claim proposed.' }),
    status: t.field({
      type: OccurrenceStatusEnum,
      description: "The new occurrence's status; by default from the claim's modality.",
    }),
  }),
});

const entities = (list: { entity: string | number; role?: ParticipantRole | null }[]) =>
  list.map((p) => ({ entity: String(p.entity), role: p.role }));

const range = (input: { from: Date; to: Date; precision?: string | null } | null | undefined) =>
  input && { from: input.from, to: input.to, precision: (input.precision ?? 'DAY') as 'DAY' };

builder.mutationFields((t) => ({
  createOccurrence: t.field({
    type: OccurrencePayload,
    description:
      'Adds an occurrence, attaching the claims named in `claimIds`. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: CreateOccurrenceInput,
        required: true,
        description: 'The new occurrence.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await createOccurrence(ctx, {
        ...input,
        when: range(input.when),
        partOf: input.partOf == null ? null : String(input.partOf),
        participants: entities(input.participants),
        claimIds: input.claimIds?.map(String) ?? [],
      }),
    }),
  }),
  updateOccurrence: t.field({
    type: OccurrencePayload,
    description:
      'Changes some fields of an occurrence, its participants included. CONFLICT if someone changed it since `expectedVersion`, or if new participants differ from those its attached claims name. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: UpdateOccurrenceInput, required: true, description: 'The change.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      const { when, partOf, participants, ...rest } = input.patch;
      return {
        row: await updateOccurrence(ctx, {
          id: String(input.id),
          expectedVersion: input.expectedVersion,
          patch: {
            ...rest,
            ...(when !== undefined ? { when: range(when) } : {}),
            ...(partOf !== undefined ? { partOf: partOf === null ? null : String(partOf) } : {}),
            ...(participants !== undefined
              ? { participants: participants && entities(participants) }
              : {}),
          },
        }),
      };
    },
  }),
  deleteOccurrence: t.field({
    type: DeletePayload,
    description:
      'Removes an occurrence with its participants; its claims become proposals again, each logged as detached. Needs an admin token.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'What to delete.' }) },
    resolve: async (_root, { input }, ctx) => {
      await deleteOccurrence(ctx, {
        id: String(input.id),
        expectedVersion: input.expectedVersion,
      });
      return { deletedId: String(input.id) };
    },
  }),
  attachClaim: t.field({
    type: ClaimPayload,
    description:
      'Attaches a claim to the occurrence it is about. CONFLICT if it is attached already or names other participants. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: ClaimLinkInput('AttachClaimInput', 'A claim to attach to an occurrence.'),
        required: true,
        description: 'The claim and the occurrence.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const link = { claimId: String(input.claimId), occurrenceId: String(input.occurrenceId) };
      return attachClaim(ctx, link);
    },
  }),
  detachClaim: t.field({
    type: ClaimPayload,
    description:
      'Detaches a claim from its occurrence; it becomes a proposal again. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: ClaimLinkInput('DetachClaimInput', 'A claim to detach from its occurrence.'),
        required: true,
        description: 'The claim and the occurrence.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const link = { claimId: String(input.claimId), occurrenceId: String(input.occurrenceId) };
      return detachClaim(ctx, link);
    },
  }),
  rankClaim: t.field({
    type: ClaimPayload,
    description: 'Sets the rank of a claim. Needs an editor token.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: RankClaimInput, required: true, description: 'The new rank.' }) },
    resolve: async (_root, { input }, ctx) => {
      const claim = await rankClaim(ctx, { claimId: String(input.claimId), rank: input.rank });
      return { claimId: claim.id, occurrence: null };
    },
  }),
  acceptOccurrenceProposal: t.field({
    type: OccurrencePayload,
    description:
      'Creates the occurrence a stored claim proposes (its kind, participants, when, place and partOf) and attaches the claim. CONFLICT if it was accepted already. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: AcceptOccurrenceProposalInput,
        required: true,
        description: 'The proposal.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      row: await acceptOccurrenceProposal(ctx, {
        articleId: String(input.articleId),
        proposalId: String(input.proposalId),
        status: input.status,
      }),
    }),
  }),
}));
