// The two transports a live subscription's frames can be written to directly (live/direct.ts):
// a graphql-ws operation on a WebSocket, and a server-sent event stream. Each writes a `next`
// message in its own protocol's framing around a payload serialized once for the whole group.
import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';

/** Where a subscription's live results can be written without going through its iterator. */
export interface LiveStream {
  /** The transport: part of the group key, since the framing and the error shape differ. */
  kind: 'ws' | 'sse';
  /**
   * Whether frames written here stay behind results the subscription's iterator already handed
   * over. graphql-ws sends each result as the iterator yields it, so they do. Yoga's SSE response
   * passes results through a stream that may still hold some, so an SSE subscription is written
   * to directly only if its iterator has carried nothing.
   */
  followsIterator: boolean;
  /** Writes one `next` message whose payload is `payload` (an execution result as JSON). */
  next(payload: string): void;
  /** Bytes written but not yet sent. */
  buffered(): number;
  /** Masks an error as the transport's other results are masked. */
  mask(error: GraphQLError): GraphQLError;
}

/** A graphql-ws operation `id` on `socket`: frames exactly as graphql-ws writes its `next`. */
export function webSocketStream(
  socket: WebSocket,
  id: string,
  mask: LiveStream['mask'],
): LiveStream {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return {
    kind: 'ws',
    followsIterator: true,
    next(payload) {
      if (socket.readyState === socket.OPEN) socket.send(`${prefix}${payload}}`);
    },
    buffered: () => socket.bufferedAmount,
    mask,
  };
}

// The SSE frame is the same bytes for every member of a group (no operation id), and the group
// writes one payload to all its members in a row: the last frame is kept, encoded once, so a
// thousand streams get one Buffer instead of a thousand strings to build and encode.
let lastPayload: string | undefined;
let lastFrame = Buffer.alloc(0);
function sseFrame(payload: string): Buffer {
  if (payload !== lastPayload) {
    lastFrame = Buffer.from(`event: next\ndata: ${payload}\n\n`);
    lastPayload = payload;
  }
  return lastFrame;
}

/**
 * An SSE response: events exactly as Yoga writes its `next` (`event: next`, then the result on
 * one `data:` line). Yoga writes the status and headers once the subscription has started, which
 * can be after the first live event is ready: until then frames wait, in order.
 */
export function eventStream(response: ServerResponse, mask: LiveStream['mask']): LiveStream {
  let waiting: Buffer[] | undefined;
  let waitingBytes = 0;
  const open = () => !response.destroyed && !response.writableEnded;
  const flush = () => {
    if (!waiting) return;
    if (!open()) {
      waiting = undefined;
      return;
    }
    if (!response.headersSent) {
      setImmediate(flush);
      return;
    }
    for (const frame of waiting) response.write(frame);
    waiting = undefined;
    waitingBytes = 0;
  };
  return {
    kind: 'sse',
    followsIterator: false,
    next(payload) {
      const frame = sseFrame(payload);
      if (waiting) {
        waiting.push(frame);
        waitingBytes += frame.length;
      } else if (!open()) {
        return;
      } else if (response.headersSent) {
        response.write(frame);
      } else {
        waiting = [frame];
        waitingBytes = frame.length;
        setImmediate(flush);
      }
    },
    buffered: () => response.writableLength + waitingBytes,
    // Yoga's SSE results leave out its internal error extensions; so do these.
    mask: (error) => {
      const masked = mask(error);
      const { http, unexpected, ...extensions } = masked.extensions ?? {};
      if (http === undefined && unexpected === undefined) return masked;
      return new GraphQLError(masked.message, {
        nodes: masked.nodes,
        source: masked.source,
        positions: masked.positions,
        path: masked.path,
        originalError: masked.originalError,
        extensions,
      });
    },
  };
}
