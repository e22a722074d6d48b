// What `asOf` lists besides single records: every leader, organization, summit, article and
// occurrence there was at the position, and the timeline as it stood (story/as-of/timeline.ts for
// its rows, story/timeline.ts for its order, filter and cursors: the same rules as `timeline`).
import { PothosValidationError } from '@pothos/core';
import { checkPageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../plugins/limits.ts';
import type { TableName } from '../story/as-of/tables.ts';
import { timelineRowsOf } from '../story/as-of/timeline.ts';
import {
  afterCursor,
  applyTimelineFilter,
  decodeTimelineCursor,
  type TimelineRow,
  timelineCursor,
} from '../story/timeline.ts';
import { Article } from './article.ts';
import { StorySnapshotRef } from './as-of.ts';
import { builder } from './builder.ts';
import { Leader } from './leader.ts';
import { Occurrence } from './occurrence.ts';
import { Organization } from './organization.ts';
import { rowConnection, type Snapshot } from './snapshot.ts';
import { Summit } from './summit.ts';
import { TimelineEntryRef, TimelineFilterInput } from './timeline.ts';

/** The lists of a snapshot: field, type and table, each in the order its rows were created. */
const LISTS = {
  leaders: { ref: Leader, table: 'leader' },
  organizations: { ref: Organization, table: 'organization' },
  summits: { ref: Summit, table: 'summit' },
  articles: { ref: Article, table: 'article' },
  occurrences: { ref: Occurrence, table: 'occurrence' },
} as const satisfies Record<string, { ref: unknown; table: TableName }>;

const totalCount = {
  fields: (c: { int: (options: object) => unknown }) => ({
    totalCount: c.int({
      description: 'How many there were at the position, across all pages.',
      resolve: (connection: { totalCount: number }) => connection.totalCount,
    }),
  }),
};

/** A page of timeline rows by the timeline's own cursors, as `timeline` pages. */
function timelinePage(
  rows: TimelineRow[],
  args: {
    first?: number | null;
    last?: number | null;
    after?: string | null;
    before?: string | null;
  },
) {
  checkPageSize(args);
  if (args.first != null && args.last != null) {
    throw new PothosValidationError(
      'Arguments "first" and "last" are not supported at the same time',
    );
  }
  const after = args.after != null ? decodeTimelineCursor(args.after) : null;
  const before = args.before != null ? decodeTimelineCursor(args.before) : null;
  let window = rows.filter(
    (row) => (!after || afterCursor(row, after)) && (!before || afterCursor(before, row)),
  );
  const size = Math.min(args.first ?? args.last ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const more = window.length > size;
  window = args.last != null ? window.slice(-size) : window.slice(0, size);
  const edges = window.map((row) => ({ cursor: timelineCursor(row), node: row }));
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasNextPage: args.last != null ? before != null : more,
      hasPreviousPage: args.last != null ? more : after != null,
    },
  };
}

builder.objectFields(StorySnapshotRef, (t) => ({
  ...Object.fromEntries(
    Object.entries(LISTS).map(([field, { ref, table }]) => [
      field,
      t.connection(
        {
          type: ref as typeof Leader,
          description: `Every ${field.replace(/s$/, '')} there was at the position, in the order they were created.`,
          resolve: (snapshot: Snapshot, args) => rowConnection(snapshot.all(table), args) as never,
        },
        totalCount as never,
      ),
    ]),
  ),
  timeline: t.connection({
    type: TimelineEntryRef,
    description:
      'The timeline as it stood at the position: the same order, filter and cursors as `Query.timeline`. A `mentioning` ID that names nothing at the position matches nothing.',
    args: {
      filter: t.arg({ type: TimelineFilterInput, description: 'Conditions every entry meets.' }),
    },
    resolve: (snapshot, args) => {
      const rows = applyTimelineFilter(timelineRowsOf(snapshot.story.tables), args.filter ?? {});
      const page = timelinePage(rows, args);
      // Each subject is the occurrence or summit as it was: a row of this snapshot.
      for (const edge of page.edges) {
        const table = edge.node.type === 'Summit' ? 'summit' : 'occurrence';
        Object.assign(edge, { node: { ...edge.node, subject: snapshot.row(table, edge.node.id) } });
      }
      return page as never;
    },
  }),
}));
