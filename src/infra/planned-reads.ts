// Answers a whole query document with one SQL statement whose single value is the response's
// `data` as positional JSON arrays (each object's selected values in the document's order), which
// `materialize` turns into the keyed result: no resolver runs. Why: for the nested benchmark read the
// per-field resolver walk (Pothos' wrappers, graphql-js' completion of ~2,000 values) cost
// several times the database's own work; PostGraphile and the hand-written R1 both answer it with
// one JSON-building statement. Arrays rather than keyed objects: PostgreSQL spent about a quarter
// of the statement writing the same keys into every row (measured with pgbench on the benchmark
// data: 1.5 ms against 2.0 ms, and R1's keyed statement 1.7 ms).
//
// The planner reads the schema Pothos built (its field extensions say which column a field
// exposes and which relation a field follows) and plans only what it can answer exactly as the
// resolvers would: exposed columns, global IDs, `__typename`, to-one relations, and connections
// (`edges { node }`, `totalCount`) whose Prisma query compiles (compiled-reads' subset). Anything
// else (cursors, `pageInfo`, directives, computed fields, a field with auth scopes, a filter)
// makes `planRead` return null and the document runs through graphql-js as before; so does any
// error, so a refusal (an oversized page) still comes from the resolvers with its own code.
// `tests/planned-reads.test.ts` compares both paths byte for byte over every field it plans.
import {
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { Compiler, quote, relationColumns, unsupported } from './compiled-reads.ts';
import { type FieldModel, MODELS } from './datamodel.ts';

type Args = Record<string, unknown>;

/** The extension a root field carries when the planner may answer it (set by entityQueries). */
export const PLANNED_ROOT = 'storygraphPlannedRoot';

/** What a root field tells the planner: its model, and for lists, the Prisma query of its args. */
export type PlannedRoot =
  | { kind: 'one'; model: string }
  | { kind: 'list'; model: string; query: (args: Args) => { where: unknown; orderBy: unknown } };

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

/** One planned document: the statement, its parameters, and the shape of its one value. */
export interface PlannedRead {
  sql: string;
  params: unknown[];
  shape: Shape;
}

/** A planned part of the statement: its SQL and the shape of what it returns. */
interface Built {
  sql: string;
  shape: Shape;
}

const VALUE: Shape = { kind: 'value' };

/** The selected fields of one object, built in document order. */
class ObjectBuilder {
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

/**
 * What a relation's own query sees as its context: plans are cached per document and variables,
 * so a query that read the viewer (or anything else in the context) would leak one request's
 * answer into another's. Touching it throws, which leaves that field to the resolvers.
 */
const NO_CONTEXT = new Proxy(
  {},
  {
    get() {
      throw new Error('a planned relation query may not read the context');
    },
  },
);

/** Plans kept per document, by operation name and variables; beyond this a document starts over. */
const PLANS_PER_DOCUMENT = 32;
const plans = new WeakMap<DocumentNode, Map<string, PlannedRead | null>>();

/** How many rows a connection returns when `first` is not given (Pothos' defaultConnectionSize). */
const DEFAULT_PAGE = 20;

/** Scalars whose JSON from PostgreSQL equals what their GraphQL serializer writes. */
const PLAIN_SCALARS = new Set(['String', 'Int', 'Boolean', 'Float', 'ID']);

type Extensions = {
  pothosExposedField?: string;
  pothosPrismaRelationField?: FieldModel;
  pothosPrismaSelect?: (...args: unknown[]) => unknown;
  pothosOptions?: { authScopes?: unknown };
  pothosPrismaModel?: string;
  [PLANNED_ROOT]?: PlannedRoot;
};

const extensionsOf = (thing: { extensions?: unknown }) => (thing.extensions ?? {}) as Extensions;

class Planner {
  readonly sql = new Compiler();
  constructor(
    readonly args: ExecutionArgs,
    readonly variables: Args,
    readonly fragments: Map<string, FragmentDefinitionNode>,
  ) {}

  /**
   * The fields of a selection set on `type`, by response key, in document order: fragment
   * spreads and inline fragments on `type` itself are read through; directives, other type
   * conditions, and a key selected twice are not planned.
   */
  fields(
    type: GraphQLNamedType,
    selectionSet: SelectionSetNode,
    into = new Map<string, FieldNode>(),
  ) {
    for (const selection of selectionSet.selections) {
      if (selection.directives?.length) unsupported();
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        if (into.has(key)) unsupported();
        into.set(key, selection);
        continue;
      }
      const fragment =
        selection.kind === Kind.FRAGMENT_SPREAD
          ? (this.fragments.get(selection.name.value) ?? unsupported())
          : selection;
      if (fragment.typeCondition && fragment.typeCondition.name.value !== type.name) unsupported();
      this.fields(type, fragment.selectionSet, into);
    }
    return into;
  }

  argumentsOf(field: GraphQLField<unknown, unknown>, node: FieldNode): Args {
    return getArgumentValues(field, node, this.variables);
  }

  /** Only these arguments may be given (non-null) to a planned field. */
  onlyArgs(args: Args, allowed: string[]) {
    for (const [name, value] of Object.entries(args))
      if (value != null && !allowed.includes(name)) unsupported();
  }

  /** The whole `data` object of a query operation. */
  root(operation: OperationDefinitionNode): Built {
    const query = this.args.schema.getQueryType() ?? unsupported();
    const object = new ObjectBuilder();
    for (const [key, node] of this.fields(query, operation.selectionSet)) {
      const name = node.name.value;
      if (name === '__typename') {
        object.constant(key, query.name);
        continue;
      }
      const field = query.getFields()[name] ?? unsupported();
      const plan = extensionsOf(field)[PLANNED_ROOT] ?? unsupported();
      noScopes(field);
      const args = this.argumentsOf(field, node);
      object.add(key, this.rootField(plan, field, node, args));
    }
    // `data` is never null (an array even when a single field, to keep the statement's one value
    // an array), so it is built as a nullable object would be.
    return object.build(query);
  }

  rootField(
    plan: PlannedRoot,
    field: GraphQLField<unknown, unknown>,
    node: FieldNode,
    args: Args,
  ): Built {
    const t = this.sql.alias();
    if (plan.kind === 'one') {
      this.onlyArgs(args, ['slug']);
      const object = this.object(field.type, plan.model, t, node.selectionSet ?? unsupported());
      return {
        sql: `(SELECT ${object.sql} FROM ${quote(plan.model)} ${t} WHERE ${t}."slug" = ${this.sql.param(args.slug)})`,
        shape: object.shape,
      };
    }
    this.onlyArgs(args, ['first', 'orderBy']);
    const { where, orderBy } = plan.query(args);
    return this.connection(field.type, plan.model, args, orderBy, node, (c) =>
      this.sql.where(plan.model, c, where),
    );
  }

  /**
   * A connection over `model`'s rows: `edges { node }` and `totalCount`, rows filtered by
   * `condition(alias)`, ordered by `orderBy`, `first` of them (default 20, limits checked by the
   * caller's own rules before planning).
   */
  connection(
    fieldType: GraphQLOutputType,
    model: string,
    args: Args,
    orderBy: unknown,
    node: FieldNode,
    condition: (alias: string) => string | null,
  ): Built {
    const type = objectOf(fieldType);
    const first = args.first ?? DEFAULT_PAGE;
    if (!Number.isInteger(first) || (first as number) < 1) unsupported();
    const object = new ObjectBuilder();
    for (const [key, selected] of this.fields(type, node.selectionSet ?? unsupported())) {
      const name = selected.name.value;
      if (name === '__typename') {
        object.constant(key, type.name);
      } else if (name === 'totalCount') {
        const c = this.sql.alias();
        const where = condition(c);
        object.add(key, {
          sql: `(SELECT count(*)::int FROM ${quote(model)} ${c}${where ? ` WHERE ${where}` : ''})`,
          shape: VALUE,
        });
      } else if (name === 'edges') {
        object.add(key, this.edges(type, model, first as number, orderBy, selected, condition));
      } else {
        unsupported();
      }
    }
    return object.build(fieldType);
  }

  edges(
    connection: GraphQLObjectType,
    model: string,
    first: number,
    orderBy: unknown,
    node: FieldNode,
    condition: (alias: string) => string | null,
  ): Built {
    const edges = getNullableType(connection.getFields().edges?.type ?? unsupported());
    if (!isListType(edges)) unsupported();
    const edgeItem = (edges as { ofType: GraphQLOutputType }).ofType;
    const edgeType = objectOf(edgeItem);
    const c = this.sql.alias();
    const where = condition(c);
    const order = this.sql.orderBy(model, c, orderBy, true);
    const object = new ObjectBuilder();
    for (const [key, selected] of this.fields(edgeType, node.selectionSet ?? unsupported())) {
      const name = selected.name.value;
      if (name === '__typename') object.constant(key, edgeType.name);
      else if (name === 'node') {
        const nodeType = edgeType.getFields().node?.type ?? unsupported();
        object.add(key, this.object(nodeType, model, c, selected.selectionSet ?? unsupported()));
      } else unsupported();
    }
    const edge = object.build(edgeItem);
    // ARRAY(subquery) keeps the subquery's order (an aggregate over a subquery would need its own
    // ORDER BY, a second sort of rows already sorted), and reads only the columns it uses.
    return {
      sql: `array_to_json(ARRAY(SELECT ${edge.sql} FROM ${quote(model)} ${c}${where ? ` WHERE ${where}` : ''} ORDER BY ${order.sql} LIMIT ${this.sql.param(first)}))`,
      shape: { kind: 'list', of: edge.shape },
    };
  }

  /** One row of `model` (aliased `t`) as the GraphQL object `type` with the selected fields. */
  object(
    fieldType: GraphQLOutputType,
    model: string,
    t: string,
    selectionSet: SelectionSetNode,
  ): Built {
    const type = objectOf(fieldType);
    noScopes(type);
    if (extensionsOf(type).pothosPrismaModel !== model) unsupported();
    const columns = MODELS.get(model) ?? unsupported();
    const object = new ObjectBuilder();
    for (const [key, node] of this.fields(type, selectionSet)) {
      const name = node.name.value;
      if (name === '__typename') {
        object.constant(key, type.name);
        continue;
      }
      const field = type.getFields()[name] ?? unsupported();
      noScopes(field);
      if (node.arguments?.length && field.args.length === 0) unsupported();
      const extensions = extensionsOf(field);
      if (name === 'id' && type.getInterfaces().some((i) => i.name === 'Node')) {
        // encodeGlobalId: base64 of `Type:id` (short enough that base64 never wraps a line).
        object.add(key, {
          sql: `encode(convert_to(${literal(`${type.name}:`)} || ${t}."id", 'UTF8'), 'base64')`,
          shape: VALUE,
        });
      } else if (extensions.pothosExposedField) {
        const column = columns.get(extensions.pothosExposedField) ?? unsupported();
        object.add(key, {
          sql: scalar(field.type, column, `${t}.${quote(column.name)}`),
          shape: VALUE,
        });
      } else if (extensions.pothosPrismaRelationField) {
        object.add(key, this.relation(field, node, model, t, extensions));
      } else {
        unsupported();
      }
    }
    return object.build(fieldType);
  }

  relation(
    field: GraphQLField<unknown, unknown>,
    node: FieldNode,
    model: string,
    t: string,
    extensions: Extensions,
  ): Built {
    const relation = extensions.pothosPrismaRelationField as FieldModel;
    const selectionSet = node.selectionSet ?? unsupported();
    if (!relation.isList) {
      const [column] = relation.relationFromFields ?? [];
      if (!column || relation.relationFromFields?.length !== 1 || field.args.length) unsupported();
      // A non-null field over a nullable key would be an error on the resolver path.
      if (isNonNullType(field.type) && !MODELS.get(model)?.get(column as string)?.isRequired)
        unsupported();
      const c = this.sql.alias();
      const object = this.object(field.type, relation.type, c, selectionSet);
      return {
        sql: `(SELECT ${object.sql} FROM ${quote(relation.type)} ${c} WHERE ${c}."id" = ${t}.${quote(column as string)})`,
        shape: object.shape,
      };
    }
    // A connection (relatedConnection): the relation's own query, as Pothos would build it.
    const args = this.argumentsOf(field, node);
    this.onlyArgs(args, ['first']);
    const select = extensions.pothosPrismaSelect?.(
      args,
      NO_CONTEXT,
      (query: unknown) => query,
      () => new Set(['edges']),
    ) as { select?: Record<string, Args> } | undefined;
    const nested = select?.select?.[relation.name] ?? unsupported();
    if (typeof (nested as { then?: unknown }).then === 'function' || nested.cursor) unsupported();
    const { target, column } = relationColumns(relation);
    return this.connection(field.type, target, args, nested.orderBy, node, (c) => {
      const where = this.sql.where(target, c, nested.where);
      return `${c}.${quote(column)} = ${t}."id"${where ? ` AND ${where}` : ''}`;
    });
  }
}

function noScopes(thing: { extensions?: unknown }) {
  if (extensionsOf(thing).pothosOptions?.authScopes) unsupported();
}

function objectOf(type: GraphQLOutputType): GraphQLObjectType {
  const nullable = getNullableType(type);
  if (!isObjectType(nullable)) unsupported();
  return nullable as GraphQLObjectType;
}

/** A column as the GraphQL type serializes it: plain scalars and enums as is, dates formatted. */
function scalar(type: GraphQLOutputType, column: FieldModel, sql: string): string {
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

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The one statement that answers `args` (a query operation), or null when something in it is
 * outside what the planner answers exactly; then graphql-js executes it as usual.
 */
export function planRead(args: ExecutionArgs): PlannedRead | null {
  // Documents are cached (and so the same object) per query text by Yoga's parser cache.
  let byVariables = plans.get(args.document);
  if (!byVariables) {
    byVariables = new Map();
    plans.set(args.document, byVariables);
  }
  const key = `${args.operationName ?? ''} ${JSON.stringify(args.variableValues ?? {})}`;
  let plan = byVariables.get(key);
  if (plan === undefined) {
    plan = planUncached(args);
    if (byVariables.size >= PLANS_PER_DOCUMENT) byVariables.clear();
    byVariables.set(key, plan);
  }
  return plan;
}

function planUncached(args: ExecutionArgs): PlannedRead | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
    // One operation per document: the cost check (plugins/execution.ts) reads the first.
    else if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (operation) return null;
      operation = definition;
    }
  }
  if (operation?.operation !== 'query' || operation.directives?.length) return null;
  const coerced = getVariableValues(
    args.schema,
    operation.variableDefinitions ?? [],
    (args.variableValues ?? {}) as Args,
  );
  if (coerced.errors) return null;
  try {
    const planner = new Planner(args, coerced.coerced as Args, fragments);
    const data = planner.root(operation);
    return { sql: `SELECT ${data.sql} AS data`, params: planner.sql.params, shape: data.shape };
  } catch {
    // Unsupported, or a refusal raised by the field's own rules (a page too large): the
    // resolver path answers it, with its own error.
    return null;
  }
}
