import { builder } from '../builder.ts';
import type { Leader as LeaderRow } from '../generated/prisma/client.ts';
import { createEntity, deleteEntity, given, updateEntity } from '../story/editing.ts';
import { lineSchema, namesSchema, slugSchema, textSchema } from './inputs.ts';
import { Leader } from './leader.ts';
import { DeleteInput, DeletePayload } from './mutation-common.ts';

const FIELDS = ['slug', 'name', 'aliases', 'title', 'country', 'description'] as const;

const LeaderPatch = builder.inputType('LeaderPatch', {
  description: 'Fields to change on a leader; leave out what stays the same.',
  fields: (t) => ({
    slug: t.string({ description: 'A new slug.', validate: slugSchema }),
    name: t.string({ description: 'The full name.', validate: lineSchema() }),
    aliases: t.stringList({
      description: 'Other names; replaces the whole list.',
      validate: namesSchema,
    }),
    title: t.string({ description: 'The current office or role.', validate: lineSchema() }),
    country: t.string({ description: 'The country served.', validate: lineSchema(100) }),
    description: t.string({ description: 'A short note.', validate: textSchema(5000) }),
  }),
});

const CreateLeaderInput = builder.inputType('CreateLeaderInput', {
  description: 'A new leader.',
  fields: (t) => ({
    slug: t.string({
      required: true,
      description: 'A unique slug such as `narendra-modi`.',
      validate: slugSchema,
    }),
    name: t.string({ required: true, description: 'The full name.', validate: lineSchema() }),
    aliases: t.stringList({ description: 'Other names the press uses.', validate: namesSchema }),
    title: t.string({
      required: true,
      description: 'The current office or role.',
      validate: lineSchema(),
    }),
    country: t.string({
      required: true,
      description: 'The country served.',
      validate: lineSchema(100),
    }),
    description: t.string({ description: 'A short note.', validate: textSchema(5000) }),
  }),
});

const UpdateLeaderInput = builder.inputType('UpdateLeaderInput', {
  description: 'A change to a leader, applied only if `expectedVersion` is still current.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The leader's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the change was based on.' }),
    patch: t.field({ type: LeaderPatch, required: true, description: 'What to change.' }),
  }),
});

const LeaderPayload = builder.objectRef<{ leader: LeaderRow }>('LeaderPayload').implement({
  description: 'The leader after the change.',
  fields: (t) => ({
    leader: t.field({
      type: Leader,
      description: 'The leader as committed.',
      resolve: (payload) => payload.leader,
    }),
  }),
});

builder.mutationFields((t) => ({
  createLeader: t.field({
    type: LeaderPayload,
    description: 'Adds a leader to the story. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: CreateLeaderInput, required: true, description: 'The new leader.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      leader: await createEntity<LeaderRow>(ctx.viewer, {
        type: 'Leader',
        data: { ...input, aliases: input.aliases ?? [], description: input.description ?? '' },
        fields: FIELDS,
      }),
    }),
  }),
  updateLeader: t.field({
    type: LeaderPayload,
    description:
      'Changes some fields of a leader. CONFLICT if someone changed it since `expectedVersion`. Needs an editor token.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: UpdateLeaderInput, required: true, description: 'The change.' }) },
    resolve: async (_root, { input }, ctx) => ({
      leader: await updateEntity<LeaderRow>(ctx.viewer, {
        type: 'Leader',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
        patch: given(input.patch),
        label: (changes) =>
          changes.some((c) => c.field === 'title') ? 'LEADER_TITLE_CHANGED' : null,
      }),
    }),
  }),
  deleteLeader: t.field({
    type: DeletePayload,
    description:
      'Removes a leader with their memberships, participations and mentions. Needs an admin token.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'What to delete.' }) },
    resolve: async (_root, { input }, ctx) => {
      await deleteEntity(ctx.viewer, {
        type: 'Leader',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
      });
      return { deletedId: String(input.id) };
    },
  }),
}));
