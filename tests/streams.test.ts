// The two streams live results are written to directly (src/live/streams.ts): graphql-ws's `next`
// frame and Yoga's SSE event, byte for byte; SSE frames that arrive before the response's headers
// wait for them, in order; nothing is written after the response ends; and SSE errors leave out
// Yoga's internal extensions, as Yoga's own SSE results do.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { eventStream, webSocketStream } from '../src/live/streams.ts';

const same = (error: GraphQLError) => error;

/** Serves one response, handing it to `handle`; resolves with the body the client received. */
async function oneResponse(handle: (response: ServerResponse) => void): Promise<string> {
  const server = createServer((_request, response) => handle(response));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    return await response.text();
  } finally {
    server.close();
  }
}

describe('live streams', () => {
  it("writes graphql-ws's next frame with the operation id, only while the socket is open", () => {
    const sent: string[] = [];
    const socket = { OPEN: 1, readyState: 1, bufferedAmount: 7, send: (f: string) => sent.push(f) };
    const stream = webSocketStream(socket as unknown as WebSocket, 'op "1"', same);
    stream.next('{"data":{"a":1}}');
    socket.readyState = 3;
    stream.next('{"data":{"a":2}}');
    expect(sent).toEqual(['{"id":"op \\"1\\"","type":"next","payload":{"data":{"a":1}}}']);
    expect(stream.buffered()).toBe(7);
  });

  it('holds SSE frames written before the headers, then sends them in order, and nothing after the end', async () => {
    let waitingBytes = 0;
    let afterEnd: unknown;
    const body = await oneResponse((response) => {
      const stream = eventStream(response, same);
      stream.next('{"data":1}');
      stream.next('{"data":2}');
      waitingBytes = stream.buffered();
      // Yoga writes its status and headers a few turns later.
      setImmediate(() =>
        setImmediate(() => {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(':\n\n');
          stream.next('{"data":3}');
          setImmediate(() => {
            response.end();
            try {
              stream.next('{"data":4}');
            } catch (error) {
              afterEnd = error;
            }
          });
        }),
      );
    });
    expect(waitingBytes).toBe(2 * 'event: next\ndata: {"data":1}\n\n'.length);
    const events = body.split('\n\n').filter((chunk) => chunk.startsWith('event:'));
    expect(events).toEqual([1, 2, 3].map((n) => `event: next\ndata: {"data":${n}}`));
    expect(afterEnd).toBeUndefined();
  });

  it("leaves Yoga's internal extensions out of SSE errors, and keeps the rest", () => {
    const stream = eventStream(
      {} as ServerResponse,
      () =>
        new GraphQLError('Unexpected error.', {
          extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 }, unexpected: true },
        }),
    );
    const masked = stream.mask(new GraphQLError('boom'));
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.toJSON()).toEqual({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});
