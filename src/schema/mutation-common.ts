import { builder } from './builder.ts';

builder.mutationType({
  description:
    'Editing the story. Every mutation needs a bearer token (editor, or admin for deletes); every committed change appears in the story feed.',
});

export const DeleteInput = builder.inputType('DeleteInput', {
  description: 'Which record to delete.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The global ID of the record.' }),
    expectedVersion: t.int({
      description: 'When given, the delete only happens if the record is still at this version.',
    }),
  }),
});

export const DeletePayload = builder.objectRef<{ deletedId: string }>('DeletePayload').implement({
  description: 'What a delete removed.',
  fields: (t) => ({
    deletedId: t.exposeID('deletedId', { description: 'The global ID of the deleted record.' }),
  }),
});
