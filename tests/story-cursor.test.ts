// Where an answer stands (src/plugins/story-cursor.ts): every executed query and mutation carries
// `extensions.storyCursor`, and a request that sends one back as `storyAfter` (extension or
// `Story-After` header) is answered only once its instance has read the log that far, or gets a
// clear error. Two apps on one database stand in for two replicas whose feeds are not told about
// each other's commits (no Redis, a slow poll), so only `storyAfter` can make one catch up.
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEventCursor, encodeEventCursor } from '../src/live/events.ts';
import { startApp, tokenFor, waitUntil } from './helpers/app.ts';
import { execute, idsBySlug } from './helpers/graphql.ts';

const SLOW_POLL = 60_000;
const a = await startApp({ pollMs: SLOW_POLL });
const b = await startApp({ pollMs: SLOW_POLL, limits: { storyAfterWaitMs: 300 } });
let editor: string;
let sco: string;

beforeAll(async () => {
  editor = await tokenFor('editor');
  ({ sco } = await idsBySlug(a.yoga, { sco: ['summit', 'sco-summit-samarkand-2022'] }));
});

const HEAD = '{ storyEvents(last: 1) { edges { cursor } } }';

/** POSTs to a listening app, as a client would (the fast path included). */
async function post(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Edits the summit through app A; resolves with the mutation's answer. */
async function edit(description: string) {
  const current = await execute(
    a.yoga,
    'query ($id: ID!) { node(id: $id) { ... on Summit { version } } }',
    {
      id: sco,
    },
  );
  const result = await execute(
    a.yoga,
    'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { description history(last: 1) { edges { cursor } } } } }',
    { input: { id: sco, expectedVersion: current.data.node.version, patch: { description } } },
    editor,
  );
  expect(result.errors).toBeUndefined();
  return result;
}

const DESCRIPTION = 'query ($id: ID!) { node(id: $id) { ... on Summit { description } } }';

describe('storyCursor', () => {
  it("answers a mutation with its own event's cursor, and a read with the head it has read", async () => {
    const written = await edit('cursor check');
    const eventCursor = written.data.updateSummit.summit.history.edges[0].cursor;
    expect(written.extensions?.storyCursor).toBe(eventCursor);

    // A's feed is woken by its own commit; once it has read it, reads on A stand there.
    await waitUntil(
      () => a.feed.head >= decodeEventCursor(eventCursor),
      5000,
      'A to read its commit',
    );
    const read = await execute(a.yoga, HEAD);
    expect(read.extensions?.storyCursor).toBe(eventCursor);
    expect(read.data.storyEvents.edges[0].cursor).toBe(eventCursor);
  });

  it('is on answers from the fast path and from the pipeline alike', async () => {
    const query = '{ leader(slug: "vladimir-putin") { name } }';
    // The first answer comes through Yoga's pipeline and makes the text known to the fast path.
    const first = await post(a.url, { query });
    const second = await post(a.url, { query });
    const head = encodeEventCursor(a.feed.head);
    for (const answer of [first, second]) {
      expect(answer.body).toEqual({
        data: { leader: { name: 'Vladimir Putin' } },
        extensions: { storyCursor: head },
      });
    }
  });
});

describe('storyAfter', () => {
  it('holds a read on a lagging instance until it has read the write it names', async () => {
    const written = await edit('read your own write');
    const cursor = written.extensions?.storyCursor as string;
    // B has not been told about A's commit: its feed is behind, and its plain answer says so.
    expect(b.feed.head).toBeLessThan(decodeEventCursor(cursor));
    const plain = await execute(b.yoga, DESCRIPTION, { id: sco });
    expect(decodeEventCursor(plain.extensions?.storyCursor as string)).toBeLessThan(
      decodeEventCursor(cursor),
    );

    const held = await post(b.url, {
      query: DESCRIPTION,
      variables: { id: sco },
      extensions: { storyAfter: cursor },
    });
    expect(held.status).toBe(200);
    expect(held.body.data.node.description).toBe('read your own write');
    expect(decodeEventCursor(held.body.extensions.storyCursor)).toBeGreaterThanOrEqual(
      decodeEventCursor(cursor),
    );
  });

  it('takes the cursor from the Story-After header, on GET too', async () => {
    const written = await edit('through a header');
    const cursor = written.extensions?.storyCursor as string;
    const url = new URL(b.url);
    url.searchParams.set('query', DESCRIPTION);
    url.searchParams.set('variables', JSON.stringify({ id: sco }));
    const response = await fetch(url, {
      headers: { accept: 'application/json', 'story-after': cursor },
    });
    const body = (await response.json()) as any;
    expect(body.data.node.description).toBe('through a header');
    expect(decodeEventCursor(body.extensions.storyCursor)).toBeGreaterThanOrEqual(
      decodeEventCursor(cursor),
    );
  });

  it('refuses what is not a cursor, and a cursor past the end of the log after the wait', async () => {
    for (const storyAfter of ['nonsense', 42, '']) {
      const answer = await post(b.url, { query: HEAD, extensions: { storyAfter } });
      expect(answer.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(answer.body.data).toBeUndefined();
    }
    const head = (await execute(a.yoga, HEAD)).data.storyEvents.edges[0].cursor as string;
    const ahead = encodeEventCursor(decodeEventCursor(head) + 1000);
    const started = Date.now();
    const answer = await post(b.url, { query: HEAD, extensions: { storyAfter: ahead } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(answer.body.errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'storyAfter',
      head,
    });
  });

  it('answers SERVICE_UNAVAILABLE (503) with where it stands when it can not catch up in time', async () => {
    const stuck = await startApp({ pollMs: SLOW_POLL, limits: { storyAfterWaitMs: 200 } });
    await stuck.feed.start();
    stuck.feed.stop();
    const written = await edit('out of reach');
    const answer = await post(stuck.url, {
      query: HEAD,
      extensions: { storyAfter: written.extensions?.storyCursor },
    });
    expect(answer.status).toBe(503);
    expect(answer.body.errors[0].extensions).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      resumeAfter: encodeEventCursor(stuck.feed.head),
    });
  });
});
