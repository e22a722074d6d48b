import { type ExecutionArgs, execute } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { materialize, planRead } from '../infra/planned-reads.ts';

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
  if (!plan) return execute(args);
  try {
    return {
      data: materialize(plan.shape, await run(plan.sql, plan.params)) as Record<string, unknown>,
    };
  } catch {
    return execute(args);
  }
}
