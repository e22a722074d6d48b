import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { sharedResultJson } from '../src/shared-execution.ts';
import { startApp, tokenFor } from './helpers/app.ts';
import { execute } from './helpers/graphql.ts';

const app = await startApp();
let editor: string;
let summitId: string;

beforeAll(async () => {
  editor = await tokenFor('editor');
  const result = await execute(app.yoga, '{ summit(slug: "sco-summit-samarkand-2022") { id } }');
  summitId = result.data.summit.id;
});

const sockets: WebSocket[] = [];
afterAll(() => {
  for (const socket of sockets) socket.terminate();
});

/** A raw graphql-transport-ws connection that keeps every text frame it receives. */
async function rawSubscriber(subscriptions: Record<string, string>) {
  const socket = new WebSocket(app.url.replace('http', 'ws'), 'graphql-transport-ws');
  sockets.push(socket);
  const frames: string[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    frames.push(String(data));
    for (const wake of waiters.splice(0)) wake();
  });
  const waitFor = async (test: () => boolean, what: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${frames}`);
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  };
  await new Promise((opened) => socket.once('open', opened));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await waitFor(() => frames.includes('{"type":"connection_ack"}'), 'connection_ack');
  for (const [id, query] of Object.entries(subscriptions))
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
  return { frames, waitFor };
}

const SELECTION = 'subscription { storyEvents { sequence changes { field after } } }';
const OTHER = 'subscription { storyEvents { sequence entity } }';

describe('shared subscription frames', () => {
  it('serializes an event once for subscribers with the same selection and frames it per operation id', async () => {
    const first = await rawSubscriber({ a: SELECTION });
    const second = await rawSubscriber({ b: SELECTION, c: OTHER });
    const stringify = vi.spyOn(JSON, 'stringify');
    const nexts = (frames: string[], id: string) =>
      frames.filter((frame) => frame.startsWith(`{"id":"${id}","type":"next"`));
    // The subscriptions register asynchronously: edit until an event reaches both sockets.
    let version = 1;
    for (let round = 1; ; round += 1) {
      const result = await execute(
        app.yoga,
        'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
        {
          input: {
            id: summitId,
            expectedVersion: version,
            patch: { description: `frames ${round}` },
          },
        },
        editor,
      );
      expect(result.errors).toBeUndefined();
      version = result.data.updateSummit.summit.version;
      try {
        await first.waitFor(
          () => nexts(first.frames, 'a').length > 0 && nexts(second.frames, 'b').length > 0,
          'an event on both sockets',
          1000,
        );
        break;
      } catch (error) {
        if (round >= 15) throw error;
      }
    }
    const sequenceOf = (frame: string) => JSON.parse(frame).payload.data.storyEvents.sequence;
    const last = sequenceOf(nexts(first.frames, 'a').at(-1) as string);
    await second.waitFor(
      () =>
        nexts(second.frames, 'b').some((frame) => sequenceOf(frame) === last) &&
        nexts(second.frames, 'c').some((frame) => sequenceOf(frame) === last),
      'the same event on the second socket',
    );
    const frameA = nexts(first.frames, 'a').find((frame) => sequenceOf(frame) === last) as string;
    const frameB = nexts(second.frames, 'b').find((frame) => sequenceOf(frame) === last) as string;
    const frameC = nexts(second.frames, 'c').find((frame) => sequenceOf(frame) === last) as string;
    const payloadOf = (frame: string, id: string) =>
      frame.slice(`{"id":"${id}","type":"next","payload":`.length, -1);
    // The same bytes for both operations with the same selection, and the data asked for.
    expect(payloadOf(frameA, 'a')).toBe(payloadOf(frameB, 'b'));
    expect(JSON.parse(frameA).payload.data.storyEvents).toEqual({
      sequence: last,
      changes: [{ field: 'description', after: expect.stringMatching(/^frames \d+$/) }],
    });
    // The other selection gets its own result.
    expect(JSON.parse(frameC).payload.data.storyEvents).toEqual({
      sequence: last,
      entity: 'Summit',
    });
    // graphql-ws never serialized a whole result itself: it only saw the stand-ins.
    const resultsSerializedByGraphqlWs = stringify.mock.calls.filter(([value]) => {
      const message = value as { type?: string; payload?: { data?: unknown } } | undefined;
      return message?.type === 'next' && message.payload?.data !== null;
    });
    stringify.mockRestore();
    expect(resultsSerializedByGraphqlWs).toEqual([]);
  });

  it('serializes only results of the shared execution, and each once', () => {
    expect(sharedResultJson({ data: { storyEvents: null } })).toBeUndefined();
    expect(sharedResultJson(null)).toBeUndefined();
  });
});
