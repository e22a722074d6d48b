import type { InputFieldBuilder, InputFieldRef, ObjectRef, SchemaTypes } from '@pothos/core';
import type { ZodType } from 'zod';
import { createEntity, deleteEntity } from '../story/entity-writes.ts';
import type { NodeType } from '../story/global-id.ts';
import { ENTITIES, isRequired } from '../story/registry.ts';
import { updateEntity } from '../story/update-in-one.ts';
import { builder } from './builder.ts';
import { DeleteInput, DeletePayload } from './mutation-common.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : SchemaTypes;
type Builder = InputFieldBuilder<Types, 'InputObject'>;
type FieldOptions = { required: boolean; description: string };

/** How one editable field is declared as a GraphQL input. */
export interface EditableField {
  description: string;
  declare: (t: Builder, options: FieldOptions) => InputFieldRef<Types, unknown>;
}

/** A single string, checked by `validate`. */
export const stringField = (description: string, validate: ZodType<string>): EditableField => ({
  description,
  declare: (t, options) => t.string({ ...options, validate }) as InputFieldRef<Types, unknown>,
});

/** A list of strings, checked by `validate`. */
export const stringsField = (description: string, validate: ZodType<string[]>): EditableField => ({
  description,
  declare: (t, options) => t.stringList({ ...options, validate }) as InputFieldRef<Types, unknown>,
});

/** A field of a scalar or enum type, or a global ID. */
export const typedField = (
  description: string,
  type: 'Date' | 'DateTime' | 'ID' | object,
): EditableField => ({
  description,
  declare: (t, options) =>
    t.field({ ...options, type: type as 'Date' }) as InputFieldRef<Types, unknown>,
});

/** What {@link editableModel} declares for one model. */
export interface EditableModel<T extends NodeType = NodeType> {
  type: T;
  /** The payload field's name and the noun in descriptions, such as `summit`. */
  noun: string;
  /**
   * The GraphQL object the payload returns. Its shape may be narrower than `Row` (Pothos' select
   * mode loads columns on demand), so any object reference is accepted.
   */
  ref: ObjectRef<Types, unknown> | string;
  /** Every editable field, by its API name (the story layer's rules say which are required). */
  fields: Record<string, EditableField>;
  /**
   * The mutations to declare, by name: written out where each model is declared, so that a
   * mutation of `schema.graphql` can be found in the source by its name. Link rows are created
   * by link mutations instead.
   */
  mutations: { create?: `create${T}`; update?: `update${T}`; delete?: `delete${T}` };
  /** What a delete takes with it, for its description (`with its mentions`). */
  deletes?: string;
}

/**
 * Declares a model's editing API from its field list: `Create<T>Input`, `<T>Patch`,
 * `Update<T>Input`, `<T>Payload` and the `create<T>`, `update<T>` and `delete<T>` mutations.
 * Resolvers only hand the input to the story layer, which decides everything else.
 */
export function editableModel<Row, T extends NodeType = NodeType>(
  model: EditableModel<T>,
): ObjectRef<Types, { row: Row }> {
  const { noun, mutations } = model;
  // Widened: input type names built from a generic type parameter would confuse Pothos' types.
  const type: NodeType = model.type;
  const rules = ENTITIES[type].fields;
  const Payload = builder.objectRef<{ row: Row }>(`${type}Payload`).implement({
    description: `The ${noun} after the change.`,
    fields: (t) => ({
      [noun]: t.field({
        type: model.ref as ObjectRef<Types, Row>,
        description: `The ${noun} as committed.`,
        resolve: (payload) => payload.row as never,
      }),
    }),
  });

  const Patch = builder.inputType(`${type}Patch`, {
    description: `Fields to change on a ${noun}; leave out what stays the same.`,
    fields: (t) =>
      Object.fromEntries(
        Object.entries(model.fields).map(([name, field]) => [
          name,
          field.declare(t, {
            required: false,
            description: rules[name]?.nullable
              ? `${field.description} Null clears it.`
              : field.description,
          }),
        ]),
      ),
  });

  if (mutations.create) {
    const CreateInput = builder.inputType(`Create${type}Input`, {
      description: `A new ${noun}.`,
      fields: (t) =>
        Object.fromEntries(
          Object.entries(model.fields).map(([name, field]) => [
            name,
            field.declare(t, {
              required: rules[name] ? isRequired(rules[name]) : false,
              description: field.description,
            }),
          ]),
        ),
    });
    builder.mutationField(mutations.create, (t) =>
      t.field({
        type: Payload,
        description: `Adds a ${noun} to the story. Needs an editor token.`,
        authScopes: { editor: true },
        args: {
          input: t.arg({ type: CreateInput, required: true, description: `The new ${noun}.` }),
        },
        resolve: async (_root, { input }, ctx) => ({
          row: await createEntity<Row & { id: number; version: number }>(ctx, type, input),
        }),
      }),
    );
  }

  if (mutations.update) {
    const UpdateInput = builder.inputType(`Update${type}Input`, {
      description: `A change to a ${noun}, applied only if \`expectedVersion\` is still current.`,
      fields: (t) => ({
        id: t.id({ required: true, description: `The ${noun}'s ID.` }),
        expectedVersion: t.int({
          required: true,
          description: 'The version the change was based on.',
        }),
        patch: t.field({ type: Patch, required: true, description: 'What to change.' }),
      }),
    });
    builder.mutationField(mutations.update, (t) =>
      t.field({
        type: Payload,
        description: `Changes some fields of a ${noun}. CONFLICT if someone changed it since \`expectedVersion\`. Needs an editor token.`,
        authScopes: { editor: true },
        args: { input: t.arg({ type: UpdateInput, required: true, description: 'The change.' }) },
        resolve: async (_root, { input }, ctx) => ({
          row: await updateEntity<Row & { id: number; version: number }>(ctx, type, {
            id: String(input.id),
            expectedVersion: input.expectedVersion,
            patch: input.patch,
          }),
        }),
      }),
    );
  }

  if (mutations.delete) {
    builder.mutationField(mutations.delete, (t) =>
      t.field({
        type: DeletePayload,
        description: `Removes a ${noun}${model.deletes ? ` ${model.deletes}` : ''}. Needs an admin token.`,
        authScopes: { admin: true },
        args: {
          input: t.arg({ type: DeleteInput, required: true, description: 'What to delete.' }),
        },
        resolve: async (_root, { input }, ctx) => {
          await deleteEntity(ctx, type, {
            id: String(input.id),
            expectedVersion: input.expectedVersion,
          });
          return { deletedId: String(input.id) };
        },
      }),
    );
  }
  return Payload;
}
