// The timeline read from the database: one statement per page that filters, orders and limits in
// PostgreSQL, by the rules timeline.ts states for rows in memory (the tests hold the two to the
// same answers). Counting claims happens after the limit, for the page's entries only.
import { badInput } from '../core/errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { encodeGlobalId } from './global-id.ts';
import type { OccurrenceKind } from './occurrences.ts';
import { modelOf, type NodeType, PARTICIPANT_COLUMNS, type ParticipantType } from './registry.ts';
import {
  checkTimelineFilter,
  PRECISION_RANK,
  precisionOfRank,
  type TimelineFilter,
  type TimelineKey,
  type TimelineRow,
  type TimelineType,
} from './timeline.ts';

/** Which window of the order a page reads (as Pothos' cursor connections ask for it). */
export interface TimelineWindow {
  after?: TimelineKey;
  before?: TimelineKey;
  limit: number;
  /** Read backwards from `before` (for `last`); the rows come back latest first. */
  inverted: boolean;
}

/** A CASE that turns a precision column into its rank, from the one table in timeline.ts. */
const rankOf = (column: string) =>
  `CASE ${column}::text ${Object.entries(PRECISION_RANK)
    .map(([precision, rank]) => `WHEN '${precision}' THEN ${rank}`)
    .join(' ')} ELSE 0 END`;

/** The last day of the period a date is known to: summitWhen() in SQL. */
const endOf = (day: string, precision: string) =>
  `CASE ${precision}::text WHEN 'MONTH' THEN (date_trunc('month', ${day}) + interval '1 month - 1 day')::date WHEN 'YEAR' THEN (date_trunc('year', ${day}) + interval '1 year - 1 day')::date ELSE ${day} END`;

const SUMMIT_TO = `CASE WHEN s."endsOn" IS NULL THEN ${endOf('s."startsOn"', 's."startsOnPrecision"')} ELSE ${endOf('s."endsOn"', `COALESCE(s."endsOnPrecision"::text, 'DAY')`)} END`;
const SUMMIT_RANK = `CASE WHEN s."endsOn" IS NULL THEN ${rankOf('s."startsOnPrecision"')} ELSE GREATEST(${rankOf('s."startsOnPrecision"')}, ${rankOf('s."endsOnPrecision"')}) END`;

/** The sort key as a row value; `type` compared bytewise, as compareTimeline() compares it. */
const KEY = 'e."from", e.rank, e."createdAt", e.type COLLATE "C", e.id';

/** Only ever an ISO day or instant, so the casts below read exactly what the key holds. */
const dayText = (date: Date) => date.toISOString().slice(0, 10);
const instantText = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');

