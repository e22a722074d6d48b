// A planned read (one statement, no resolvers) answers byte for byte what the resolvers answer,
// on the seeded story: the same keys in the same order, the same values, nulls, dates, enums and
// IDs. Documents the planner leaves alone still answer, through the resolvers, with their errors.
import { describe, expect, it } from 'vitest';
import { QUERY_NESTED } from '../bench/queries.ts';
import { testApp } from './helpers/app.ts';
import { recordSql } from './helpers/sql-recorder.ts';

const planned = testApp();
const resolved = testApp({ plannedReads: false });

async function text(
  app: typeof planned,
  query: string,
  variables: Record<string, unknown> = {},
  operationName?: string,
) {
  const response = await app.yoga.fetch('http://storygraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return `${response.status} ${await response.text()}`;
}

/** Every scalar the planner serves, on each listed type. */
const LEADER =
  'id __typename slug name aliases title country description version createdAt updatedAt';
const ORGANIZATION = 'id slug name acronym description version createdAt updatedAt';

const PLANNED: [string, string, Record<string, unknown>?][] = [
  ['the simple benchmark read', '{ leader(slug: "xi-jinping") { name title } }'],
  ['the nested benchmark read', QUERY_NESTED, { first: 20 }],
  ['a slug that names nothing', '{ leader(slug: "nobody") { name } }'],
  [
    'every leader field, every order, counts, aliases and typenames',
    `{
      byName: leaders(orderBy: { field: NAME }) { __typename totalCount edges { __typename node { ${LEADER} } } }
      byCountry: leaders(first: 3, orderBy: { field: COUNTRY, direction: DESC }) { edges { node { n: name c: country } } }
      newest: leaders(first: 2, orderBy: { field: UPDATED_AT, direction: DESC }) { edges { node { slug } } }
    }`,
  ],
  [
    'organizations with their members, and the members with theirs',
    `{ organizations { totalCount edges { node { ${ORGANIZATION}
        memberships(first: 3) { totalCount edges { node { role startedOn endedOn
          leader { slug memberships { edges { node { organization { acronym } } } } } } } }
    } } } }`,
  ],
  [
    'summits and articles with their scalars and mentions',
    `{
      summits(first: 5) { edges { node { id slug name city country startsOn endsOn description version } } }
      articles(first: 4) { edges { node { id slug headline source url publishedAt
        leaders { totalCount edges { node { leader { name } } } }
        organizations(first: 2) { edges { node { organization { name } } } }
        summits { edges { node { summit { name startsOn } } } } } } }
    }`,
  ],
  [
    'fragments and inline fragments on the same type',
    `query Story { leader(slug: "vladimir-putin") { ...who ... on Leader { title } ... { country } } }
     fragment who on Leader { name aliases }`,
  ],
];

const RESOLVED: [string, string, Record<string, unknown>?, string?][] = [
  [
    'a cursor and pageInfo',
    '{ leaders(first: 2) { pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }',
  ],
  ['a filter', '{ leaders(filter: { country: "Russia" }) { edges { node { name } } } }'],
  ['a directive', '{ leader(slug: "xi-jinping") { name title @include(if: false) } }'],
  ['a computed field', '{ leader(slug: "xi-jinping") { name history(first: 1) { totalCount } } }'],
  ['a page over the limit', '{ leaders(first: 101) { edges { node { name } } } }'],
  [
    'a nested page over the limit',
    '{ leader(slug: "xi-jinping") { memberships(first: 500) { totalCount } } }',
  ],
  [
    'a bad variable',
    'query ($first: Int!) { leaders(first: $first) { totalCount } }',
    { first: 'x' },
  ],
  [
    'a query over the cost limit (Pothos checks it in resolvers a plan skips)',
    `{ leaders(first: 100) { edges { node { memberships(first: 100) { edges { node { organization {
        memberships(first: 100) { edges { node { leader { memberships(first: 100) { totalCount } } } } } } } } } } } } }`,
  ],
  [
    'a named operation beside another',
    'query A { leader(slug: "xi-jinping") { name } } query B { leaders { totalCount } }',
    {},
    'A',
  ],
  [
    'two operations without a name',
    '{ a: leader(slug: "x") { name } } query B { leaders { totalCount } }',
  ],
];

describe('planned reads', () => {
  it.each(PLANNED)(
    'answers %s in one statement, as the resolvers do',
    async (_, query, variables) => {
      const { result, statements } = await recordSql(() => text(planned, query, variables));
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^SELECT json_build_array\(.* AS data$/s);
      expect(result).toMatch(/^200 \{"data":\{/);
      expect(result).toBe(await text(resolved, query, variables));
    },
  );

  it.each(RESOLVED)(
    'leaves %s to the resolvers, with the same answer',
    async (_, query, variables, operationName) => {
      const { result, statements } = await recordSql(() =>
        text(planned, query, variables, operationName),
      );
      expect(statements.some((sql) => sql.endsWith(' AS data'))).toBe(false);
      expect(result).toBe(await text(resolved, query, variables, operationName));
    },
  );
});
