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
  getNullableType,
  getVariableValues,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { Compiler, quote, relationColumns, unsupported } from './compiled-reads.ts';
import { type FieldModel, MODELS } from './datamodel.ts';
import { type Built, literal, ObjectBuilder, type Shape, scalar, VALUE } from './planned-values.ts';

export { materialize, type Shape } from './planned-values.ts';

type Args = Record<string, unknown>;

/** The extension a root field carries when the planner may answer it (set by entityQueries). */
export const PLANNED_ROOT = 'storygraphPlannedRoot';

/** What a root field tells the planner: its model, and for lists, the Prisma query of its args. */
export type PlannedRoot =
  | { kind: 'one'; model: string }
  | { kind: 'list'; model: string; query: (args: Args) => { where: unknown; orderBy: unknown } };

/** One planned document: the statement, its parameters, and the shape of its one value. */
export interface PlannedRead {
  sql: string;
  params: unknown[];
  shape: Shape;
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
    // Only `__typename`: nothing to read, and no reason to ask the database.
    if (object.items.length === 0) unsupported();
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
