import { builder } from './builder.ts';

/** What every editable record carries for optimistic concurrency and auditing. */
export interface VersionedShape {
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const VERSION = 'Goes up by one with every edit; pass it as `expectedVersion` when updating.';
const CREATED_AT = 'When the record was created.';
const UPDATED_AT = 'When the record last changed.';

export const Versioned = builder.interfaceRef<VersionedShape>('Versioned').implement({
  description:
    'A record editors change. Every committed edit bumps `version`; an update names the version it was based on, and is refused with CONFLICT if someone changed the record first.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: VERSION }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: CREATED_AT }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: UPDATED_AT }),
  }),
});

/**
 * The Versioned fields declared on a Prisma object itself, so that in select mode each column is
 * read only when a query asks for it (an interface's fields would have to be selected always).
 */
export function versionedFields<
  T extends {
    exposeInt: (name: 'version', options: { description: string }) => unknown;
    expose: (
      name: 'createdAt' | 'updatedAt',
      options: { type: 'DateTime'; description: string },
    ) => unknown;
  },
>(t: T) {
  return {
    version: t.exposeInt('version', { description: VERSION }) as ReturnType<T['exposeInt']>,
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: CREATED_AT,
    }) as ReturnType<T['expose']>,
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description: UPDATED_AT,
    }) as ReturnType<T['expose']>,
  };
}
