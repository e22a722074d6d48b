// One `asOf` read's view of the story: the tables at a position (story/as-of), the rows handed to
// resolvers marked as belonging to it, and the lookups its resolvers make, built on first use.
// A marked row is a copy of the table's row with the SNAPSHOT symbol pointing here, so every
// field below it knows to resolve from these tables and never from the database
// (schema/snapshot-resolvers.ts). The tables are shared with other reads at the same position and
// are never changed: marks, brands and indexes live on this object and on the copies.
import {
  brandWithType,
  getConnectionPageSize,
  PothosValidationError,
  validateConnectionArguments,
} from '@pothos/core';
import { formatPrismaCursor, parsePrismaCursor } from '@pothos/plugin-prisma';
import type { StoryEvent } from '../generated/prisma/client.ts';
import { checkPageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../plugins/limits.ts';
import type { StoryAsOf, TableName, TableRows } from '../story/as-of/tables.ts';
import { ENTITIES, type NodeType } from '../story/registry.ts';

/** The property that marks a row (or event) handed out by a snapshot: points to the snapshot. */
export const SNAPSHOT = Symbol('storygraph.snapshot');

/** A row as resolvers see it. */
export type Row = Record<string, unknown> & { id: number };
/** A row that belongs to a snapshot. */
export type SnapshotRow = Row & { [SNAPSHOT]: Snapshot };

/** The arguments every connection takes. */
export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** How rows are ordered: one key after another, PostgreSQL's rules for nulls unless told. */
export type OrderKey = [value: (row: Row) => unknown, direction: 'asc' | 'desc', nulls?: 'last'];

const comparable = (value: unknown) =>
  value instanceof Date ? value.getTime() : typeof value === 'boolean' ? Number(value) : value;

/** A comparator for `keys`, as an ORDER BY of the same keys sorts. */
export function orderBy(...keys: OrderKey[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const [value, direction, nulls] of keys) {
      const [x, y] = [comparable(value(a)), comparable(value(b))];
      if (x === y) continue;
      // PostgreSQL puts nulls last ascending and first descending, unless told otherwise.
      const nullsLast = nulls === 'last' || direction === 'asc';
      if (x == null) return nullsLast ? 1 : -1;
      if (y == null) return nullsLast ? -1 : 1;
      const order = (x as number) < (y as number) ? -1 : 1;
      return direction === 'asc' ? order : -order;
    }
    return 0;
  };
}

/** `leaderMention` → `LeaderMention`: the GraphQL type a table's rows are. */
const typeOf = (table: TableName) => `${table[0]?.toUpperCase()}${table.slice(1)}`;

/** The story at one position, as one request reads it. */
export class Snapshot {
  readonly #marked = new WeakMap<object, SnapshotRow>();
  readonly #groups = new Map<string, Map<unknown, Row[]>>();
  readonly #slugs = new Map<string, Map<unknown, Row>>();

  constructor(
    readonly story: StoryAsOf,
    /** The feed cursor of the position. */
    readonly cursor: string,
  ) {}

  get sequence(): number {
    return this.story.sequence;
  }

  /** Marks a row of `table` as this snapshot's, typed for abstract fields (`Node`). */
  mark<K extends TableName>(table: K, row: TableRows[K]): SnapshotRow {
    let marked = this.#marked.get(row);
    if (!marked) {
      marked = { ...(row as unknown as Row), [SNAPSHOT]: this };
      brandWithType(marked, typeOf(table) as never);
      this.#marked.set(row, marked);
    }
    return marked;
  }

  /** A row of an entity (or membership, participation, claim …) table by its id, or null. */
  row<K extends TableName>(table: K, id: unknown): SnapshotRow | null {
    if (id == null) return null;
    const row = this.story.tables[table].get(String(id));
    return row ? this.mark(table, row) : null;
  }

  /** An entity by its type, as `node` finds it; null if it did not exist at this position. */
  entity(type: string, id: unknown): SnapshotRow | null {
    const spec = ENTITIES[type as NodeType];
    return spec ? this.row(spec.model as TableName, id) : null;
  }

