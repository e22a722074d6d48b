// The timeline: occurrences and summits as one list of what happens when. Its order, its filter
// and its cursors are pure functions over plain rows, so that the database path
// (timeline-rows.ts, which does the same in SQL) and anything that folds the log into memory
// (an "as of" snapshot) put the same entries in the same order and page them alike.
import { badInput } from '../core/errors.ts';
import { SummitStatus } from '../generated/prisma/enums.ts';
import { decodeGlobalId } from './global-id.ts';
import type { TimePrecision } from './ingest/dates.ts';
import { OCCURRENCE_STATUSES, type OccurrenceKind, type TimeRange } from './occurrences.ts';
import { PARTICIPANT_COLUMNS } from './registry.ts';

/** The two kinds of entry: an occurrence or a summit. */
export type TimelineType = 'Occurrence' | 'Summit';

/** How an entry sorts: the cursor holds exactly these, so a page resumes after a key, not a row. */
export interface TimelineKey {
  type: TimelineType;
  id: number;
  /** The first day of its `when`. */
  from: Date;
  precision: TimePrecision;
  createdAt: Date;
}

/** One entry, as the database path reads it or as an in-memory fold holds it. */
export interface TimelineRow extends TimelineKey {
  /** The last day of its `when`. */
  to: Date;
  /** The occurrence's or the summit's status (two different vocabularies). */
  status: string;
  /** The occurrence's kind; null for a summit. */
  kind: OccurrenceKind | null;
  /** Claims attached to the occurrence, or claims that say they are part of the summit. */
  claimCount: number;
  /**
   * For in-memory filtering only: the global IDs `mentioning` matches (an occurrence's
   * participants and the summit it is part of; a summit itself, its organizer and its attendees).
   */
  mentions?: readonly string[];
  /** For in-memory filtering only: when the first article that reports it was published. */
  firstReportedAt?: Date | null;
}

/** What a timeline is narrowed by, IDs still as the client gave them. */
export interface TimelineFilter {
  mentioning?: string | null;
  from?: Date | null;
  to?: Date | null;
  kinds?: readonly OccurrenceKind[] | null;
  statuses?: readonly string[] | null;
  reportedBefore?: Date | null;
}

/** Finer first: a day-precise entry sorts before a week-precise one starting the same day. */
export const PRECISION_RANK: Record<TimePrecision, number> = {
  DAY: 0,
  WEEK: 1,
  MONTH: 2,
  PART_OF_YEAR: 3,
  YEAR: 4,
  DECADE: 5,
};
const PRECISION_OF_RANK = Object.fromEntries(
  Object.entries(PRECISION_RANK).map(([precision, rank]) => [rank, precision]),
) as Record<number, TimePrecision>;

/** The precision of a rank (the database path sorts and returns ranks). */
export const precisionOfRank = (rank: number): TimePrecision => PRECISION_OF_RANK[rank] ?? 'DAY';

/** Every status an entry can have: the occurrences' and the summits' together. */
export const TIMELINE_STATUSES: readonly string[] = [
  ...new Set<string>([...OCCURRENCE_STATUSES, ...Object.values(SummitStatus)]),
];

/** The types `mentioning` takes: whoever takes part in occurrences, and summits. */
export const MENTIONABLE_TYPES: readonly string[] = [...Object.keys(PARTICIPANT_COLUMNS), 'Summit'];

/** The order of the timeline: `from`, finer precision, creation, then type and id (total). */
export function compareTimeline(a: TimelineKey, b: TimelineKey): number {
  return (
    a.from.getTime() - b.from.getTime() ||
    PRECISION_RANK[a.precision] - PRECISION_RANK[b.precision] ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
    a.id - b.id
  );
}

