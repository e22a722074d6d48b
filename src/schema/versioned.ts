import { builder } from './builder.ts';

/** What every editable record carries for optimistic concurrency and auditing. */
export interface VersionedShape {
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export const Versioned = builder.interfaceRef<VersionedShape>('Versioned').implement({
  description:
    'A record editors change. Every committed edit bumps `version`; an update names the version it was based on, and is refused with CONFLICT if someone changed the record first.',
  fields: (t) => ({
    version: t.exposeInt('version', {
      description: 'Goes up by one with every edit; pass it as `expectedVersion` when updating.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the record was created.',
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description: 'When the record last changed.',
    }),
  }),
});
