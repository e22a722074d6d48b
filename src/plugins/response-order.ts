// Puts response keys back in the order the query asked for them (the GraphQL spec says a
// response "should" keep the selection order, and clients that diff or snapshot responses rely
// on it). Why they move: Yoga's executor (@graphql-tools/executor) fills a result object as its
// fields settle, synchronous ones first, so `node { id name }` came back with `name` first (the
// global ID resolves asynchronously) and a connection's `totalCount` (a count query) last.
// Subscriptions are executed by graphql-js (see shared-execution.ts), which keeps the order.
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  isAbstractType,
  isObjectType,
  Kind,
  type NamedTypeNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';

type Fragments = Map<string, FragmentDefinitionNode>;

/** What the walk knows: the document's fragments, the schema, the object's type if it says. */
interface Walk {
  fragments: Fragments;
  schema: GraphQLSchema;
  typename?: string;
}

/** Whether a fragment with `condition` applies to the object (unknown type: assume it does). */
function applies(condition: NamedTypeNode | undefined, walk: Walk): boolean {
  if (!condition || !walk.typename) return true;
  if (condition.name.value === walk.typename) return true;
  const abstract = walk.schema.getType(condition.name.value);
  const object = walk.schema.getType(walk.typename);
  return (
    isAbstractType(abstract) && isObjectType(object) && walk.schema.isSubType(abstract, object)
  );
}

/**
 * The response keys of `selectionSets`, in the order they first appear (through fragments too),
 * each with the selection sets of its sub-fields. Fragments are filtered by type when the object
 * carries its `__typename`; without it, keys of fragments on other types are the ones an object
 * does not have (skipped when it is rebuilt), and a key shared by fragments on different types
 * takes its first place.
 */
function collectKeys(
  selectionSets: readonly SelectionSetNode[],
  walk: Walk,
  into = new Map<string, SelectionSetNode[]>(),
  seen = new Set<string>(),
): Map<string, SelectionSetNode[]> {
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const children = into.get(key) ?? [];
        if (selection.selectionSet) children.push(selection.selectionSet);
        into.set(key, children);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition, walk)) {
          collectKeys([selection.selectionSet], walk, into, seen);
        }
      } else {
        const name = selection.name.value;
        const fragment = walk.fragments.get(name);
        // A fragment spread twice on one level adds nothing new the second time.
        if (!fragment || seen.has(name) || !applies(fragment.typeCondition, walk)) continue;
        seen.add(name);
        collectKeys([fragment.selectionSet], walk, into, seen);
        seen.delete(name);
      }
    }
  }
  return into;
}

function reorder(value: unknown, selectionSets: SelectionSetNode[], walk: Walk): unknown {
  if (value === null || typeof value !== 'object' || selectionSets.length === 0) return value;
  if (Array.isArray(value)) return value.map((item) => reorder(item, selectionSets, walk));
  const source = value as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  const typename = typeof source.__typename === 'string' ? source.__typename : undefined;
  for (const [key, children] of collectKeys(selectionSets, { ...walk, typename })) {
    if (key in source) ordered[key] = reorder(source[key], children, walk);
  }
  // Nothing is ever dropped: a key the walk did not expect keeps its place at the end.
  for (const key of Object.keys(source)) if (!(key in ordered)) ordered[key] = source[key];
  return ordered;
}

/** Returns `data` with its keys in the order of `document`'s operation (`operationName`). */
export function orderLikeQuery(
  data: Record<string, unknown>,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): Record<string, unknown> {
  const fragments: Fragments = new Map();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (!operationName || definition.name?.value === operationName) operation ??= definition;
    }
  }
  if (!operation) return data;
  return reorder(data, [operation.selectionSet], { fragments, schema }) as Record<string, unknown>;
}

/** The plugin: every query and mutation result leaves with its keys in the query's order. */
export function useResponseKeyOrder(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (!result.data) return;
            setResult({
              ...result,
              data: orderLikeQuery(result.data, args.schema, args.document, args.operationName),
            });
          });
        },
      };
    },
  };
}
