// A typed storygraph client: reads the story once, then follows the story feed, printing each
// event. It keeps the cursor of the last event it printed in a file, so after a restart it
// picks up exactly where it stopped: events made while it was down come first, none twice.
//
//   STORYGRAPH_URL=http://localhost:4000/graphql CURSOR_FILE=.storygraph-cursor npm start
//
// Types come from ../schema.graphql through GraphQL Code Generator (`npm run codegen`).
import { readFile, rename, writeFile } from 'node:fs/promises';
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSocketClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { FeedEventFragment, StoryOverviewQuery } from './gql/graphql.js';
import { graphql } from './gql/index.js';

const url = process.env.STORYGRAPH_URL ?? 'http://localhost:4000/graphql';
const cursorFile = process.env.CURSOR_FILE ?? '.storygraph-cursor';
/** The position before the first event: following from it replays the whole log. */
const START_OF_LOG = 'c3RvcnlFdmVudDow';

const StoryOverview = graphql(`
  query StoryOverview {
    summits(first: 20) {
      totalCount
      edges {
        node {
          ...SummitCard
        }
      }
    }
    leaders(first: 50) {
      totalCount
      edges {
        node {
          id
          name
          title
        }
      }
    }
    storyEvents(last: 1) {
      edges {
        cursor
      }
    }
  }

  fragment SummitCard on Summit {
    id
    name
    city
    startsOn
    status
    participants(first: 50) {
      edges {
        node {
          id
          status
          leader {
            id
            name
          }
        }
      }
    }
  }
`);

const FollowStory = graphql(`
  subscription FollowStory($after: String) {
    storyEvents(after: $after) {
      ...FeedEvent
    }
  }

  fragment FeedEvent on StoryEvent {
    cursor
    sequence
    kind
    label
    entity
    entityId
    changes {
      field
      before
      after
    }
    node {
      id
      ... on Leader {
        name
      }
      ... on Organization {
        name
      }
      ... on Summit {
        name
      }
      ... on Article {
        headline
      }
      ... on Membership {
        role
      }
      ... on Participation {
        status
      }
    }
  }
`);

const socket = createSocketClient({
  url: url.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  lazy: false,
  // Keep trying: a restarting server is the normal case, not an error.
  retryAttempts: Number.POSITIVE_INFINITY,
  shouldRetry: () => true,
});

// The socket may connect while the story is still being read: remember that it did.
let connected = false;
let following = false;
let resolveConnected: () => void = () => {};
const connectedOnce = new Promise<void>((done) => {
  resolveConnected = done;
});
socket.on('connected', () => {
  if (connected) console.log('reconnected; following again');
  connected = true;
  resolveConnected();
  // On a reconnection, subscribe again after the last cursor seen (not the first one).
  if (following) follow();
});
socket.on('closed', () => {
  if (connected) console.log('connection closed; reconnecting');
});

const client = new Client({
  url,
  // No cache for the feed: each event is new data, and the query runs once.
  requestPolicy: 'network-only',
  exchanges: [
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const operation = { ...request, query: request.query ?? '' };
        return {
          subscribe(sink) {
            return { unsubscribe: socket.subscribe(operation, sink) };
          },
        };
      },
    }),
  ],
});

async function readCursor(): Promise<string | null> {
  try {
    return (await readFile(cursorFile, 'utf8')).trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a cursor. */
async function saveCursor(value: string): Promise<void> {
  await writeFile(`${cursorFile}.tmp`, `${value}\n`);
  await rename(`${cursorFile}.tmp`, cursorFile);
}

function printStory(story: StoryOverviewQuery): void {
  console.log(`story: ${story.summits.totalCount} summits, ${story.leaders.totalCount} leaders`);
  for (const { node: summit } of story.summits.edges) {
    const people = summit.participants.edges
      .map(({ node }) => `${node.leader.name} (${node.status.toLowerCase()})`)
      .join(', ');
    console.log(
      `  ${summit.startsOn} ${summit.name}, ${summit.city}: ${summit.status}; ${people || 'nobody yet'}`,
    );
  }
}

function nameOf(event: FeedEventFragment): string {
  const node = event.node;
  if (!node) return '(deleted)';
  if ('name' in node) return node.name;
  if ('headline' in node) return node.headline;
  if ('role' in node) return node.role;
  if ('status' in node) return node.status;
  return event.entityId;
}

// The last sequence printed: the log is numbered without gaps, so anything at or below it has
// been seen (a re-sent subscription after a reconnect can not print an event twice).
let lastSequence = 0;
let cursor: string | null = await readCursor();
let writing = Promise.resolve();

async function handle(event: FeedEventFragment): Promise<void> {
  if (event.sequence <= lastSequence) return;
  lastSequence = event.sequence;
  cursor = event.cursor;
  const changes = event.changes
    .map(
      (change) =>
        `${change.field}: ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)}`,
    )
    .join('; ');
  console.log(
    `event ${event.sequence} ${event.label ?? event.kind} ${event.entity} "${nameOf(event)}"${changes ? ` ${changes}` : ''}`,
  );
  writing = writing.then(() => saveCursor(event.cursor));
  await writing;
}

let subscription: { unsubscribe(): void } | undefined;

/** (Re)subscribes after the last cursor seen. Called on every (re)connection. */
function follow(): void {
  following = true;
  subscription?.unsubscribe();
  subscription = client.subscription(FollowStory, { after: cursor }).subscribe((result) => {
    if (result.error) {
      const resume = result.error.graphQLErrors
        .map((error) => error.extensions?.resumeAfter)
        .find((value): value is string => typeof value === 'string');
      console.error(`feed error: ${result.error.message}`);
      // SLOW_CONSUMER says where to pick up; follow again from there.
      if (resume) {
        cursor = resume;
        setTimeout(follow, 500);
      }
      return;
    }
    if (result.data) handle(result.data.storyEvents).catch((error) => console.error(error));
  });
}

if (cursor) {
  console.log(`resuming after cursor ${cursor}`);
} else {
  const story = await client.query(StoryOverview, {}).toPromise();
  if (story.error || !story.data) {
    console.error(`could not read the story: ${story.error?.message}`);
    process.exit(1);
  }
  printStory(story.data);
  // Follow from the last event this read saw, so nothing between the two is lost.
  cursor = story.data.storyEvents.edges[0]?.cursor ?? START_OF_LOG;
  await saveCursor(cursor);
}

connectedOnce.then(() => {
  console.log('following the story feed');
  follow();
});

async function stop(): Promise<void> {
  subscription?.unsubscribe();
  await writing;
  await socket.dispose();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