  /** The row of `table` with this slug, or null. */
  bySlug(table: TableName, slug: string): SnapshotRow | null {
    let index = this.#slugs.get(table);
    if (!index) {
      index = new Map();
      for (const row of this.story.tables[table].values()) {
        index.set((row as unknown as Row).slug, row as unknown as Row);
      }
      this.#slugs.set(table, index);
    }
    const row = index.get(slug);
    return row ? this.mark(table, row as never) : null;
  }

  /**
   * The rows of `table` whose `column` holds `value`, marked, in id order; indexed on first use,
   * so a list of parents costs one pass over the table, not one per parent.
   */
  rowsWhere(table: TableName, column: string, value: unknown): SnapshotRow[] {
    const key = `${table}.${column}`;
    let groups = this.#groups.get(key);
    if (!groups) {
      groups = new Map();
      for (const row of this.story.tables[table].values() as Iterable<Row>) {
        const at = row[column];
        if (at == null) continue;
        const group = groups.get(at);
        if (group) group.push(row);
        else groups.set(at, [row]);
      }
      for (const group of groups.values()) group.sort((a, b) => a.id - b.id);
      this.#groups.set(key, groups);
    }
    return (groups.get(value) ?? []).map((row) => this.mark(table, row as never));
  }

  /** Every row of a table, marked, in id order. */
  all(table: TableName): SnapshotRow[] {
    return [...(this.story.tables[table].values() as Iterable<Row>)]
      .sort((a, b) => a.id - b.id)
      .map((row) => this.mark(table, row as never));
  }

  /** An event of the log read for this snapshot: its `node` is the entity at this position. */
  event(event: StoryEvent): StoryEvent {
    return { ...event, [SNAPSHOT]: this } as StoryEvent;
  }
}

/** The snapshot a value belongs to, if any: the one check ordinary reads pay. */
export const snapshotOf = (value: unknown): Snapshot | undefined =>
  (value as { [SNAPSHOT]?: Snapshot })[SNAPSHOT];

/**
 * A page of already ordered rows, as the Prisma plugin pages a related connection (`cursor: 'id'`):
 * the same cursors, the same page sizes and the same `pageInfo`, so a snapshot's connections
 * page like the plain reads'. `totalCount` is the whole list's length.
 */
export function rowConnection(rows: SnapshotRow[], args: PageArgs) {
  checkPageSize(args);
  validateConnectionArguments(args);
  if (args.before != null && args.after != null) {
    throw new PothosValidationError(
      'Arguments "before" and "after" are not supported at the same time',
    );
  }
  if (args.before != null && args.first != null) {
    throw new PothosValidationError(
      'Arguments "before" and "first" are not supported at the same time',
    );
  }
  if (args.after != null && args.last != null) {
    throw new PothosValidationError(
      'Arguments "after" and "last" are not supported at the same time',
    );
  }
  const { limit } = getConnectionPageSize({
    args,
    defaultSize: DEFAULT_PAGE_SIZE,
    maxSize: MAX_PAGE_SIZE,
  });
  const backward = args.before != null || args.last != null;
  const cursor = args.before ?? args.after;
  let from = rows;
  if (cursor != null) {
    const id = parsePrismaCursor(cursor);
    const at = rows.findIndex((row) => row.id === id);
    // A cursor naming no row of the list finds nothing, as a Prisma cursor does.
    from = at < 0 ? [] : backward ? rows.slice(0, at) : rows.slice(at + 1);
  }
  const results = backward ? from.slice(-limit) : from.slice(0, limit);
  const full = results.length === limit;
  const nodes = full ? (backward ? results.slice(1) : results.slice(0, -1)) : results;
  const edges = nodes.map((node) => ({ cursor: formatPrismaCursor(node, 'id'), node }));
  return {
    totalCount: rows.length,
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage: args.after != null ? true : backward ? full : false,
      hasNextPage: args.before != null ? true : args.last != null ? false : full,
    },
  };
}
