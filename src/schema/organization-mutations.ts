import { builder } from '../builder.ts';
import type { Organization as OrganizationRow } from '../generated/prisma/client.ts';
import { createEntity, deleteEntity, given, updateEntity } from '../story/editing.ts';
import { lineSchema, namesSchema, slugSchema, textSchema } from './inputs.ts';
import { DeleteInput, DeletePayload } from './mutation-common.ts';
import { Organization } from './organization.ts';
import { OrganizationKindEnum } from './scalars.ts';

const FIELDS = ['slug', 'name', 'acronym', 'kind', 'description', 'memberStates'] as const;

const OrganizationPatch = builder.inputType('OrganizationPatch', {
  description: 'Fields to change on an organization; leave out what stays the same.',
  fields: (t) => ({
    slug: t.string({ description: 'A new slug.', validate: slugSchema }),
    name: t.string({ description: 'The full name.', validate: lineSchema() }),
    acronym: t.string({ description: 'The short form; null clears it.', validate: lineSchema(20) }),
    kind: t.field({ type: OrganizationKindEnum, description: 'What kind of body it is.' }),
    description: t.string({ description: 'A short note.', validate: textSchema(5000) }),
    memberStates: t.stringList({
      description: 'Member countries; replaces the whole list.',
      validate: namesSchema,
    }),
  }),
});

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  description: 'A new organization.',
  fields: (t) => ({
    slug: t.string({
      required: true,
      description: 'A unique slug such as `brics`.',
      validate: slugSchema,
    }),
    name: t.string({ required: true, description: 'The full name.', validate: lineSchema() }),
    acronym: t.string({ description: 'The short form, if any.', validate: lineSchema(20) }),
    kind: t.field({
      type: OrganizationKindEnum,
      required: true,
      description: 'What kind of body it is.',
    }),
    description: t.string({ description: 'A short note.', validate: textSchema(5000) }),
    memberStates: t.stringList({ description: 'Member countries.', validate: namesSchema }),
  }),
});

const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  description: 'A change to an organization, applied only if `expectedVersion` is still current.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The organization's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the change was based on.' }),
    patch: t.field({ type: OrganizationPatch, required: true, description: 'What to change.' }),
  }),
});

const OrganizationPayload = builder
  .objectRef<{ organization: OrganizationRow }>('OrganizationPayload')
  .implement({
    description: 'The organization after the change.',
    fields: (t) => ({
      organization: t.field({
        type: Organization,
        description: 'The organization as committed.',
        resolve: (payload) => payload.organization,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createOrganization: t.field({
    type: OrganizationPayload,
    description: 'Adds an organization to the story. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: CreateOrganizationInput,
        required: true,
        description: 'The new organization.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      organization: await createEntity<OrganizationRow>(ctx.viewer, {
        type: 'Organization',
        data: {
          ...input,
          acronym: input.acronym ?? null,
          description: input.description ?? '',
          memberStates: input.memberStates ?? [],
        },
        fields: FIELDS,
      }),
    }),
  }),
  updateOrganization: t.field({
    type: OrganizationPayload,
    description:
      'Changes some fields of an organization. CONFLICT if someone changed it since `expectedVersion`. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: UpdateOrganizationInput, required: true, description: 'The change.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      organization: await updateEntity<OrganizationRow>(ctx.viewer, {
        type: 'Organization',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
        patch: given(input.patch),
        nullable: ['acronym'],
        label: (changes) =>
          changes.some((c) => c.field === 'memberStates') ? 'MEMBERSHIP_OF_STATES_CHANGED' : null,
      }),
    }),
  }),
  deleteOrganization: t.field({
    type: DeletePayload,
    description:
      'Removes an organization with its memberships and mentions; its summits lose their organizer. Needs an admin token.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'What to delete.' }) },
    resolve: async (_root, { input }, ctx) => {
      await deleteEntity(ctx.viewer, {
        type: 'Organization',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
      });
      return { deletedId: String(input.id) };
    },
  }),
}));
