// Live events to subscribers as frame writes. Subscriptions with the same document, variables,
// role and transport form a group: each event is executed once for the group, serialized once,
// and each member gets the bytes in its own framing (its graphql-ws operation id, or an SSE
// event), written straight to its socket. No per-subscriber iterator, hook pass or
// JSON.stringify stands between an event and the socket. The frames are the protocols' own
// `next` messages, so nothing changes on the wire; subscribing, completing, errors and the end of
// a subscription still go through graphql-ws or Yoga's SSE response.
import type { ExecutionResult } from 'graphql';
import type { StoryEvent } from '../generated/prisma/client.ts';
import type { LiveStream } from './streams.ts';

/** Bytes a socket may hold unsent before its live subscriptions end with SLOW_CONSUMER. */
export const DIRECT_BUFFER_BYTES = 8 * 1024 * 1024;

/** One subscription, as its group delivers to it: its stream, and how to run its operation. */
export interface DirectTarget
  extends Pick<LiveStream, 'next' | 'buffered' | 'mask' | 'followsIterator'> {
  /** The group: document, operation, variables, role and transport. */
  key: string;
  /** Executes the group's operation for one event (results are shared across the group). */
  run(event: StoryEvent): Promise<ExecutionResult> | ExecutionResult;
}

/** A target while it is live: what it was last sent, and what to do when it falls behind. */
export interface Member {
  target: DirectTarget;
  /** The sequence of the last event written to the socket. */
  written: number;
  closed: boolean;
  /** Called once the socket holds more than {@link DIRECT_BUFFER_BYTES}. */
  overflow(): void;
}

interface Entry {
  event: StoryEvent;
  members: Member[];
}

interface Group {
  /** Events waiting to be executed and written, by event object (shared by every listener). */
  pending: Map<StoryEvent, Entry>;
  /** Entries run one after another, so each member's frames go out in sequence order. */
  tail: Promise<void>;
}

/** The groups of one feed. */
export class DirectDelivery {
  #groups = new Map<string, Group>();
  /** Frames written, for the metrics. */
  written = 0;

  /**
   * Queues `event` for `member`. The feed calls this for every live member in one synchronous
   * pass over a batch, so the members of a group join the same entry and the event is executed
   * and serialized once for all of them.
   */
  enqueue(event: StoryEvent, member: Member): void {
    let group = this.#groups.get(member.target.key);
    if (!group) {
      group = { pending: new Map(), tail: Promise.resolve() };
      this.#groups.set(member.target.key, group);
    }
    const entry = group.pending.get(event);
    if (entry) {
      entry.members.push(member);
      return;
    }
    const created: Entry = { event, members: [member] };
    group.pending.set(event, created);
    const current = group;
    current.tail = current.tail.then(() => this.#deliver(member.target.key, current, created));
  }

  async #deliver(key: string, group: Group, entry: Entry): Promise<void> {
    group.pending.delete(entry.event);
    const live = entry.members.filter((member) => !member.closed);
    const first = live[0];
    if (first) {
      const payload = await this.#payload(first.target, entry.event).catch(() => undefined);
      const sequence = entry.event.sequence;
      for (const member of live) {
        if (member.closed) continue;
        if (payload === undefined) {
          // The execution itself failed (not a field error): end the member as falling behind
          // would, with the cursor to resume from, rather than skip the event silently.
          member.overflow();
          continue;
        }
        member.target.next(payload);
        member.written = sequence;
        this.written += 1;
        if (member.target.buffered() > DIRECT_BUFFER_BYTES) member.overflow();
      }
    }
    if (group.pending.size === 0 && this.#groups.get(key) === group) {
      // Nothing else queued: let the group go once its last entry is done.
      void group.tail.then(() => {
        if (group.pending.size === 0 && this.#groups.get(key) === group) this.#groups.delete(key);
      });
    }
  }

  /** The group's result for an event, masked and serialized once. */
  async #payload(target: DirectTarget, event: StoryEvent): Promise<string> {
    const result = await target.run(event);
    const masked = result.errors
      ? { ...result, errors: result.errors.map((error) => target.mask(error)) }
      : result;
    return JSON.stringify(masked);
  }
}
