// Reads the schema's hot list and lookup fields in one SQL statement that PostgreSQL answers as
// JSON, instead of through Prisma's query engine. The input is what Pothos hands Prisma (the
// client's selection as `select`/`include` trees with `orderBy`, `take` and `skip`), so the answer
// has exactly the shape Prisma's would, and every nested resolver finds its data already loaded.
// Why: Prisma's relation-join statement cost PostgreSQL 2.8× the hand-written one for the nested
// benchmark read, and mapping its rows back was the largest single cost on the Node side.
//
// Only a plain subset is compiled: scalar, to-one and to-many fields, relation counts, orderBy on
// scalar fields, non-negative take and skip, and `where` made of scalar equalities. Anything else
// (cursors, relation filters, `last`, …) returns null and the caller asks Prisma, so the subset
// never changes an answer; `tests/compiled-reads.test.ts` compares both paths field for field.
import { type FieldModel, MODELS } from './datamodel.ts';
import type { Database } from './db.ts';

type Args = Record<string, unknown>;

/** How to turn one JSON row back into what Prisma returns: which fields hold dates, and below. */
interface Plan {
  dates: string[];
  relations: [string, Plan][];
}

/** A compiled read: the statement, its parameters, and the plan that restores its rows. */
export interface CompiledRead {
  sql: string;
  params: unknown[];
  plan: Plan;
}

export const quote = (name: string) => `"${name}"`;
const DIRECTIONS = new Set(['asc', 'desc']);

class Unsupported extends Error {}
export const unsupported = (): never => {
  throw new Unsupported();
};

/** Builds one statement: its parameters, aliases, and the SQL of orders, filters and rows. */
export class Compiler {
  params: unknown[] = [];
  #aliases = 0;

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  alias(): string {
    this.#aliases += 1;
    return `t${this.#aliases}`;
  }

  /** A JSON object for one row of `model` (aliased `t`), with the fields `args` selects. */
  object(model: string, t: string, args: Args): { sql: string; plan: Plan } {
    const fields = MODELS.get(model) ?? unsupported();
    const { select, include } = args as { select?: Args; include?: Args };
    if (select && include) unsupported();
    const chosen: [string, unknown][] = select
      ? Object.entries(select).filter(([, value]) => value)
      : [
          ...[...fields.values()]
            .filter((f) => f.kind !== 'object')
            .map((f): [string, unknown] => [f.name, true]),
          ...Object.entries(include ?? {}).filter(([, value]) => value),
        ];
    const parts: string[] = [];
    const plan: Plan = { dates: [], relations: [] };
    for (const [name, value] of chosen) {
      if (name === '_count') {
        parts.push(`'_count', ${this.counts(fields, t, value)}`);
        continue;
      }
      const field = fields.get(name) ?? unsupported();
      if (field.kind !== 'object') {
        if (value !== true) unsupported();
        if (field.type === 'DateTime') plan.dates.push(name);
        parts.push(`'${name}', ${t}.${quote(name)}`);
        continue;
      }
      const nested = value === true ? {} : (value as Args);
      const relation = field.isList ? this.many(field, t, nested) : this.one(field, t, nested);
      parts.push(`'${name}', ${relation.sql}`);
      plan.relations.push([name, relation.plan]);
    }
    // json_build_object takes at most 100 arguments: 50 fields.
    if (parts.length > 50) unsupported();
    return { sql: `json_build_object(${parts.join(', ')})`, plan };
  }

  /** `_count: { select: { relation: true } }`: one count per relation. */
  counts(fields: ReadonlyMap<string, FieldModel>, t: string, value: unknown): string {
    const select = (value as { select?: Args }).select ?? unsupported();
    const parts = Object.entries(select).map(([name, wanted]) => {
      if (wanted !== true) unsupported();
      const field = fields.get(name) ?? unsupported();
      if (!field.isList) unsupported();
      const { target, column } = relationColumns(field);
      const c = this.alias();
      return `'${name}', (SELECT count(*)::int FROM ${quote(target)} ${c} WHERE ${c}.${quote(column)} = ${t}."id")`;
    });
    return `json_build_object(${parts.join(', ')})`;
  }

