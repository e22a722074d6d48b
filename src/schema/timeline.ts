// `timeline`: occurrences and summits in one Relay connection, by when they happen. The rules
// (order, filter, cursors) are story/timeline.ts's; story/timeline-rows.ts reads a page in one
// statement; the subjects of a page are then loaded with one statement per type on it.
import { brandWithType } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import { type ResolveCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import type { Context } from '../context.ts';
import { checkPageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../plugins/limits.ts';
import { modelOf } from '../story/registry.ts';
import {
  decodeTimelineCursor,
  type TimelineRow,
  type TimelineType,
  timelineCursor,
} from '../story/timeline.ts';
import { checkTimelineFilterIn, readTimeline } from '../story/timeline-rows.ts';
import { builder } from './builder.ts';
import { OccurrenceKindEnum, TimeRangeRef } from './occurrence.ts';

/** An entry with its subject, once the page's subjects are loaded. */
type Entry = TimelineRow & { subject?: object };

export const TimelineEntryRef = builder.objectRef<Entry>('TimelineEntry').implement({
  description:
    'Something on the timeline: an occurrence (one with a known `when`) or a summit, with when it happens.',
  // A timeline answer reads occurrences, summits, claims, articles, participations and
  // organizers without selecting them: the response cache must drop it on any change.
  extensions: { readsEveryType: true },
  fields: (t) => ({
    when: t.field({
      type: TimeRangeRef,
      description:
        "When it happens. A summit's range runs from `startsOn` to `endsOn` (to the end of the month or year when that day is known only so far), or without `endsOn` to the end of the period `startsOn` is known to; its precision is the coarser of the two ends.",
      resolve: (entry) => ({ from: entry.from, to: entry.to, precision: entry.precision }),
    }),
    subject: t.field({
      type: 'Node' as never,
      description: 'The occurrence or the summit.',
      resolve: (entry) => entry.subject as never,
    }),
    status: t.exposeString('status', {
      description:
        "Where it stands: an occurrence's `OccurrenceStatus` or a summit's `SummitStatus`, as a string, since the two vocabularies differ (only summits are IN_PROGRESS or CONCLUDED, only occurrences OCCURRED).",
    }),
    claimCount: t.exposeInt('claimCount', {
      description:
        'How many claims bear on it: for an occurrence, the claims attached to it; for a summit, the claims that say they are part of it.',
    }),
  }),
});

export const TimelineFilterInput = builder.inputType('TimelineFilter', {
  description: 'Narrows the timeline. Every condition given must hold.',
  fields: (t) => ({
    mentioning: t.id({
      description:
        'A leader, organization or summit (its global ID): the occurrences a leader or organization takes part in or that are part of the summit, and the summits the leader attends, the organization holds, or the summit itself. An ID of another type, or of nothing, is BAD_USER_INPUT.',
    }),
    from: t.field({
      type: 'Date',
      description: 'Only entries whose `when` reaches this day or later.',
    }),
    to: t.field({
      type: 'Date',
      description: 'Only entries whose `when` starts on this day or earlier (not before `from`).',
    }),
    kinds: t.field({
      type: [OccurrenceKindEnum],
      description:
        'Only occurrences of these kinds; summits have no kind, so this leaves them out.',
    }),
    statuses: t.stringList({
      description:
        'Only entries with one of these statuses, from either vocabulary (`OccurrenceStatus`, `SummitStatus`); an unknown one is BAD_USER_INPUT.',
    }),
    reportedBefore: t.field({
      type: 'DateTime',
      description:
        'Only entries some article published before this instant reports: for an occurrence, with a claim attached to it; for a summit, by mentioning it or with a claim that says it is part of it.',
    }),
  }),
});

/** The selections under `path` (fields by name, through fragments), or none. */
function selected(info: GraphQLResolveInfo, path: string[]): boolean {
  const within = (set: SelectionSetNode | undefined, name: string): FieldNode[] =>
    (set?.selections ?? []).flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name ? [selection] : [];
      const fragment =
        selection.kind === Kind.INLINE_FRAGMENT ? selection : info.fragments[selection.name.value];
      return within(fragment?.selectionSet, name);
    });
  let fields: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) fields = fields.flatMap((field) => within(field.selectionSet, name));
  return fields.length > 0;
}

const SUBJECT_PATH = ['edges', 'node', 'subject'];

type Finder = { findMany(args: object): Promise<{ id: number }[]> };

/**
 * Loads the page's subjects with the client's selection for each type (one statement per type
 * on the page), as `search` does. An entry whose subject was deleted in between is left out.
 */
async function withSubjects(
  rows: TimelineRow[],
  context: Context,
  info: GraphQLResolveInfo,
): Promise<Entry[]> {
  if (rows.length === 0 || !selected(info, SUBJECT_PATH)) return rows;
  const types = [...new Set(rows.map((row) => row.type))];
  const loaded = new Map<string, object>();
  await Promise.all(
    types.map(async (type: TimelineType) => {
      const query = queryFromInfo({ context, info, typeName: type, path: SUBJECT_PATH });
      const ids = rows.filter((row) => row.type === type).map((row) => row.id);
      const found = await modelOf<Finder>(context.db, type).findMany({
        ...query,
        where: { id: { in: ids } },
      });
      for (const subject of found) {
        brandWithType(subject, type as never);
        loaded.set(`${type}:${subject.id}`, subject);
      }
    }),
  );
  return rows.flatMap((row) => {
    const subject = loaded.get(`${row.type}:${row.id}`);
    return subject ? [{ ...row, subject }] : [];
  });
}

builder.queryField('timeline', (t) =>
  t.connection({
    type: TimelineEntryRef,
    description:
      "What happens when: occurrences with a known `when` and summits, earliest first; entries that start the same day come finer precision first (a day before a week before a month), then in the order they were created. Cursors hold an entry's place in that order, so paging on after an edit neither repeats nor skips the entries that did not move.",
    args: {
      filter: t.arg({
        type: TimelineFilterInput,
        description: 'Conditions every entry returned meets.',
      }),
    },
    resolve: async (_root, args, context, info) => {
      checkPageSize(args);
      // A cursor is one this API returned: "" and anything else malformed are BAD_USER_INPUT.
      const after = args.after != null ? decodeTimelineCursor(args.after) : undefined;
      const before = args.before != null ? decodeTimelineCursor(args.before) : undefined;
      const filter = args.filter ?? {};
      const mentioning = await checkTimelineFilterIn(context.db, filter);
      const connection = await resolveCursorConnection(
        {
          args,
          toCursor: (entry: Entry) => timelineCursor(entry),
          defaultSize: DEFAULT_PAGE_SIZE,
          maxSize: MAX_PAGE_SIZE,
        },
        async (page: ResolveCursorConnectionArgs) =>
          withSubjects(
            await readTimeline(context.db, filter, mentioning, {
              after: page.after != null ? decodeTimelineCursor(page.after) : after,
              before: page.before != null ? decodeTimelineCursor(page.before) : before,
              limit: page.limit,
              inverted: page.inverted,
            }),
            context,
            info,
          ),
      );
      // As on every list: an empty page has no first or last item, so null cursors.
      if (connection.edges.length === 0) {
        connection.pageInfo.startCursor = null as unknown as string;
        connection.pageInfo.endCursor = null as unknown as string;
      }
      return connection;
    },
  }),
);
