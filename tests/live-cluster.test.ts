// `@live` across instances: two server processes sharing PostgreSQL and a Redis of their own, a
// thousand random commits from four editors through both, live queries over graphql-ws and SSE
// on both. Each instance re-runs its live queries from its own reading of the log, so every live
// client must end on exactly what a plain read answers, with cursors that never go backwards.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEventCursor } from '../src/live/events.ts';
import { waitUntil } from './helpers/app.ts';
import { type Collector, collect, sseClient, wsClient } from './helpers/clients.ts';
import { type Api, processToken, startApi, startRedis } from './helpers/processes.ts';

const DATABASE_URL = process.env.DATABASE_URL as string;
const COMMITS = 1_000;
const EDITORS = 4;

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The live queries every instance serves, on both transports. */
const QUERIES = [
  `query Summit($slug: String!) @live { summit(slug: $slug) { id version description status } }`,
  `query Summits @live { summits(first: 20) { edges { node { id version description } } } }`,
  `query Leaders @live { leaders(first: 20) { totalCount edges { node { id version description
     participations(first: 10) { edges { node { summit { name description } } } } } } } }`,
  `query Log @live { storyEvents(last: 3) { edges { node { sequence entityVersion } } } }`,
];
const VARIABLES = { slug: 'sco-summit-samarkand-2022' };

type Entity = { type: 'Summit' | 'Leader'; id: string; version: number };

describe('@live on two server processes', () => {
  it(`ends every live client on a plain read after ${COMMITS} random commits, cursors never going back`, async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const env = { DATABASE_URL, REDIS_URL: redis.url, FEED_POLL_MS: '60000' };
    const apis = await Promise.all([startApi(env), startApi(env)]);
    for (const api of apis) cleanups.push(() => api.child.stop());
    const token = await processToken('editor');

    const live: { api: Api; query: string; client: Collector<unknown> }[] = [];
    for (const api of apis)
      for (const query of QUERIES)
        for (const client of [wsClient(api.url), sseClient(api.url)])
          live.push({ api, query, client: collect(client, query, VARIABLES) });
    await Promise.all(live.map(({ client }) => client.waitFor(1)));

    // Every entity belongs to one editor, who knows its version: no editor waits on another.
    const { body } = await apis[0].graphql(
      '{ summits(first: 20) { edges { node { id version } } } leaders(first: 20) { edges { node { id version } } } }',
    );
    const entities: Entity[] = [
      ...body.data.summits.edges.map(({ node }: any) => ({ type: 'Summit', ...node })),
      ...body.data.leaders.edges.map(({ node }: any) => ({ type: 'Leader', ...node })),
    ];
    expect(entities.length).toBeGreaterThanOrEqual(EDITORS);
    let made = 0;
    const editor = async (index: number) => {
      const own = entities.filter((_, i) => i % EDITORS === index);
      while (made < COMMITS) {
        made += 1;
        const entity = own[Math.floor(Math.random() * own.length)] as Entity;
        const api = apis[Math.floor(Math.random() * apis.length)] as Api;
        const field = entity.type === 'Summit' ? 'updateSummit' : 'updateLeader';
        const { body: answer } = await api.graphql(
          `mutation ($input: Update${entity.type}Input!) { ${field}(input: $input) { ${entity.type.toLowerCase()} { version } } }`,
          {
            input: {
              id: entity.id,
              expectedVersion: entity.version,
              patch: { description: `commit ${made} by editor ${index}` },
            },
          },
          { token },
        );
        expect(answer.errors).toBeUndefined();
        entity.version = answer.data[field][entity.type.toLowerCase()].version;
      }
    };
    await Promise.all(Array.from({ length: EDITORS }, (_, index) => editor(index)));

    // The plain answer on each instance once it has read the whole log (storyAfter the head).
    const { body: head } = await apis[0].graphql('{ storyEvents(last: 1) { edges { cursor } } }');
    const storyAfter = head.data.storyEvents.edges[0].cursor;
    for (const { api, query, client } of live) {
      const plain = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: query.replace(' @live', ''),
          variables: VARIABLES,
          extensions: { storyAfter },
        }),
      }).then((response) => response.json());
      expect(plain.errors).toBeUndefined();
      const expected = JSON.stringify(Object.values(plain.data)[0]);
      await waitUntil(
        () => JSON.stringify(client.items.at(-1)) === expected,
        10_000,
        `the live ${query.split(' ')[1]} on port ${api.port} to end on the plain read`,
      );
      expect(client.errors).toEqual([]);
      const cursors = client.results.map((result) =>
        decodeEventCursor(result.extensions.storyCursor),
      );
      expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
      // Something changed under every query, so every client got more than its first answer.
      expect(client.items.length).toBeGreaterThan(1);
    }
    for (const { client } of live) client.unsubscribe();
  }, 180_000);
});
