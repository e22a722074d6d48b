import { describe, expect, it } from 'vitest';
import { START_CURSOR } from '../src/live/events.ts';
import { startApp, testApp } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';
import { errorCodes, execute } from './helpers/graphql.ts';

// One cursor rule for every connection and the feed: an empty page has null cursors, and a
// cursor argument is one the API returned; "" is BAD_USER_INPUT everywhere.
const LISTS = ['leaders', 'organizations', 'summits', 'articles', 'storyEvents', 'timeline'];

describe('cursors', () => {
  it('are null on an empty page, on entity lists and on the story log alike', async () => {
    const { yoga } = testApp();
    const pages = {
      leaders: 'leaders(first: 5, filter: { country: "Atlantis" })',
      storyEvents: 'storyEvents(first: 5, filter: { entityIds: ["TGVhZGVyOjk5OTk5"] })',
    };
    for (const [list, field] of Object.entries(pages)) {
      const result = await execute(
        yoga,
        `{ ${field} { edges { cursor } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } }`,
      );
      expect(result.errors, list).toBeUndefined();
      expect(result.data[list].edges, list).toEqual([]);
      expect(result.data[list].pageInfo, list).toEqual({
        startCursor: null,
        endCursor: null,
        hasNextPage: false,
        hasPreviousPage: false,
      });
    }
  });

  it('are null on the empty page after the last item, on every list', async () => {
    const { yoga } = testApp();
    for (const list of LISTS) {
      const all = await execute(yoga, `{ ${list}(first: 100) { pageInfo { endCursor } } }`);
      const last = all.data[list].pageInfo.endCursor;
      if (last === null) continue; // an empty list: covered by the test above
      const after = await execute(
        yoga,
        `query ($after: String) { ${list}(first: 5, after: $after) { edges { cursor } pageInfo { startCursor endCursor } } }`,
        { after: last },
      );
      expect(after.errors, list).toBeUndefined();
      expect(after.data[list].edges, list).toEqual([]);
      expect(after.data[list].pageInfo, list).toEqual({ startCursor: null, endCursor: null });
    }
  });

  it('refuse "" as after or before with BAD_USER_INPUT on every list', async () => {
    const { yoga } = testApp();
    for (const list of LISTS) {
      for (const argument of ['after', 'before']) {
        const size = argument === 'after' ? 'first' : 'last';
        const result = await execute(
          yoga,
          `{ ${list}(${size}: 5, ${argument}: "") { edges { cursor } } }`,
        );
        expect(errorCodes(result), `${list} ${argument}`).toEqual(['BAD_USER_INPUT']);
        expect(result.data?.[list] ?? null, `${list} ${argument}`).toBeNull();
      }
    }
  });

  it('start the log at the start cursor, as with no cursor at all', async () => {
    const { yoga } = testApp();
    const fromStart = await execute(
      yoga,
      `{ storyEvents(first: 3, after: "${START_CURSOR}") { edges { cursor } } }`,
    );
    const noCursor = await execute(yoga, '{ storyEvents(first: 3) { edges { cursor } } }');
    expect(fromStart.errors).toBeUndefined();
    expect(fromStart.data).toEqual(noCursor.data);
  });

  it('refuse "" as the subscription\'s after with BAD_USER_INPUT', async () => {
    const app = await startApp();
    const client = wsClient(app.url);
    const empty = collect(client, 'subscription { storyEvents(after: "") { sequence } }');
    await empty.ended(20_000);
    expect(JSON.stringify(empty.errors)).toContain('BAD_USER_INPUT');
    expect(empty.items).toEqual([]);
  }, 60_000);
});