  /** A to-one relation: the row its foreign key points at, or null. */
  one(field: FieldModel, t: string, args: Args) {
    const [column] = field.relationFromFields ?? [];
    if (!column || field.relationFromFields?.length !== 1) unsupported();
    if (Object.keys(args).some((key) => key !== 'select' && key !== 'include')) unsupported();
    const c = this.alias();
    const row = this.object(field.type, c, args);
    return {
      sql: `(SELECT ${row.sql} FROM ${quote(field.type)} ${c} WHERE ${c}."id" = ${t}.${quote(column as string)})`,
      plan: row.plan,
    };
  }

  /** A to-many relation: its rows in order, as a JSON array (empty, never null). */
  many(field: FieldModel, t: string, args: Args) {
    const { target, column } = relationColumns(field);
    const c = this.alias();
    const row = this.object(target, c, args);
    const order = this.orderBy(target, c, args.orderBy, true);
    const where = this.where(target, c, args.where);
    const page = this.page(args);
    // The order columns travel with each row, so json_agg orders by them exactly.
    const keys = order.columns.map((sql, i) => `${sql} AS o${i}`);
    const aggOrder = order.columns.map((_, i) => `s.o${i} ${order.directions[i]}`).join(', ');
    return {
      sql: `(SELECT coalesce(json_agg(s.j ORDER BY ${aggOrder}), '[]'::json) FROM (SELECT ${[`${row.sql} AS j`, ...keys].join(', ')} FROM ${quote(target)} ${c} WHERE ${c}.${quote(column)} = ${t}."id"${where ? ` AND ${where}` : ''} ORDER BY ${order.sql}${page}) s)`,
      plan: row.plan,
    };
  }

  /** ORDER BY over scalar fields, as Prisma writes it (PostgreSQL's default null order). */
  orderBy(model: string, t: string, orderBy: unknown, required: boolean) {
    const entries = (Array.isArray(orderBy) ? orderBy : orderBy ? [orderBy] : []) as Args[];
    if (required && entries.length === 0) unsupported();
    const fields = MODELS.get(model) ?? unsupported();
    const columns: string[] = [];
    const directions: string[] = [];
    for (const entry of entries) {
      const [name, how, ...more] = Object.entries(entry).flat();
      if (more.length || typeof name !== 'string') unsupported();
      const field = fields.get(name as string) ?? unsupported();
      if (field.kind === 'object' || field.isList) unsupported();
      const { sort, nulls } =
        typeof how === 'string' ? { sort: how, nulls: undefined } : (how as Args);
      if (!DIRECTIONS.has(String(sort))) unsupported();
      if (nulls !== undefined && nulls !== 'first' && nulls !== 'last') unsupported();
      columns.push(`${t}.${quote(name as string)}`);
      directions.push(
        `${String(sort).toUpperCase()}${nulls ? ` NULLS ${String(nulls).toUpperCase()}` : ''}`,
      );
    }
    return {
      columns,
      directions,
      sql: columns.map((column, i) => `${column} ${directions[i]}`).join(', '),
    };
  }

  /** `where` made of equalities on scalar fields (and AND lists of them); null when empty. */
  where(model: string, t: string, where: unknown): string | null {
    if (where === undefined || where === null) return null;
    if (typeof where !== 'object' || Array.isArray(where)) unsupported();
    const fields = MODELS.get(model) ?? unsupported();
    const conditions: string[] = [];
    for (const [name, value] of Object.entries(where as Args)) {
      if (name === 'AND') {
        for (const part of Array.isArray(value) ? value : [value]) {
          const sql = this.where(model, t, part);
          if (sql) conditions.push(sql);
        }
        continue;
      }
      const field = fields.get(name) ?? unsupported();
      if (field.kind === 'object' || field.isList || field.type === 'Json') unsupported();
      if (!['string', 'number', 'boolean'].includes(typeof value)) unsupported();
      conditions.push(`${t}.${quote(name)} = ${this.param(value)}`);
    }
    return conditions.length ? conditions.join(' AND ') : null;
  }

  page(args: Args): string {
    const { take, skip } = args;
    if (take !== undefined && !(Number.isInteger(take) && (take as number) >= 0)) unsupported();
    if (skip !== undefined && !(Number.isInteger(skip) && (skip as number) >= 0)) unsupported();
    return `${take !== undefined ? ` LIMIT ${this.param(take)}` : ''}${skip ? ` OFFSET ${this.param(skip)}` : ''}`;
  }
}

