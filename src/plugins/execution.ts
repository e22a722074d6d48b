import { execute } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Queries and mutations run on graphql-js's own `execute`. It builds each result object in the
 * order the query selected its fields, whatever order they settle in, so responses keep the
 * selection's key order by construction (the spec says a response "should"; clients that diff or
 * snapshot responses rely on it). Yoga's default executor fills objects as fields settle, which
 * needed a second walk over every result to put the keys back; this path does one walk, not two.
 * Subscriptions run on graphql-js too (live/shared-execution.ts).
 */
export function useOrderedExecution(): Plugin {
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute);
    },
  };
}