/** Whether `row` comes after the entry whose key is `cursor` (strictly). */
export function afterCursor(row: TimelineKey, cursor: TimelineKey): boolean {
  return compareTimeline(row, cursor) > 0;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** An entry's cursor: its whole sort key, so an edit elsewhere can not shift the page. */
export function timelineCursor(key: TimelineKey): string {
  const parts = [
    'timeline',
    day(key.from),
    PRECISION_RANK[key.precision],
    key.createdAt.toISOString(),
    key.type,
    key.id,
  ];
  return Buffer.from(parts.join('|'), 'utf8').toString('base64');
}

const CURSOR =
  /^timeline\|(\d{4}-\d{2}-\d{2})\|([0-5])\|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|(Occurrence|Summit)\|([1-9][0-9]{0,9})$/;

/** The key a cursor holds; BAD_USER_INPUT for anything this API did not hand out. */
export function decodeTimelineCursor(cursor: string): TimelineKey {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(cursor)
    ? Buffer.from(cursor, 'base64').toString('utf8')
    : '';
  const match = CURSOR.exec(text);
  const from = new Date(`${match?.[1]}T00:00:00.000Z`);
  const createdAt = new Date(match?.[3] ?? '');
  if (
    !match ||
    Number.isNaN(from.getTime()) ||
    Number.isNaN(createdAt.getTime()) ||
    Number(match[5]) > 2_147_483_647
  ) {
    throw badInput(`"${cursor}" is not a timeline cursor.`, { cursor });
  }
  return {
    from,
    precision: precisionOfRank(Number(match[2])),
    createdAt,
    type: match[4] as TimelineType,
    id: Number(match[5]),
  };
}

/**
 * Refuses a filter that can not hold or names what is not there to match (BAD_USER_INPUT):
 * `to` before `from`, a status neither vocabulary has, a `mentioning` that is not a leader,
 * organization or summit. Returns the decoded `mentioning`, if any; whether it exists is for the
 * caller, which can see the data.
 */
export function checkTimelineFilter(filter: TimelineFilter): { type: string; id: number } | null {
  if (filter.from && filter.to && filter.to.getTime() < filter.from.getTime()) {
    throw badInput('"to" must not be before "from".', { argument: 'filter' });
  }
  const unknown = (filter.statuses ?? []).filter((status) => !TIMELINE_STATUSES.includes(status));
  if (unknown.length) {
    throw badInput(`Unknown status ${unknown.map((s) => `"${s}"`).join(', ')}.`, {
      argument: 'filter',
      known: TIMELINE_STATUSES,
    });
  }
  if (filter.mentioning == null) return null;
  const { typename, id } = decodeGlobalId(filter.mentioning);
  if (!MENTIONABLE_TYPES.includes(typename)) {
    throw badInput('"mentioning" takes the ID of a leader, an organization or a summit.', {
      argument: 'filter',
    });
  }
  return { type: typename, id: Number(id) };
}

/** Whether an entry meets the filter: the same rules the SQL of timeline-rows.ts applies. */
export function matchesTimeline(row: TimelineRow, filter: TimelineFilter): boolean {
  if (filter.kinds && (row.kind === null || !filter.kinds.includes(row.kind))) return false;
  if (filter.statuses && !filter.statuses.includes(row.status)) return false;
  if (filter.from && row.to.getTime() < filter.from.getTime()) return false;
  if (filter.to && row.from.getTime() > filter.to.getTime()) return false;
  if (filter.mentioning && !(row.mentions ?? []).includes(filter.mentioning)) return false;
  if (filter.reportedBefore) {
    const first = row.firstReportedAt;
    if (!first || first.getTime() >= filter.reportedBefore.getTime()) return false;
  }
  return true;
}

/** The entries that meet the filter (checked first), in timeline order. */
export function applyTimelineFilter(
  rows: readonly TimelineRow[],
  filter: TimelineFilter = {},
): TimelineRow[] {
  checkTimelineFilter(filter);
  return rows.filter((row) => matchesTimeline(row, filter)).sort(compareTimeline);
}

/** The last day of the month or year `date` starts, or `date` itself for a day. */
export function endOfPeriod(date: Date, precision: 'DAY' | 'MONTH' | 'YEAR'): Date {
  const year = date.getUTCFullYear();
  if (precision === 'YEAR') return new Date(Date.UTC(year, 11, 31));
  if (precision === 'MONTH') return new Date(Date.UTC(year, date.getUTCMonth() + 1, 0));
  return date;
}

type SummitDates = {
  startsOn: Date;
  startsOnPrecision: 'DAY' | 'MONTH' | 'YEAR';
  endsOn: Date | null;
  endsOnPrecision: 'DAY' | 'MONTH' | 'YEAR' | null;
};

/**
 * A summit's dates as a range: from its first day to its last day, read with that day's
 * precision (an end known to the month ends with the month); without a last day, to the end of
 * the period its first day is known to. Its precision is the coarser of the two ends.
 */
export function summitWhen(summit: SummitDates): TimeRange {
  const end = summit.endsOn
    ? endOfPeriod(summit.endsOn, summit.endsOnPrecision ?? 'DAY')
    : endOfPeriod(summit.startsOn, summit.startsOnPrecision);
  const coarser =
    summit.endsOn &&
    PRECISION_RANK[summit.endsOnPrecision ?? 'DAY'] > PRECISION_RANK[summit.startsOnPrecision]
      ? (summit.endsOnPrecision ?? 'DAY')
      : summit.startsOnPrecision;
  return { from: summit.startsOn, to: end, precision: coarser };
}
