import { builder } from '../builder.ts';
import type { Summit as SummitRow } from '../generated/prisma/client.ts';
import { idOf } from '../global-id.ts';
import type { FieldChange } from '../story/changes.ts';
import { createEntity, deleteEntity, given, updateEntity } from '../story/editing.ts';
import { checkDateOrder, lineSchema, slugSchema, textSchema } from './inputs.ts';
import { DeleteInput, DeletePayload } from './mutation-common.ts';
import { DatePrecisionEnum, SummitStatusEnum } from './scalars.ts';
import { Summit } from './summit.ts';

const FIELDS = [
  'slug',
  'name',
  'organizerId',
  'city',
  'country',
  'startsOn',
  'startsOnPrecision',
  'endsOn',
  'endsOnPrecision',
  'status',
  'description',
] as const;

const STATUS_LABELS: Record<string, string> = {
  CONFIRMED: 'SUMMIT_CONFIRMED',
  IN_PROGRESS: 'SUMMIT_OPENED',
  CONCLUDED: 'SUMMIT_CONCLUDED',
  POSTPONED: 'SUMMIT_POSTPONED',
  CANCELLED: 'SUMMIT_CANCELLED',
};

/** Names what a summit change means to a reader: a new date outranks a new status. */
export function summitLabel(changes: FieldChange[]): string | null {
  if (changes.some((c) => c.field === 'startsOn' || c.field === 'endsOn'))
    return 'SUMMIT_RESCHEDULED';
  const status = changes.find((c) => c.field === 'status');
  return status ? (STATUS_LABELS[String(status.after)] ?? null) : null;
}

const validateDates = (summit: Record<string, unknown>) =>
  checkDateOrder(summit.startsOn, summit.endsOn, '"endsOn" must not be before "startsOn".');

const SummitPatch = builder.inputType('SummitPatch', {
  description: 'Fields to change on a summit; leave out what stays the same.',
  fields: (t) => ({
    slug: t.string({ description: 'A new slug.', validate: slugSchema }),
    name: t.string({ description: 'The name.', validate: lineSchema() }),
    city: t.string({ description: 'The host city.', validate: lineSchema(100) }),
    country: t.string({ description: 'The host country.', validate: lineSchema(100) }),
    startsOn: t.field({ type: 'Date', description: 'The first day.' }),
    startsOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly the start is known.',
    }),
    endsOn: t.field({ type: 'Date', description: 'The last day; null clears it.' }),
    endsOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly the end is known; null clears it.',
    }),
    status: t.field({ type: SummitStatusEnum, description: 'Where the summit stands.' }),
    description: t.string({ description: 'A short note.', validate: textSchema(5000) }),
    organizer: t.id({ description: 'The organizing organization; null clears it.' }),
  }),
});

const CreateSummitInput = builder.inputType('CreateSummitInput', {
  description: 'A new summit.',
  fields: (t) => ({
    slug: t.string({
      required: true,
      description: 'A unique slug such as `g20-bali-2022`.',
      validate: slugSchema,
    }),
    name: t.string({ required: true, description: 'The name.', validate: lineSchema() }),
    city: t.string({ required: true, description: 'The host city.', validate: lineSchema(100) }),
    country: t.string({
      required: true,
      description: 'The host country.',
      validate: lineSchema(100),
    }),
    startsOn: t.field({ type: 'Date', required: true, description: 'The first day.' }),
    startsOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly the start is known; DAY by default.',
    }),
    endsOn: t.field({ type: 'Date', description: 'The last day, if known.' }),
    endsOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly the end is known.',
    }),
    status: t.field({
      type: SummitStatusEnum,
      required: true,
      description: 'Where the summit stands.',
    }),
    description: t.string({ description: 'A short note.', validate: textSchema(5000) }),
    organizer: t.id({ description: 'The organizing organization, if any.' }),
  }),
});

const UpdateSummitInput = builder.inputType('UpdateSummitInput', {
  description: 'A change to a summit, applied only if `expectedVersion` is still current.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The summit's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the change was based on.' }),
    patch: t.field({ type: SummitPatch, required: true, description: 'What to change.' }),
  }),
});

export const SummitPayload = builder.objectRef<{ summit: SummitRow }>('SummitPayload').implement({
  description: 'The summit after the change.',
  fields: (t) => ({
    summit: t.field({
      type: Summit,
      description: 'The summit as committed.',
      resolve: (payload) => payload.summit,
    }),
  }),
});

builder.mutationFields((t) => ({
  createSummit: t.field({
    type: SummitPayload,
    description: 'Adds a summit to the story. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: CreateSummitInput, required: true, description: 'The new summit.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      const { organizer, ...fields } = input;
      const data = {
        ...fields,
        startsOnPrecision: input.startsOnPrecision ?? 'DAY',
        endsOn: input.endsOn ?? null,
        endsOnPrecision: input.endsOnPrecision ?? (input.endsOn ? 'DAY' : null),
        description: input.description ?? '',
        organizerId: organizer ? idOf('Organization', String(organizer)) : null,
      };
      validateDates(data);
      return {
        summit: await createEntity<SummitRow>(ctx.viewer, { type: 'Summit', data, fields: FIELDS }),
      };
    },
  }),
  updateSummit: t.field({
    type: SummitPayload,
    description:
      'Changes some fields of a summit. CONFLICT if someone changed it since `expectedVersion`. Needs an editor token.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: UpdateSummitInput, required: true, description: 'The change.' }) },
    resolve: async (_root, { input }, ctx) => {
      const { organizer, ...patch } = given(input.patch);
      return {
        summit: await updateEntity<SummitRow>(ctx.viewer, {
          type: 'Summit',
          id: String(input.id),
          expectedVersion: input.expectedVersion,
          patch: {
            ...patch,
            ...(organizer !== undefined
              ? { organizerId: organizer === null ? null : idOf('Organization', String(organizer)) }
              : {}),
          },
          nullable: ['endsOn', 'endsOnPrecision', 'organizerId'],
          validate: validateDates,
          label: summitLabel,
        }),
      };
    },
  }),
  deleteSummit: t.field({
    type: DeletePayload,
    description: 'Removes a summit with its participations and mentions. Needs an admin token.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'What to delete.' }) },
    resolve: async (_root, { input }, ctx) => {
      await deleteEntity(ctx.viewer, {
        type: 'Summit',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
      });
      return { deletedId: String(input.id) };
    },
  }),
}));
