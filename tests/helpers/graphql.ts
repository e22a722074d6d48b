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

/**
 * The global IDs of seeded records, read in one query: `{ sco: ['summit', 'sco-summit-…'] }`
 * gives `{ sco: '…' }`. A missing record or an error fails the caller.
 */
export async function idsBySlug<Key extends string>(
  yoga: StoryYoga,
  wanted: Record<Key, readonly [field: string, slug: string]>,
): Promise<Record<Key, string>> {
  const entries = Object.entries(wanted) as [Key, readonly [string, string]][];
  const selection = entries
    .map(([key, [field, slug]]) => `${key}: ${field}(slug: ${JSON.stringify(slug)}) { id }`)
    .join(' ');
  const result = await execute(yoga, `{ ${selection} }`);
  if (result.errors) throw new Error(`idsBySlug: ${JSON.stringify(result.errors)}`);
  const ids = {} as Record<Key, string>;
  for (const [key] of entries) {
    const record = result.data[key] as { id: string } | null;
    if (!record) throw new Error(`idsBySlug: no ${wanted[key][0]} "${wanted[key][1]}"`);
    ids[key] = record.id;
  }
  return ids;
}

/** The codes of a result's errors, in order. */
export function errorCodes(result: ExecutionResult): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}

/**
 * Sets a summit's description through the API, reading its version first and retrying on
 * CONFLICT as a real editor would (the one CONFLICT policy of the tests); any other error fails.
 * Resolves with the summit's new version.
 */
export async function editSummit(
  yoga: StoryYoga,
  id: string,
  description: string,
  token: string,
): Promise<number> {
  for (;;) {
    const current = await execute(
      yoga,
      'query ($id: ID!) { node(id: $id) { ... on Summit { version } } }',
      { id },
    );
    const result = await execute(
      yoga,
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
      { input: { id, expectedVersion: current.data.node.version, patch: { description } } },
      token,
    );
    if (!result.errors) return result.data.updateSummit.summit.version as number;
    if (result.errors[0]?.extensions?.code !== 'CONFLICT') {
      throw new Error(JSON.stringify(result.errors));
    }
  }
}
