// A live query with urql: the SCO summit's card, kept current by the server. The query carries
// `@live`, so it goes over the WebSocket like a subscription; the server answers it at once and
// again each time a committed change alters the answer, each result with its `storyCursor`.
//
//   STORYGRAPH_URL=http://localhost:4000/graphql npm run live
import { Client, fetchExchange, type Operation, subscriptionExchange } from '@urql/core';
import { createClient as createSocketClient } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql } from './gql/index.js';

const url = process.env.STORYGRAPH_URL ?? 'http://localhost:4000/graphql';

const LiveSummit = graphql(`
  query LiveSummit($slug: String!) @live(throttle: 250) {
    summit(slug: $slug) {
      id
      version
      status
      description
    }
  }
`);

/** Whether an operation is a query marked `@live`: those need a stream, like subscriptions. */
const isLive = (operation: Operation) =>
  operation.query.definitions.some(
    (definition) =>
      definition.kind === 'OperationDefinition' &&
      definition.directives?.some((directive) => directive.name.value === 'live'),
  );

const socket = createSocketClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket });

const client = new Client({
  url,
  exchanges: [
    subscriptionExchange({
      // `@live` queries and subscriptions over graphql-ws; every other query over HTTP.
      isSubscriptionOperation: (operation) =>
        operation.kind === 'subscription' || isLive(operation),
      forwardSubscription(request) {
        const operation = { ...request, query: request.query ?? '' };
        return {
          subscribe(sink) {
            return { unsubscribe: socket.subscribe(operation, sink) };
          },
        };
      },
    }),
    fetchExchange,
  ],
});

const { unsubscribe } = client
  .query(LiveSummit, { slug: 'sco-summit-samarkand-2022' })
  .subscribe(({ data, error, extensions }) => {
    if (error) {
      console.error(`error: ${error.message}`);
      return;
    }
    const summit = data?.summit;
    if (!summit) return;
    console.log(
      `summit v${summit.version} ${summit.status}: ${summit.description} (at ${extensions?.storyCursor})`,
    );
  });

process.once('SIGTERM', () => {
  unsubscribe();
  void socket.dispose();
});
