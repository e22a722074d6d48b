// The benchmark's two reads, shared with the tests that hold storygraph to them (statement counts,
// the planned path): (a) one leader by slug, (b) 20 articles → leaders → memberships → organization.
export const QUERY_SIMPLE = '{ leader(slug: "leader-42") { name title } }';
export const QUERY_NESTED = `query ($first: Int!) {
  articles(first: $first, orderBy: { field: PUBLISHED_AT, direction: DESC }) {
    edges { node {
      headline
      leaders(first: 5) { edges { node { leader {
        name
        memberships(first: 5) { edges { node { role organization { name acronym } } } }
      } } } }
    } }
  }
}`;
