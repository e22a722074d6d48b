import type { ExecutionResult } from 'graphql';
import type { StoryYoga } from '../../src/yoga.ts';

/** A GraphQL response with loosely typed data, for assertions. */
export type Result = ExecutionResult<any> & { status: number };

/** Sends one operation through `yoga.fetch` (no port), optionally with a bearer token. */
export async function execute(
  yoga: StoryYoga,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<Result> {
  const response = await yoga.fetch('http://storygraph.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { ...((await response.json()) as ExecutionResult), status: response.status };
}

/** The codes of a result's errors, in order. */
export function errorCodes(result: ExecutionResult): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}
