// What a planned statement (planned-reads.ts) returns and how it becomes the response: each
// GraphQL object as a JSON array of its selected values in document order, each column written as
// its GraphQL type serializes it. Kept apart from the planner, which decides what to select.
import {
  type GraphQLOutputType,
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { unsupported } from './compiled-reads.ts';
import type { FieldModel } from './datamodel.ts';

/**
 * How a planned statement's JSON maps back to the result: a value as it is, a constant the
 * statement does not carry (`__typename`), a list, or an object whose non-constant fields are the
 * array's items in order (null stays null). An object that cannot be null and has one such field
 * (a connection with only `edges`, an edge with only `node`) is that field's value, unwrapped.
 */
export type Shape =
  | { kind: 'value' }
  | { kind: 'constant'; value: string }
  | { kind: 'list'; of: Shape }
  | { kind: 'object'; keys: string[]; fields: Shape[]; single?: boolean };

/** A planned part of the statement: its SQL and the shape of what it returns. */
export interface Built {
  sql: string;
  shape: Shape;
}

export const VALUE: Shape = { kind: 'value' };

/** The selected fields of one object, built in document order. */
export class ObjectBuilder {
  readonly keys: string[] = [];
  readonly fields: Shape[] = [];
  readonly items: string[] = [];

  constant(key: string, value: string) {
    this.keys.push(key);
    this.fields.push({ kind: 'constant', value });
  }

  add(key: string, built: Built) {
    this.keys.push(key);
    this.fields.push(built.shape);
    this.items.push(built.sql);
  }

  /** The object's SQL: an array of its items, or, where it cannot be null, its only item. */
  build(type: GraphQLOutputType): Built {
    const shape = { kind: 'object' as const, keys: this.keys, fields: this.fields };
    if (isNonNullType(type) && this.items.length === 1)
      return { sql: this.items[0] as string, shape: { ...shape, single: true } };
    // json_build_array takes at most 100 arguments.
    if (this.items.length > 100) unsupported();
    return { sql: `json_build_array(${this.items.join(', ')})`, shape };
  }
}

/** The keyed result of a planned statement's value, as the resolvers would have built it. */
export function materialize(shape: Shape, value: unknown): unknown {
  switch (shape.kind) {
    case 'value':
      return value;
    case 'constant':
      return shape.value;
    case 'list':
      return (value as unknown[]).map((item) => materialize(shape.of, item));
    case 'object': {
      if (value === null && !shape.single) return null;
      const items = shape.single ? [value] : (value as unknown[]);
      const result: Record<string, unknown> = {};
      let next = 0;
      for (let i = 0; i < shape.keys.length; i += 1) {
        const field = shape.fields[i] as Shape;
        result[shape.keys[i] as string] =
          field.kind === 'constant' ? field.value : materialize(field, items[next++]);
      }
      return result;
    }
  }
}

/** Scalars whose JSON from PostgreSQL equals what their GraphQL serializer writes. */
const PLAIN_SCALARS = new Set(['String', 'Int', 'Boolean', 'Float', 'ID']);

/** A column as the GraphQL type serializes it: plain scalars and enums as is, dates formatted. */
export function scalar(type: GraphQLOutputType, column: FieldModel, sql: string): string {
  if (isNonNullType(type) && !column.isRequired) unsupported();
  const nullable = getNullableType(type);
  const named = getNamedType(type);
  if (isListType(nullable)) {
    // A scalar list column (text[]): PostgreSQL's JSON array, never null for a required list.
    if (!column.isList || !PLAIN_SCALARS.has(named.name)) unsupported();
    return sql;
  }
  if (
    column.isList ||
    column.kind === 'object' ||
    column.type === 'Json' ||
    column.type === 'BigInt'
  )
    unsupported();
  if (isEnumType(named)) {
    // Enum values must be their own names, as Prisma's enums are.
    if (named.getValues().some((value) => value.value !== value.name)) unsupported();
    return sql;
  }
  if (!isScalarType(named)) unsupported();
  if (named.name === 'DateTime') return `to_char(${sql}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (named.name === 'Date') return `to_char(${sql}, 'YYYY-MM-DD')`;
  if (!PLAIN_SCALARS.has(named.name)) unsupported();
  if (named.name === 'ID' && column.type !== 'String') return `${sql}::text`;
  return sql;
}

export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