/** The statement of one page and its parameters. */
function pageSql(
  filter: TimelineFilter,
  mentioning: { type: string; id: number } | null,
  window: TimelineWindow,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const occurrences = ['o."whenFrom" IS NOT NULL', 'o."whenTo" IS NOT NULL'];
  const summits: string[] = [];
  if (filter.kinds) occurrences.push(`o.kind::text = ANY(${param(filter.kinds, 'text[]')})`);
  if (filter.statuses) {
    const statuses = param(filter.statuses, 'text[]');
    occurrences.push(`o.status::text = ANY(${statuses})`);
    summits.push(`s.status::text = ANY(${statuses})`);
  }
  if (filter.from) {
    const from = param(dayText(filter.from), 'date');
    occurrences.push(`o."whenTo" >= ${from}`);
    summits.push(`${SUMMIT_TO} >= ${from}`);
  }
  if (filter.to) {
    const to = param(dayText(filter.to), 'date');
    occurrences.push(`o."whenFrom" <= ${to}`);
    summits.push(`s."startsOn" <= ${to}`);
  }
  if (mentioning) {
    const id = param(mentioning.id, 'int');
    if (mentioning.type === 'Summit') {
      occurrences.push(`o."partOfSummitId" = ${id}`);
      summits.push(`s.id = ${id}`);
    } else {
      const column = PARTICIPANT_COLUMNS[mentioning.type as ParticipantType];
      occurrences.push(
        `EXISTS (SELECT 1 FROM "OccurrenceParticipant" p WHERE p."occurrenceId" = o.id AND p."${column}" = ${id})`,
      );
      // A leader attends a summit; an organization holds one.
      summits.push(
        column === 'leaderId'
          ? `EXISTS (SELECT 1 FROM "Participation" p WHERE p."summitId" = s.id AND p."leaderId" = ${id})`
          : `s."organizerId" = ${id}`,
      );
    }
  }
  if (filter.reportedBefore) {
    const at = param(instantText(filter.reportedBefore), 'timestamp(3)');
    const published = (table: string, link: string, entity: string) =>
      `EXISTS (SELECT 1 FROM "${table}" r JOIN "Article" a ON a.id = r."articleId" WHERE r."${link}" = ${entity} AND a."publishedAt" < ${at})`;
    occurrences.push(published('Claim', 'occurrenceId', 'o.id'));
    summits.push(
      `(${published('SummitMention', 'summitId', 's.id')} OR ${published('Claim', 'partOfSummitId', 's.id')})`,
    );
  }
  const bound = (key: TimelineKey | undefined, op: '>' | '<') =>
    key
      ? [
          `(${KEY}) ${op} (${param(dayText(key.from), 'date')}, ${param(PRECISION_RANK[key.precision], 'int')}, ${param(instantText(key.createdAt), 'timestamp(3)')}, ${param(key.type, 'text')} COLLATE "C", ${param(key.id, 'int')})`,
        ]
      : [];
  const window_ = [...bound(window.after, '>'), ...bound(window.before, '<')];
  const direction = window.inverted ? 'DESC' : 'ASC';
  const order = KEY.split(', ')
    .map((column) => `${column} ${direction}`)
    .join(', ');
  // Summits have no kind, so a filter on kinds leaves them out.
  const summitBranch = filter.kinds
    ? ''
    : `UNION ALL
      SELECT 'Summit' AS type, s.id, s."startsOn" AS "from", ${SUMMIT_TO} AS "to", ${SUMMIT_RANK} AS rank,
        s."createdAt", s.status::text AS status, NULL::text AS kind
      FROM "Summit" s ${summits.length ? `WHERE ${summits.join(' AND ')}` : ''}`;
  const sql = `
    SELECT e.*, CASE e.type
        WHEN 'Occurrence' THEN (SELECT count(*)::int FROM "Claim" c WHERE c."occurrenceId" = e.id)
        ELSE (SELECT count(*)::int FROM "Claim" c WHERE c."partOfSummitId" = e.id) END AS "claimCount"
    FROM (
      SELECT * FROM (
        SELECT 'Occurrence' AS type, o.id, o."whenFrom" AS "from", o."whenTo" AS "to",
          ${rankOf(`COALESCE(o."whenPrecision"::text, 'DAY')`)} AS rank,
          o."createdAt", o.status::text AS status, o.kind::text AS kind
        FROM "Occurrence" o WHERE ${occurrences.join(' AND ')}
        ${summitBranch}
      ) e
      ${window_.length ? `WHERE ${window_.join(' AND ')}` : ''}
      ORDER BY ${order}
      LIMIT ${param(window.limit, 'int')}
    ) e
    ORDER BY ${order}`;
  return { sql, params };
}

interface RawRow {
  type: TimelineType;
  id: number;
  from: Date;
  to: Date;
  rank: number;
  createdAt: Date;
  status: string;
  kind: string | null;
  claimCount: number;
}

type Finder = { findUnique(args: object): Promise<object | null> };

/**
 * Checks a filter against the data: its rules (timeline.ts), and that the leader, organization
 * or summit `mentioning` names exists (BAD_USER_INPUT otherwise, as for an ID of the wrong type).
 */
export async function checkTimelineFilterIn(
  db: PrismaClient,
  filter: TimelineFilter,
): Promise<{ type: string; id: number } | null> {
  const mentioning = checkTimelineFilter(filter);
  if (mentioning) {
    const found = await modelOf<Finder>(db, mentioning.type as NodeType).findUnique({
      where: { id: mentioning.id },
      select: { id: true },
    });
    if (!found) {
      throw badInput(`Nothing has the ID "${filter.mentioning}".`, { argument: 'filter' });
    }
  }
  return mentioning;
}

/**
 * One page of the timeline, in the order asked (latest first when `inverted`). The filter must
 * have passed {@link checkTimelineFilterIn}; `mentioning` is what that returned.
 */
export async function readTimeline(
  db: PrismaClient,
  filter: TimelineFilter,
  mentioning: { type: string; id: number } | null,
  window: TimelineWindow,
): Promise<TimelineRow[]> {
  const { sql, params } = pageSql(filter, mentioning, window);
  const rows = await db.$queryRawUnsafe<RawRow[]>(sql, ...params);
  return rows.map((row) => ({
    type: row.type,
    id: row.id,
    from: new Date(row.from),
    to: new Date(row.to),
    precision: precisionOfRank(row.rank),
    createdAt: new Date(row.createdAt),
    status: row.status,
    kind: row.kind as OccurrenceKind | null,
    claimCount: row.claimCount,
  }));
}

/** The global ID of an entry's subject. */
export const subjectId = (row: TimelineKey) => encodeGlobalId(row.type, row.id);
