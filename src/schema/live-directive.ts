// `@live` on a query: the client is sent the answer again whenever the story log changes what
// it reads (plugins/live-query.ts, live/live-queries.ts). Declared in the schema so that clients
// and tools see it, and so that validation refuses it anywhere but on a query.
import { DirectiveLocation, GraphQLDirective, GraphQLInt } from 'graphql';
import { MAX_LIVE_THROTTLE_MS } from '../live/live-queries.ts';

export const LiveDirective = new GraphQLDirective({
  name: 'live',
  description:
    'Keeps a query live over graphql-ws or server-sent events: the result is sent again, with its `storyCursor`, whenever a committed change alters it. Not available over plain HTTP.',
  locations: [DirectiveLocation.QUERY],
  args: {
    throttle: {
      type: GraphQLInt,
      description: `The least time between two results, in milliseconds: 0 (the default) to ${MAX_LIVE_THROTTLE_MS}; values outside are clamped. The first change after a quiet spell is sent at once, later ones at most this often, the last always.`,
    },
  },
});
