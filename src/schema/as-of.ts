// `asOf`: the story as it stood at any position of the log, read through the same types as the
// plain reads. Where a point lands is story/as-of/point.ts's; the tables at that position come
// from story/as-of/source.ts; how the ordinary types answer from them is snapshot-resolvers.ts.
import { badInput } from '../core/errors.ts';
import { decodeEventCursor, encodeEventCursor } from '../live/events.ts';
import { MAX_PAGE_SIZE } from '../plugins/limits.ts';
import { positionOf } from '../story/as-of/point.ts';
import { storyAsOf } from '../story/as-of/source.ts';
import { emptyTables, type StoryAsOf, type TableName } from '../story/as-of/tables.ts';
import { decodeGlobalId } from '../story/global-id.ts';
import { Article } from './article.ts';
import { builder } from './builder.ts';
import { Leader } from './leader.ts';
import { Occurrence } from './occurrence.ts';
import { Snapshot } from './snapshot.ts';
import { SNAPSHOT_TYPE } from './snapshot-resolvers.ts';
import { Summit } from './summit.ts';

const StoryPointInput = builder.inputType('StoryPointInput', {
  description:
    'A position of the story log. Give exactly one field; none, several, a malformed cursor, a negative sequence or a position past the head is BAD_USER_INPUT with the head in `extensions.head` (`{ sequence, cursor }`). Checked by the server rather than with `@oneOf`, so that those errors can carry the head.',
  fields: (t) => ({
    cursor: t.string({
      description:
        "A feed cursor (`StoryEvent.cursor`, a response's `storyCursor`): the story once that event had committed.",
    }),
    sequence: t.int({
      description:
        'A position of the log: the story once event `sequence` had committed; 0 is the empty story.',
    }),
    time: t.field({
      type: 'DateTime',
      description:
        'An instant: the story after the last event committed at or before it (`StoryEvent.occurredAt`); before the first event, the empty story at sequence 0; now or later, the head.',
    }),
  }),
});

const slugArg = (t: { arg: { string: (options: object) => unknown } }, example: string) =>
  t.arg.string({ required: true, description: `Such as \`${example}\`.` });

/** The slug lookups of a snapshot: the field, the table and an example slug. */
const BY_SLUG = {
  leader: { ref: Leader, table: 'leader', example: 'xi-jinping' },
  summit: { ref: Summit, table: 'summit', example: 'sco-summit-samarkand-2022' },
  article: { ref: Article, table: 'article', example: 'xi-and-putin-to-meet-at-sco-summit' },
  occurrence: {
    ref: Occurrence,
    table: 'occurrence',
    example: 'meeting-xi-jinping-vladimir-putin-2022-09-15',
  },
} as const satisfies Record<string, { ref: unknown; table: TableName; example: string }>;

export const StorySnapshotRef = builder.objectRef<Snapshot>(SNAPSHOT_TYPE).implement({
  description:
    "The story as it stood at one position of the log. Every object read through it, and every field of those objects (relations, lists, counts, conflicts, analysis), is as it was at that position; `history` lists the events up to it, and a history event's `node` is the entity at that position. A snapshot never changes once the position exists.",
  fields: (t) => ({
    sequence: t.int({
      description: 'The position: the last event folded in; 0 for the empty story.',
      resolve: (snapshot) => snapshot.sequence,
    }),
    cursor: t.string({
      description:
        'The feed cursor of the position: pass as `after` to follow the story from here.',
      resolve: (snapshot) => snapshot.cursor,
    }),
    occurredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the event at the position committed; null at 0.',
      resolve: (snapshot) => snapshot.story.occurredAt,
    }),
    node: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: 'The object with this global ID as it was, or null if it did not exist then.',
      args: { id: t.arg.id({ required: true, description: 'A global ID.' }) },
      resolve: (snapshot, args) => nodeOf(snapshot, String(args.id)) as never,
    }),
    nodes: t.field({
      type: [builder.nodeInterfaceRef()],
      nullable: { list: false, items: true },
      description:
        'The objects with these global IDs as they were, in the order given; null where nothing had that ID.',
      args: { ids: t.arg.idList({ required: true, description: 'Global IDs, at most 100.' }) },
      resolve: (snapshot, args) => {
        if (args.ids.length > MAX_PAGE_SIZE) {
          throw badInput(`"ids" takes at most ${MAX_PAGE_SIZE} IDs.`, {
            argument: 'ids',
            max: MAX_PAGE_SIZE,
          });
        }
        return args.ids.map((id) => nodeOf(snapshot, String(id))) as never;
      },
    }),
    ...Object.fromEntries(
      Object.entries(BY_SLUG).map(([field, { ref, table, example }]) => [
        field,
        t.field({
          type: ref as typeof Leader,
          nullable: true,
          description: `The ${field} with this slug as it was, or null if none had it then.`,
          args: { slug: slugArg(t as never, example) as never },
          resolve: (snapshot, args) =>
            snapshot.bySlug(table, String((args as { slug: string }).slug)) as never,
        }),
      ]),
    ),
  }),
});

/** An object by global ID in a snapshot (BAD_USER_INPUT for an ID that is not one). */
function nodeOf(snapshot: Snapshot, globalId: string) {
  const { typename, id } = decodeGlobalId(globalId);
  return snapshot.entity(typename, id);
}

/** The story before the first event: nothing to fold. */
const EMPTY = (): StoryAsOf => ({ sequence: 0, occurredAt: null, tables: emptyTables() });

builder.queryField('asOf', (t) =>
  t.field({
    type: StorySnapshotRef,
    description:
      'The story as it stood at a point of the log: after a feed cursor, at a sequence number, or at a time. The same types as the plain reads, each field as it was then. Errors: see `StoryPointInput`.',
    args: {
      point: t.arg({ type: StoryPointInput, required: true, description: 'Where in the log.' }),
    },
    resolve: async (_root, { point }, ctx) => {
      // Positions the instance's feed has read are committed: those need no read of the head.
      const position = await positionOf(
        ctx.db,
        point,
        { encode: encodeEventCursor, decode: decodeEventCursor },
        ctx.feed.head,
      );
      const story = position.sequence === 0 ? EMPTY() : await storyAsOf(ctx.db, position.sequence);
      return new Snapshot(story, encodeEventCursor(position.sequence));
    },
  }),
);
