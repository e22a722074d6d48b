import { brandWithType } from '@pothos/core';
import { type ResolveCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import { badInput, ErrorCode, userError } from '../core/errors.ts';
import type { PrismaClient, StoryEvent } from '../generated/prisma/client.ts';
import { StoryEventKind } from '../generated/prisma/enums.ts';
import {
  decodeEventCursor,
  type EventFilter,
  encodeEventCursor,
  eventWhere,
  START_CURSOR,
} from '../live/events.ts';
import { checkPageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../plugins/limits.ts';
import { decodeGlobalId, encodeGlobalId, NODE_TYPES, type NodeType } from '../story/global-id.ts';
import { modelOf } from '../story/registry.ts';
import { builder } from './builder.ts';

export const StoryEventKindEnum = builder.enumType('StoryEventKind', {
  description: 'What happened to an entity, in broad terms.',
  values: {
    CREATED: { value: StoryEventKind.CREATED, description: 'It was added to the story.' },
    UPDATED: {
      value: StoryEventKind.UPDATED,
      description: 'Some of its fields changed; see `changes`.',
    },
    DELETED: { value: StoryEventKind.DELETED, description: 'It was removed from the story.' },
    LINKED: { value: StoryEventKind.LINKED, description: 'It was linked to another entity.' },
    UNLINKED: {
      value: StoryEventKind.UNLINKED,
      description: 'A link to another entity was removed.',
    },
  } as const,
});

export const StoryEntityTypeEnum = builder.enumType('StoryEntityType', {
  description: 'The kinds of entity the story log records changes to.',
  values: Object.fromEntries(
    NODE_TYPES.map((type) => [
      type.toUpperCase(),
      { value: type, description: `${/^[AEIOU]/.test(type) ? 'An' : 'A'} ${type}.` },
    ]),
  ) as Record<string, { value: NodeType; description: string }>,
});

interface FieldChangeShape {
  field: string;
  before: unknown;
  after: unknown;
}

const FieldChange = builder.objectRef<FieldChangeShape>('FieldChange').implement({
  description: "One field's value before and after a change.",
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The GraphQL field name, such as `status`.' }),
    before: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value before, as the API shows it (dates as YYYY-MM-DD); null if unset.',
      resolve: (change) => change.before,
    }),
    after: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value after; null if cleared.',
      resolve: (change) => change.after,
    }),
  }),
});

export const StoryEventRef = builder.objectRef<StoryEvent>('StoryEvent').implement({
  description:
    'One committed change to the story. The log is append-only and numbered without gaps, so a reader that resumes after its last `cursor` misses nothing and sees nothing twice.',
  fields: (t) => ({
    cursor: t.string({
      description: 'Pass as `after` to resume the feed just past this event.',
      resolve: (event) => encodeEventCursor(event.sequence),
    }),
    sequence: t.exposeInt('sequence', {
      description: 'Position in the log: 1, 2, 3, … with no gaps.',
    }),
    kind: t.expose('kind', {
      type: StoryEventKindEnum,
      description: 'What happened, in broad terms.',
    }),
    label: t.exposeString('label', {
      nullable: true,
      description:
        'A finer description for readers, such as `SUMMIT_RESCHEDULED` or `PARTICIPATION_CONFIRMED`.',
    }),
    entity: t.exposeString('entityType', {
      description: 'The type of the entity that changed, such as `Summit`.',
    }),
    entityType: t.field({
      type: StoryEntityTypeEnum,
      description: 'The type of the entity that changed, as an enum value.',
      resolve: (event) => event.entityType as NodeType,
    }),
    entityId: t.id({
      description: 'The global ID of the entity that changed.',
      resolve: (event) => encodeGlobalId(event.entityType, event.entityId),
    }),
    entityVersion: t.exposeInt('entityVersion', {
      description: "The entity's version after the change.",
    }),
    node: t.field({
      type: 'Node' as never,
      nullable: true,
      description: 'The entity as it is now; null once it has been deleted.',
      resolve: async (event, _args, ctx) => {
        const entity = await ctx.feed.entityOf(event);
        // `Node` is an interface: tell Pothos which type the row is.
        if (entity) brandWithType(entity, event.entityType as never);
        return entity as never;
      },
    }),
    changes: t.field({
      type: [FieldChange],
      description: 'Field-level changes; empty for a creation or deletion.',
      resolve: (event) =>
        Array.isArray(event.changes) ? (event.changes as unknown as FieldChangeShape[]) : [],
    }),
    relatedIds: t.idList({
      description: 'Global IDs of the entity and of everything it was linked to when it changed.',
      resolve: (event) => event.relatedIds,
    }),
    actorRole: t.exposeString('actorRole', {
      description: 'The role of the editor who made the change.',
    }),
    occurredAt: t.expose('occurredAt', {
      type: 'DateTime',
      description: 'When the change committed.',
    }),
  }),
});

