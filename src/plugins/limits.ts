import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  type ComplexityErrorFn,
  ComplexityErrorKind,
  type ComplexityResult,
  createComplexityRule,
  type FieldComplexityValue,
} from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  type ValidationRule,
  validate,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput, ErrorCode, userError } from '../core/errors.ts';
import { DEFAULT_LIMITS, type Limits } from '../infra/limit-defaults.ts';

export { DEFAULT_LIMITS, type Limits } from '../infra/limit-defaults.ts';

/** The largest page any connection serves. Asking for more is an error, not a silent cut. */
export const MAX_PAGE_SIZE = 100;
/** The page a connection serves (and its cost assumes) when `first` and `last` are left out. */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * The one page-size rule of every connection (entity lists, `nodes`, the story log): `first` and
 * `last` between 0 and {@link MAX_PAGE_SIZE}, else BAD_USER_INPUT naming the argument. Returns
 * the largest page, for Pothos' relay options.
 */
export function checkPageSize(args: { first?: number | null; last?: number | null }): number {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw badInput(
        `"${name}" must be between 0 and ${MAX_PAGE_SIZE} (at most ${MAX_PAGE_SIZE} a page); page through larger sets.`,
        { argument: name, max: MAX_PAGE_SIZE },
      );
    }
  }
  return MAX_PAGE_SIZE;
}

/**
 * What one operation may cost, computed by Pothos' complexity plugin from the selection. Every
 * field costs 1; a field under a page costs as many times as the page is long (see
 * {@link costByPageSize}). The /story page's query (two levels of full pages) costs about
 * 294,000 and the README's largest query about 44,000; three nested full pages of 100 cost over
 * 3,000,000 and four over 300,000,000. Relay connections spend three levels (field, edges, node)
 * per hop, hence the generous depth.
 */
export const COST_LIMIT: Readonly<Required<ComplexityResult>> = {
  complexity: 1_000_000,
  depth: DEFAULT_LIMITS.maxDepth,
  breadth: 300,
};

/**
 * The cost of a field that takes `first` or `last`: what is selected under it, times the page
 * asked for (20 when neither is given). Pothos calls it with the field's arguments, variables
 * already applied.
 */
export function pageComplexity(args: Record<string, unknown>): FieldComplexityValue {
  const page = [args.first, args.last].find((value) => typeof value === 'number');
  return { field: 1, multiplier: Math.max(1, (page as number | undefined) ?? DEFAULT_PAGE_SIZE) };
}

/**
 * Charges every field that takes `first` or `last` (each connection, and `search`) by its page
 * size; every other field keeps Pothos' default (1, and ×10 under a list). Applied to the built
 * schema in one place rather than on each connection's declaration. Only these fields get a
 * function: Pothos reads (and decodes) the arguments of a field whose cost is a function, and a
 * malformed ID in one field must not fail the cost of the whole operation.
 */
export function costByPageSize(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) continue;
      field.extensions = { ...field.extensions, complexity: pageComplexity };
    }
  }
  return schema;
}

/** The QUERY_TOO_COMPLEX error for an operation over {@link COST_LIMIT}. */
export const complexityError: ComplexityErrorFn = (kind, result) => {
  const limits = {
    Depth: result.maxDepth,
    Breadth: result.maxBreadth,
    Complexity: result.maxComplexity,
  };
  const actual = { Depth: result.depth, Breadth: result.breadth, Complexity: result.complexity };
  return tooComplex(
    `The query's ${kind.toLowerCase()} is ${actual[kind]}, over the limit of ${limits[kind]}.`,
  );
};

const COST_KINDS = [
  ['depth', ComplexityErrorKind.Depth],
  ['breadth', ComplexityErrorKind.Breadth],
  ['complexity', ComplexityErrorKind.Complexity],
] as const;

function tooComplex(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return userError(ErrorCode.QUERY_TOO_COMPLEX, message, extensions);
}

// GraphQL Armor reports its limits as "Syntax Error: …" without a code; ours carry QUERY_TOO_COMPLEX.
// Throwing from `onReject` stops the parse (tokens) or the validation pass (the rest) at once:
// the rules fire on entering the operation, before graphql-js compares any fields.
const armor = {
  propagateOnRejection: false,
  onReject: [
    (_context: unknown, error: GraphQLError) => {
      throw tooComplex(error.message.replace(/^Syntax Error: /, ''));
    },
  ],
};

/**
 * Refuses documents that are too large, too long, too aliased, too directive-laden or too deep
 * before graphql-js validates them (its overlapping-fields rule is quadratic in repeated fields),
 * and subscriptions that cost too much before they start.
 */
export function useLimits(limits: Limits): Plugin[] {
  return [
    {
      // Before tokenizing: a document may be one enormous string token.
      onParse({ params }) {
        const length = params.source.toString().length;
        if (length > limits.maxDocumentChars) {
          throw tooComplex(
            `The document is ${length} characters long, over the limit of ${limits.maxDocumentChars}.`,
          );
        }
      },
    },
    maxTokensPlugin({ n: limits.maxTokens, ...armor }),
    maxAliasesPlugin({ n: limits.maxAliases, ...armor }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...armor }),
    maxDepthPlugin({ n: limits.maxDepth, ...armor }),
    useSubscriptionCost(),
  ];
}

/**
 * The cost errors of an operation, computed once from its selection and variables with the same
 * rule Pothos applies as root fields resolve: empty if it is within {@link COST_LIMIT}. Variables
 * the rule can not read are bad input.
 */
export function costErrors(args: {
  schema: GraphQLSchema;
  document: DocumentNode;
  contextValue?: unknown;
  variableValues?: unknown;
  operationName?: string | null;
}): GraphQLError[] {
  const rule: ValidationRule = createComplexityRule({
    context: (args.contextValue ?? {}) as object,
    variableValues: (args.variableValues ?? {}) as Record<string, unknown>,
    operationName: args.operationName ?? undefined,
    validate: (result, report) => {
      const over = COST_KINDS.find(([key]) => result[key] > COST_LIMIT[key]);
      if (!over) return;
      const error = complexityError(
        over[1],
        {
          ...result,
          maxDepth: COST_LIMIT.depth,
          maxBreadth: COST_LIMIT.breadth,
          maxComplexity: COST_LIMIT.complexity,
        },
        undefined as never, // our error function never reads `info`
      );
      report(error as GraphQLError);
    },
  });
  return validate(args.schema, args.document, [rule]).map((error) =>
    error.extensions?.code ? error : badInput(error.message),
  );
}

/**
 * Pothos checks a query's cost as its root fields resolve, which for a subscription means at every
 * event. This checks it once, when the subscription is made: a too costly one gets one error and
 * never starts. Not a cached validation rule, because the cost depends on the variables. Live
 * queries are checked the same way when they start (plugins/live-query.ts).
 */
function useSubscriptionCost(): Plugin {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = costErrors(args);
      if (errors.length) setResultAndStopExecution({ errors });
    },
  };
}
