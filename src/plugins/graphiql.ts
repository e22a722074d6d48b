import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * What GraphiQL opens on (when the browser has no saved tabs): a named query and a named
 * subscription on the shipped story, and how to send a token for edits. Tested to run as is.
 */
export const GRAPHIQL_DEFAULT_QUERY = `# storygraph: press ▶ to run StorySoFar (a query), or
# choose FollowTheStory (a subscription) and edit the
# story in another tab to watch the changes arrive.
#
# Reading needs no token; edits (mutations) need an
# editor token:  npm run -s token -- --role editor
# In Headers below, set it as "Bearer <token>".

query StorySoFar {
  summit(slug: "sco-summit-samarkand-2022") {
    id
    name
    city
    startsOn
    status
    participants {
      edges {
        node {
          id
          status
          leader {
            id
            name
            title
          }
        }
      }
    }
  }
}

subscription FollowTheStory {
  storyEvents {
    cursor
    sequence
    label
    entity
    entityId
    changes {
      field
      before
      after
    }
    occurredAt
  }
}
`;

/** GraphiQL's options: the example above, and an empty `Authorization` header to fill in. */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'storygraph',
  subscriptionsProtocol: 'WS',
  defaultQuery: GRAPHIQL_DEFAULT_QUERY,
  // An empty Authorization header is an anonymous reader, so queries work before it is filled.
  headers: JSON.stringify({ Authorization: '' }, null, 2),
  defaultEditorToolsVisibility: 'headers',
};