export const StoryEventFilter = builder.inputType('StoryEventFilter', {
  description: 'Narrows the story feed. Every condition given must hold.',
  fields: (t) => ({
    entityIds: t.idList({
      description: 'Only events about these entities (global IDs, at most 100).',
    }),
    types: t.field({
      type: [StoryEntityTypeEnum],
      description: 'Only events about entities of these types.',
    }),
    kinds: t.field({ type: [StoryEventKindEnum], description: 'Only events of these kinds.' }),
    mentioning: t.id({
      description:
        'Only events about this entity or about anything linked to it: with a leader ID, a change to an article that mentions the leader counts.',
    }),
  }),
});

/** Turns the GraphQL filter into the feed's, validating every ID. */
export function toEventFilter(
  input: typeof StoryEventFilter.$inferInput | null | undefined,
): EventFilter {
  if (!input) return {};
  const filter: EventFilter = {};
  if (input.entityIds) {
    if (input.entityIds.length > 100) throw badInput('"entityIds" takes at most 100 IDs.');
    filter.entities = input.entityIds.map((id) => {
      const decoded = decodeGlobalId(String(id));
      return { type: decoded.typename, id: Number(decoded.id) };
    });
  }
  if (input.types) filter.types = input.types;
  if (input.kinds) filter.kinds = input.kinds;
  if (input.mentioning) {
    decodeGlobalId(String(input.mentioning));
    filter.mentioning = String(input.mentioning);
  }
  return filter;
}

/**
 * A page of the log's events that pass `filter`; with `upTo`, only events at or before that
 * position (an `asOf` snapshot's `history`).
 */
export async function eventConnection(
  db: PrismaClient,
  filter: EventFilter,
  args: {
    first?: number | null;
    last?: number | null;
    after?: string | null;
    before?: string | null;
  },
  upTo?: number,
) {
  checkPageSize(args);
  // The one cursor rule of every connection: a cursor is one this API returned. "" is not one
  // (BAD_USER_INPUT, as on entity lists); START_CURSOR is how to ask for the whole log.
  const after = args.after != null ? decodeEventCursor(args.after) : 0;
  const before = args.before != null ? decodeEventCursor(args.before) : undefined;
  const bound = (at: number | undefined) =>
    upTo === undefined ? at : Math.min(at ?? Number.MAX_SAFE_INTEGER, upTo + 1);
  const connection = await resolveCursorConnection(
    {
      args,
      toCursor: (event: StoryEvent) => encodeEventCursor(event.sequence),
      defaultSize: DEFAULT_PAGE_SIZE,
      maxSize: MAX_PAGE_SIZE,
    },
    (page: ResolveCursorConnectionArgs) =>
      db.storyEvent.findMany({
        where: eventWhere(
          filter,
          page.after != null ? decodeEventCursor(page.after) : after,
          bound(page.before != null ? decodeEventCursor(page.before) : before),
        ),
        orderBy: { sequence: page.inverted ? 'desc' : 'asc' },
        take: page.limit,
      }),
  );
  // Pothos fills an empty page's cursors with the `after` it was given (or ""); entity lists
  // (the Prisma plugin) give null. One rule: an empty page has no first or last item, so null.
  if (connection.edges.length === 0) {
    connection.pageInfo.startCursor = null as unknown as string;
    connection.pageInfo.endCursor = null as unknown as string;
  }
  return connection;
}

