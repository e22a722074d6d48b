import { describe, expect, it } from 'vitest';
import { testApp } from './helpers/app.ts';
import { execute } from './helpers/graphql.ts';

// Object.keys of every object down a path, to compare with the query's own order.
function keys(value: any): string[] {
  return Object.keys(value);
}

describe('response keys', () => {
  it('come back in the order of the selection: object, connection, edges, node', async () => {
    const { yoga } = testApp();
    const result = await execute(
      yoga,
      `query Order {
        summit(slug: "sco-summit-samarkand-2022") { id name city version }
        leaders(first: 2) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { cursor node { id name title } }
        }
      }`,
    );
    expect(result.errors).toBeUndefined();
    expect(keys(result.data)).toEqual(['summit', 'leaders']);
    expect(keys(result.data.summit)).toEqual(['id', 'name', 'city', 'version']);
    expect(keys(result.data.leaders)).toEqual(['totalCount', 'pageInfo', 'edges']);
    expect(keys(result.data.leaders.pageInfo)).toEqual(['hasNextPage', 'endCursor']);
    for (const edge of result.data.leaders.edges) {
      expect(keys(edge)).toEqual(['cursor', 'node']);
      expect(keys(edge.node)).toEqual(['id', 'name', 'title']);
    }
  });

  it('follow aliases, inline fragments and named fragments on node and search', async () => {
    const { yoga } = testApp();
    const listed = await execute(yoga, '{ leaders(first: 1) { edges { node { id } } } }');
    const id = listed.data.leaders.edges[0].node.id;
    const result = await execute(
      yoga,
      `query Fragments($id: ID!) {
        node(id: $id) { ... on Leader { title ...LeaderName } id __typename }
        search(query: "Putin", first: 3) {
          ... on Leader { name id }
          ... on Article { headline id }
          __typename
        }
        same: leaders(first: 1) { edges { node { label: name id } } totalCount }
      }
      fragment LeaderName on Leader { name aliases }`,
      { id },
    );
    expect(result.errors).toBeUndefined();
    expect(keys(result.data)).toEqual(['node', 'search', 'same']);
    expect(keys(result.data.node)).toEqual(['title', 'name', 'aliases', 'id', '__typename']);
    expect(result.data.search.length).toBeGreaterThan(0);
    for (const hit of result.data.search) {
      const expected: Record<string, string[]> = {
        Leader: ['name', 'id', '__typename'],
        Article: ['headline', 'id', '__typename'],
      };
      expect(keys(hit)).toEqual(expected[hit.__typename] ?? ['__typename']);
    }
    expect(keys(result.data.same)).toEqual(['edges', 'totalCount']);
    expect(keys(result.data.same.edges[0].node)).toEqual(['label', 'id']);
  });

  it('are ordered in mutation payloads and when fields fail (errors keep their path)', async () => {
    const { yoga } = testApp();
    const result = await execute(
      yoga,
      '{ node(id: "bm9wZQ==") { id } summit(slug: "sco-summit-samarkand-2022") { version id } }',
    );
    expect(keys(result.data)).toEqual(['node', 'summit']);
    expect(keys(result.data.summit)).toEqual(['version', 'id']);
  });
});