/** The model on the other side of a list relation and its column that points back at `id`. */
export function relationColumns(field: FieldModel) {
  const target = MODELS.get(field.type) ?? unsupported();
  const back = [...target.values()].find(
    (other) => other.relationName === field.relationName && other.relationFromFields?.length,
  );
  const column = back?.relationFromFields?.[0] ?? unsupported();
  return { target: field.type, column: column as string };
}

const ALLOWED = new Set(['select', 'include', 'where', 'orderBy', 'take', 'skip']);

/**
 * Compiles `findMany(args)` (or `findUnique`/`findFirst` with `single`) on `model` into one
 * statement returning one JSON column `j` per row; null when `args` leave the subset.
 */
export function compileRead(model: string, args: Args, single = false): CompiledRead | null {
  if (Object.keys(args).some((key) => !ALLOWED.has(key))) return null;
  try {
    const compiler = new Compiler();
    const t = compiler.alias();
    const row = compiler.object(model, t, args);
    const where = compiler.where(model, t, args.where);
    const order = compiler.orderBy(model, t, args.orderBy, false);
    const page = single ? ' LIMIT 1' : compiler.page(args);
    const sql = `SELECT ${row.sql} AS j FROM ${quote(model)} ${t}${where ? ` WHERE ${where}` : ''}${order.sql ? ` ORDER BY ${order.sql}` : ''}${page}`;
    return { sql, params: compiler.params, plan: row.plan };
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/**
 * Restores what JSON can not carry, in place: DateTime fields become Dates, as Prisma returns
 * them. PostgreSQL writes `timestamp(3)` without a zone (the values are UTC) and `date` as a day.
 */
export function restore<Row>(row: Row, plan: Plan): Row {
  if (row === null || typeof row !== 'object') return row;
  const record = row as Record<string, unknown>;
  for (const name of plan.dates) {
    const value = record[name];
    if (typeof value === 'string')
      record[name] = new Date(value.length === 10 ? value : `${value}Z`);
  }
  for (const [name, nested] of plan.relations) {
    const value = record[name];
    if (Array.isArray(value)) for (const item of value) restore(item, nested);
    else restore(value, nested);
  }
  return row;
}

/** Reads through compiled statements where they apply, through Prisma everywhere else. */
export interface Reads {
  findMany<Row>(model: string, args: Args): Promise<Row[]>;
  findUnique<Row>(model: string, args: Args): Promise<Row | null>;
  /** Runs a planned document's statement (PostgreSQL only; absent on the embedded database). */
  data?(sql: string, params: unknown[]): Promise<unknown>;
}

type Delegate = {
  findMany(args: Args): Promise<unknown[]>;
  findUnique(args: Args): Promise<unknown>;
};

/**
 * The reads of one database. On PostgreSQL, compiled statements run on the pool (each prepared
 * once per connection); the embedded database and anything outside the subset go through Prisma.
 */
export function createReads(database: Database): Reads {
  const delegate = (model: string) =>
    (database.prisma as unknown as Record<string, Delegate>)[
      `${model[0]?.toLowerCase()}${model.slice(1)}`
    ] as Delegate;
  const run = async (compiled: CompiledRead) => {
    const rows = await (database.readRows as NonNullable<Database['readRows']>)<{ j: unknown }>(
      compiled.sql,
      compiled.params,
    );
    return rows.map((row) => restore(row.j, compiled.plan));
  };
  const readRows = database.readRows?.bind(database);
  return {
    ...(readRows && {
      async data(sql: string, params: unknown[]) {
        const [row] = await readRows<{ data: unknown }>(sql, params);
        return row?.data;
      },
    }),
    async findMany<Row>(model: string, args: Args) {
      const compiled = database.readRows ? compileRead(model, args) : null;
      return (compiled ? run(compiled) : delegate(model).findMany(args)) as Promise<Row[]>;
    },
    async findUnique<Row>(model: string, args: Args) {
      const compiled = database.readRows ? compileRead(model, args, true) : null;
      if (!compiled) return delegate(model).findUnique(args) as Promise<Row | null>;
      return ((await run(compiled))[0] ?? null) as Row | null;
    },
  };
}