builder.queryFields((t) => ({
  storyEvents: t.connection({
    type: StoryEventRef,
    description: `The story log, oldest first, filtered as asked. Page forward with \`after\` to follow it; without \`after\` (or with \`${START_CURSOR}\`, the position before the first event) it starts at the first event. An empty page has null cursors: keep the one you passed.`,
    args: {
      filter: t.arg({
        type: StoryEventFilter,
        description: 'Conditions every event returned meets.',
      }),
    },
    resolve: (_root, args, ctx) => eventConnection(ctx.db, toEventFilter(args.filter), args),
  }),
}));

builder.subscriptionType({ description: 'Live updates, over graphql-ws (WebSocket) or SSE.' });

builder.subscriptionField('storyEvents', (t) =>
  t.field({
    type: StoryEventRef,
    description:
      'The story feed. With `after`, first replays every matching event after that cursor, then continues live, with no gap and no duplicate between the two. Without it, only events from now on. A subscription whose client falls too far behind ends with SLOW_CONSUMER, one whose token expires with UNAUTHENTICATED, and one whose database becomes unreachable with SERVICE_UNAVAILABLE; each carries `resumeAfter`, the cursor to subscribe again from.',
    args: {
      after: t.arg.string({
        description: `Resume after this event cursor. \`${START_CURSOR}\` (the position before the first event) replays the whole log; leave it out for new events only. An empty string is not a cursor (BAD_USER_INPUT).`,
      }),
      filter: t.arg({
        type: StoryEventFilter,
        description: 'Only events that meet these conditions.',
      }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.feed.subscribe({
        // "" is refused like any other malformed cursor, not read as "no cursor".
        ...(args.after != null ? { after: decodeEventCursor(args.after) } : {}),
        filter: toEventFilter(args.filter),
        expiresAt: ctx.viewer.expiresAt,
        direct: ctx.direct,
      }),
    resolve: (event) => event,
  }),
);

/**
 * Makes an entity type followable, called from the type's own schema file: `history` on it (its
 * own events, oldest first) and the subscription `field` (`leaderUpdated`, …), which sends the
 * entity re-read after each commit that touches it (its own fields or its links), with the
 * client's selection, and ends after the entity is deleted.
 */
export function followable(ref: object, type: NodeType, field: string): void {
  builder.objectField(ref as never, 'history', (t) =>
    t.connection({
      type: StoryEventRef,
      description: 'Every recorded change to this entity, oldest first.',
      resolve: (parent: { id: number }, args, ctx) =>
        eventConnection(ctx.db, { entities: [{ type, id: parent.id }] }, args),
    }),
  );
  const noun = type.toLowerCase();
  builder.subscriptionField(field, (t) =>
    t.prismaField({
      type: type as 'Leader',
      description: `The ${noun} with this ID, sent again after every committed change to it or to its links. After it is deleted, the next message carries a NOT_FOUND error.`,
      args: { id: t.arg.id({ required: true, description: `The ${noun}'s global ID.` }) },
      subscribe: (_root, args, ctx) => {
        const decoded = decodeGlobalId(String(args.id));
        if (decoded.typename !== type) throw badInput(`"${args.id}" is not the ID of a ${type}.`);
        return ctx.feed.subscribe({
          filter: { mentioning: String(args.id) },
          expiresAt: ctx.viewer.expiresAt,
          direct: ctx.direct,
        });
      },
      resolve: async (query, _event, args, ctx) => {
        const id = Number(decodeGlobalId(String(args.id)).id);
        const row = await modelOf<Reader>(ctx.db, type).findUnique({ ...query, where: { id } });
        if (!row) throw userError(ErrorCode.NOT_FOUND, `The ${noun} has been deleted.`);
        return row as never;
      },
    }),
  );
}

type Reader = { findUnique(args: object): Promise<object | null> };
