// The story's tables as they stood at one position of the log: the shape both the fold
// (story/as-of/fold.ts) and the database (`tablesFromDatabase`) produce, and what `asOf` answers
// from. Rows keep Prisma's shapes, so the schema's column fields read them as they read real rows.
import type {
  Article,
  Claim,
  ClaimParticipant,
  Leader,
  LeaderMention,
  Membership,
  Occurrence,
  OccurrenceParticipant,
  Organization,
  OrganizationMention,
  Participation,
  PrismaClient,
  Summit,
  SummitMention,
} from '../../generated/prisma/client.ts';

/** Each table's row type, by the name of its Prisma delegate. */
export interface TableRows {
  leader: Leader;
  organization: Organization;
  summit: Summit;
  article: Article;
  membership: Membership;
  participation: Participation;
  leaderMention: LeaderMention;
  organizationMention: OrganizationMention;
  summitMention: SummitMention;
  occurrence: Occurrence;
  occurrenceParticipant: OccurrenceParticipant;
  claim: Claim;
  claimParticipant: ClaimParticipant;
}

/** A table's name: its Prisma delegate. */
export type TableName = keyof TableRows;

/** Every table the log describes, parents before the rows that point at them. */
export const TABLE_NAMES = [
  'leader',
  'organization',
  'summit',
  'article',
  'membership',
  'participation',
  'leaderMention',
  'organizationMention',
  'summitMention',
  'occurrence',
  'occurrenceParticipant',
  'claim',
  'claimParticipant',
] as const satisfies readonly TableName[];

/**
 * Rows by key. Entity tables are keyed by their `id`. Link rows the log knows only by what they
 * join (mentions, participants of occurrences and claims) are keyed by that, e.g. `"3:7"` for
 * article 3 and leader 7; their `id` is then a stand-in (the position among their parent's
 * links), not the database's.
 */
export type Tables = { [K in TableName]: Map<string, TableRows[K]> };

/** The story at one position of the log. */
export interface StoryAsOf {
  /** The last event folded in: 0 for the empty story. */
  sequence: number;
  /** When that event was committed; null at 0. */
  occurredAt: Date | null;
  tables: Tables;
}

/** Empty tables. */
export function emptyTables(): Tables {
  return Object.fromEntries(TABLE_NAMES.map((name) => [name, new Map()])) as unknown as Tables;
}

/** The key a row is stored under in {@link Tables}. */
export function rowKey<K extends TableName>(table: K, row: TableRows[K]): string {
  const r = row as unknown as Record<string, number | null>;
  switch (table) {
    case 'leaderMention':
      return `${r.articleId}:${r.leaderId}`;
    case 'organizationMention':
      return `${r.articleId}:${r.organizationId}`;
    case 'summitMention':
      return `${r.articleId}:${r.summitId}`;
    case 'occurrenceParticipant':
      return `${r.occurrenceId}:${r.leaderId ?? ''}:${r.organizationId ?? ''}`;
    case 'claimParticipant':
      return `${r.claimId}:${r.leaderId ?? ''}:${r.organizationId ?? ''}`;
    default:
      return String(r.id);
  }
}

/**
 * The tables as the database holds them now. Equal to the fold at the head, which is what the
 * fold's test checks; also how `asOf` answers at the head without replaying anything.
 */
export async function tablesFromDatabase(db: PrismaClient): Promise<Tables> {
  const tables = emptyTables();
  for (const name of TABLE_NAMES) {
    const delegate = db[name] as unknown as { findMany(args: object): Promise<object[]> };
    const rows = await delegate.findMany({ orderBy: { id: 'asc' } });
    const map = tables[name] as Map<string, unknown>;
    for (const row of rows) map.set(rowKey(name, row as never), row);
  }
  return tables;
}
