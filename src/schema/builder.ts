import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Context } from '../context.ts';
import { badInput, ErrorCode, userError } from '../core/errors.ts';
import type PrismaTypes from '../generated/pothos-prisma-types.ts';
import { getDatamodel } from '../generated/pothos-prisma-types.ts';
import { COST_LIMIT, checkPageSize, complexityError, MAX_PAGE_SIZE } from '../plugins/limits.ts';
import { decodeGlobalId, encodeGlobalId } from '../story/global-id.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  AuthScopes: { reader: boolean; editor: boolean; admin: boolean };
  Scalars: {
    ID: { Input: string; Output: string | number };
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ValidationPlugin, ComplexityPlugin],
  scopeAuth: {
    authScopes: (ctx) => ({
      reader: ctx.viewer.role !== 'anonymous',
      editor: ctx.viewer.role === 'editor' || ctx.viewer.role === 'admin',
      admin: ctx.viewer.role === 'admin',
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer.role === 'anonymous'
        ? userError(ErrorCode.UNAUTHENTICATED, 'This operation needs a bearer token.')
        : userError(ErrorCode.FORBIDDEN, `The role "${ctx.viewer.role}" may not do this.`),
  },
  prisma: {
    // The app's own client, from the request's context: two apps in one process stay apart.
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    // Descriptions come from the `///` comments in schema.prisma.
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    // Pothos calls this with each connection's arguments before querying (its types say number only,
    // its runtime takes a function): one place where every connection refuses oversized pages.
    // tests/queries.test.ts asserts the error, so an upgrade that changes this can not slip by.
    maxConnectionSize: checkPageSize as unknown as number,
    defaultConnectionSize: 20,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    nodeQueryOptions: {
      description: 'Fetches any object by its global ID. Returns null when nothing has that ID.',
      nullable: true,
    },
    nodesQueryOptions: {
      description:
        'Fetches several objects by their global IDs, in the order given; null where nothing has that ID.',
      nullable: { list: false, items: true },
      args: { ids: { description: 'Global IDs, at most 100.' } },
      // Each ID is a lookup: cap the list like every connection page.
      resolve: (_root, args, _ctx, _info, resolveNodes) => {
        if (args.ids.length > MAX_PAGE_SIZE) {
          throw badInput(`"ids" takes at most ${MAX_PAGE_SIZE} IDs.`, {
            argument: 'ids',
            max: MAX_PAGE_SIZE,
          });
        }
        return resolveNodes(args.ids);
      },
    },
    nodeTypeOptions: { description: 'An object with a global ID, fetchable through `node`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in a connection.' },
    idFieldOptions: { description: 'A global ID, stable across versions of the object.' },
    cursorFieldOptions: { description: 'Pass to `after` or `before` to page from this edge.' },
    nodeFieldOptions: { description: 'The item at the end of the edge.' },
    // A page's length is already charged on the connection field (see limits.ts), not again here.
    edgesFieldOptions: {
      description: 'The items on this page, each with its cursor.',
      complexity: { field: 1, multiplier: 1 },
    },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items come before this page.' },
    startCursorFieldOptions: {
      description: 'The cursor of the first item on the page; null when the page is empty.',
    },
    endCursorFieldOptions: {
      description:
        'The cursor of the last item on the page; null when the page is empty (page on from the cursor you passed).',
    },
    firstArgOptions: { description: 'Return at most this many items from the start (up to 100).' },
    afterArgOptions: {
      description:
        'Start after the item with this cursor, one this API returned (an empty string is BAD_USER_INPUT).',
    },
    lastArgOptions: { description: 'Return at most this many items from the end (up to 100).' },
    beforeArgOptions: {
      description:
        'End before the item with this cursor, one this API returned (an empty string is BAD_USER_INPUT).',
    },
  },
  complexity: {
    // Limits and the error live in limits.ts, shared with the subscribe-time check; connections
    // are charged by page size there too (costByPageSize, applied in schema/index.ts).
    limit: COST_LIMIT,
    complexityError,
  },
});
