import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type ExecutionArgs, execute } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { materialize, type PlannedRead, planRead } from '../infra/planned-reads.ts';
import { COST_LIMIT } from './limits.ts';

/**
 * Queries and mutations run on graphql-js's own `execute`. It builds each result object in the
 * order the query selected its fields, whatever order they settle in, so responses keep the
 * selection's key order by construction (the spec says a response "should"; clients that diff or
 * snapshot responses rely on it). Yoga's default executor fills objects as fields settle, which
 * needed a second walk over every result to put the keys back; this path does one walk, not two.
 * Subscriptions run on graphql-js too (live/shared-execution.ts).
 */
export function useOrderedExecution(options: { planned?: boolean } = {}): Plugin {
  const planned = options.planned ?? true;
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(planned ? executePlanned : execute);
    },
  };
}

/**
 * A query the planner answers in one statement (infra/planned-reads.ts) skips the resolvers;
 * anything else, or a planned statement that fails, runs through graphql-js.
 */
async function executePlanned(args: ExecutionArgs) {
  const run = (args.contextValue as Context).reads.data;
  const plan = run && planRead(args);
  if (!plan || !withinCost(plan, args)) return execute(args);
  let data: Record<string, unknown>;
  try {
    data = materialize(plan.shape, await run(plan.sql, plan.params)) as Record<string, unknown>;
  } catch {
    return execute(args);
  }
  // The whole pipeline has now passed this text: later requests for it may take the fast path.
  (args.contextValue as Context).fastDocuments?.add(args.document);
  return { data };
}

/** Each plan's verdict on the cost limits; plans are kept per document and variables. */
const affordable = new WeakMap<PlannedRead, boolean>();

/**
 * Pothos checks a query's cost in its root resolvers, which a planned read never calls: the same
 * computation runs here, and a query over any limit goes to the resolvers for their error.
 */
export function withinCost(plan: PlannedRead, args: ExecutionArgs): boolean {
  let verdict = affordable.get(plan);
  if (verdict === undefined) {
    const cost = complexityFromQuery(args.document, {
      schema: args.schema,
      variables: (args.variableValues ?? {}) as Record<string, unknown>,
    });
    verdict =
      cost.complexity <= COST_LIMIT.complexity &&
      cost.depth <= COST_LIMIT.depth &&
      cost.breadth <= COST_LIMIT.breadth;
    affordable.set(plan, verdict);
  }
  return verdict;
}
