// The frame writer behind live WebSocket subscriptions (src/live/direct.ts): one execution and one
// serialization per event per group, every member's frames in sequence order, the socket backlog
// limit just under and just over, and errors masked.
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { StoryEvent } from '../src/generated/prisma/client.ts';
import {
  DIRECT_BUFFER_BYTES,
  DirectDelivery,
  type DirectTarget,
  type Member,
} from '../src/live/direct.ts';

const event = (sequence: number) => ({ sequence }) as StoryEvent;

/** A member whose socket is an array of frames, with a backlog the test sets. */
function member(key: string, id: string, runs: number[], backlog = () => 0) {
  const frames: string[] = [];
  let overflows = 0;
  const target: DirectTarget = {
    key,
    next: (payload) => frames.push(`{"id":"${id}","type":"next","payload":${payload}}`),
    buffered: backlog,
    followsIterator: true,
    run: async (e) => {
      runs.push(e.sequence);
      // Later events settle first, to show that order does not depend on settling.
      await new Promise((done) => setTimeout(done, 20 - e.sequence));
      return { data: { storyEvents: { sequence: e.sequence } } };
    },
    mask: (error) => new GraphQLError(`masked: ${error.message}`),
  };
  const state: Member = {
    target,
    written: 0,
    closed: false,
    overflow: () => {
      overflows += 1;
    },
  };
  return { state, frames, overflows: () => overflows };
}

/** Waits until the delivery has written `count` frames. */
async function written(delivery: DirectDelivery, count: number) {
  const deadline = Date.now() + 5000;
  while (delivery.written < count) {
    if (Date.now() > deadline) throw new Error(`only ${delivery.written} of ${count} frames`);
    await new Promise((done) => setImmediate(done));
  }
}

describe('direct delivery', () => {
  it('executes once per event per group and writes each member its frames in order', async () => {
    const delivery = new DirectDelivery();
    const runs: number[] = [];
    const a = member('q', 'a', runs);
    const b = member('q', 'b', runs);
    const events = [event(1), event(2), event(3)];
    // As the feed does: each listener, in turn, enqueues the whole batch.
    for (const m of [a, b]) for (const e of events) delivery.enqueue(e, m.state);
    await written(delivery, 6);
    expect(runs).toEqual([1, 2, 3]);
    expect(a.frames).toEqual(
      [1, 2, 3].map(
        (n) => `{"id":"a","type":"next","payload":{"data":{"storyEvents":{"sequence":${n}}}}}`,
      ),
    );
    expect(b.frames.map((frame) => JSON.parse(frame).id)).toEqual(['b', 'b', 'b']);
    expect(a.state.written).toBe(3);
  });

  it('keeps groups apart: another document or role is executed for itself', async () => {
    const delivery = new DirectDelivery();
    const runs: number[] = [];
    const a = member('q', 'a', runs);
    const other = member('r', 'x', runs);
    delivery.enqueue(event(7), a.state);
    delivery.enqueue(event(7), other.state);
    await written(delivery, 2);
    expect(runs).toEqual([7, 7]);
  });

  it('writes nothing more to a closed member', async () => {
    const delivery = new DirectDelivery();
    const a = member('q', 'a', []);
    delivery.enqueue(event(1), a.state);
    a.state.closed = true;
    delivery.enqueue(event(2), member('q', 'b', []).state);
    await written(delivery, 1);
    expect(a.frames).toEqual([]);
  });

  it(`ends a member whose socket holds more than ${DIRECT_BUFFER_BYTES} bytes, not one at the limit`, async () => {
    const delivery = new DirectDelivery();
    const at = member('q', 'a', [], () => DIRECT_BUFFER_BYTES);
    const over = member('q', 'b', [], () => DIRECT_BUFFER_BYTES + 1);
    delivery.enqueue(event(1), at.state);
    delivery.enqueue(event(1), over.state);
    await written(delivery, 2);
    expect(at.overflows()).toBe(0);
    expect(over.overflows()).toBe(1);
  });

  it('masks errors once for the group', async () => {
    const delivery = new DirectDelivery();
    const a = member('q', 'a', []);
    a.state.target.run = () => ({ data: null, errors: [new GraphQLError('boom')] });
    delivery.enqueue(event(1), a.state);
    await written(delivery, 1);
    expect(JSON.parse(a.frames[0] as string).payload.errors[0].message).toBe('masked: boom');
  });
});
