// Live queries: `query … @live` answered again whenever the story log changes what it reads. The
// same invalidation as the response cache decides (live/response-cache.ts): an answer is tagged
// with the entity types, or the entity IDs, it reads, and each batch of committed events the
// feed reads marks the live queries it touches. Identical live queries (document, operation,
// variables, role, transport) form a group: the group runs once per change, serializes once, and
// writes the same bytes to every member's socket as that protocol's own `next` frame, as
// subscriptions do (live/direct.ts). A member is sent a result only when it differs from the last
// one it got, and every result carries the `storyCursor` it was computed at.
import type { ExecutionResult } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { ErrorCode, userError } from '../core/errors.ts';
import type { StoryEvent } from '../generated/prisma/client.ts';
import { runAt } from '../infra/timers.ts';
import { DIRECT_BUFFER_BYTES } from './direct.ts';
import { encodeEventCursor } from './events.ts';
import type { StoryFeed } from './feed.ts';
import { eventTags } from './response-cache.ts';
import type { LiveStream } from './streams.ts';

/** The longest `@live(throttle:)` honoured, in ms: larger values are clamped to it. */
export const MAX_LIVE_THROTTLE_MS = 60_000;

/** `@live(throttle:)` as honoured: between 0 and {@link MAX_LIVE_THROTTLE_MS}, 0 if absent. */
export function clampThrottle(throttle: unknown): number {
  if (typeof throttle !== 'number' || !Number.isFinite(throttle)) return 0;
  return Math.min(MAX_LIVE_THROTTLE_MS, Math.max(0, Math.round(throttle)));
}

/** What a group needs to answer its query again. */
export interface LiveQuery {
  /** Document, operation, variables, role and transport. */
  key: string;
  /** Least time between two runs of the group, in ms (already clamped). */
  throttleMs: number;
  /** Executes the query once more, with a fresh context. */
  execute(): Promise<ExecutionResult> | ExecutionResult;
  /** The tags of an answer (response-cache.ts `answerTags`). */
  tags(data: unknown): readonly string[];
  /**
   * When the viewer's token stops being valid (ms since epoch): the live query then ends with
   * UNAUTHENTICATED, as a subscription does, on every transport.
   */
  expiresAt?: number;
}

/** Results a member without a stream may leave untaken before it is ended as too slow. */
const ITERATOR_LIMIT = 100;

interface Member {
  /** The socket or SSE response results are written to; without one, its iterator carries them. */
  stream?: Pick<LiveStream, 'next' | 'buffered' | 'mask'>;
  /** Hands a result to its iterator (without a stream). */
  push(result: ExecutionResult): void;
  /** Results handed to its iterator and not yet taken. */
  queued: number;
  /** The last payload written to it. */
  sent?: string;
  /** Ends its iterator, with a last error result when one is given. */
  end(error?: ExecutionResult): void;
}

/** One result of a group, in the forms its members take it. */
interface Written {
  /** With its cursor; errors masked as the group's transport masks them. */
  result: ExecutionResult;
  /** `result` serialized, as a stream member is written. */
  payload: string;
  /** What members compare: its data and errors, without the cursor. */
  body: string;
}

interface Group {
  query: LiveQuery;
  members: Set<Member>;
  tags: readonly string[];
  /** The last result, once a run finished. */
  last?: Written;
  /** Touched by an event since its last run started. */
  stale: boolean;
  running: boolean;
  /** When its last run started (performance.now()). */
  ranAt: number;
  timer?: NodeJS.Timeout;
  /** Events read while it ran, by tag: checked against the new answer's tags afterwards. */
  during?: Set<string> | 'all';
}

/** The live queries of one instance, kept current by its feed. */
export class LiveQueries {
  readonly #groups = new Map<string, Group>();
  readonly #tagged = new Map<string, Set<Group>>();
  readonly #running = new Set<Group>();
  readonly #unfollow: () => void;
  /** Results written to sockets, for the metrics. */
  written = 0;
  /** Group runs (one per change a group saw, throttled). */
  runs = 0;

  constructor(private readonly feed: StoryFeed) {
    this.#unfollow = feed.follow((events) => this.#touched(events));
  }

  /** Live queries open on this instance. */
  get members(): number {
    let count = 0;
    for (const group of this.#groups.values()) count += group.members.size;
    return count;
  }

  /**
   * Joins the group of `query`. With a `stream`, the returned iterator yields nothing while the
   * query is live (results are written to the stream); without one (Yoga's SSE or multipart
   * response in process) it yields each result. It ends when the client completes the operation
   * (or leaves), or with one error result if the client falls too far behind.
   */
  join(query: LiveQuery, stream: Member['stream']): AsyncIterable<ExecutionResult> {
    return new Repeater<ExecutionResult>(async (push, stop) => {
      let group = this.#groups.get(query.key);
      if (!group) {
        group = { query, members: new Set(), tags: [], stale: true, running: false, ranAt: 0 };
        this.#groups.set(query.key, group);
      }
      const member: Member = {
        stream,
        queued: 0,
        push: (result) => {
          member.queued += 1;
          void push(result).then(() => {
            member.queued -= 1;
          });
        },
        end: (error) => {
          if (error) void push(error);
          stop();
        },
      };
      group.members.add(member);
      const expiry =
        query.expiresAt === undefined
          ? undefined
          : runAt(query.expiresAt, () => member.end(expired()));
      // A group that is current answers a newcomer at once; otherwise its next run does.
      if (group.last && !group.stale && !group.running) {
        const { last } = group;
        setImmediate(() => this.#write(member, last));
      } else this.#schedule(group);
      await stop;
      expiry?.();
      this.#leave(group, member);
    });
  }

  /** Stops following the feed and ends every live query. */
  close(): void {
    this.#unfollow();
    for (const group of this.#groups.values())
      for (const member of group.members) member.end(shutdown());
  }

  #leave(group: Group, member: Member): void {
    group.members.delete(member);
    if (group.members.size > 0 || this.#groups.get(group.query.key) !== group) return;
    this.#groups.delete(group.query.key);
    clearTimeout(group.timer);
    this.#index(group, []);
  }

  /** Marks every group a batch of events can have changed, and schedules its next run. */
  #touched(events: readonly StoryEvent[]): void {
    if (this.#groups.size === 0) return;
    const tags = new Set<string>();
    let all = false;
    for (const event of events) {
      const found = eventTags(event);
      if (found === 'all') all = true;
      else for (const tag of found) tags.add(tag);
    }
    for (const group of this.#running) {
      if (all || group.during === 'all') group.during = 'all';
      else {
        const during = group.during ?? new Set<string>();
        for (const tag of tags) during.add(tag);
        group.during = during;
      }
    }
    const touched = new Set<Group>();
    if (all) for (const group of this.#groups.values()) touched.add(group);
    else
      for (const tag of tags) for (const group of this.#tagged.get(tag) ?? []) touched.add(group);
    for (const group of touched) {
      group.stale = true;
      this.#schedule(group);
    }
  }

  /**
   * Runs the group now, or when its throttle allows. Runs of one group never overlap: one
   * touched while it runs runs again after. The first change after a quiet spell runs at once
   * (on the next turn of the event loop, so one batch of events gives one run).
   */
  #schedule(group: Group): void {
    if (group.running || group.timer) return;
    const wait = group.ranAt + group.query.throttleMs - performance.now();
    group.timer = setTimeout(
      () => {
        group.timer = undefined;
        void this.#run(group);
      },
      Math.max(0, wait),
    );
  }

  async #run(group: Group): Promise<void> {
    if (group.members.size === 0 || this.#groups.get(group.query.key) !== group) return;
    group.running = true;
    group.stale = false;
    group.during = undefined;
    group.ranAt = performance.now();
    this.#running.add(group);
    this.runs += 1;
    // Read before the data, as the story-cursor plugin does: every event up to here is already
    // in the rows the query reads, so the answer reflects at least this position.
    const cursor = encodeEventCursor(this.feed.head);
    let result: ExecutionResult | undefined;
    try {
      result = await group.query.execute();
    } catch {
      result = undefined;
    }
    this.#running.delete(group);
    group.running = false;
    const first: Member | undefined = group.members.values().next().value;
    if (!result || !first) {
      // The execution itself failed (not a field error): end the members rather than leave
      // them believing their last result is current.
      for (const member of group.members) member.end(failed());
      return;
    }
    const tags = group.query.tags(result.data);
    this.#index(group, tags);
    // Written by #touched while this run awaited its result.
    const during = group.during as Set<string> | 'all' | undefined;
    group.during = undefined;
    if (during === 'all' || (during && tags.some((tag) => during.has(tag)))) group.stale = true;
    // A stream's errors are masked here, as its transport masks them; Yoga masks its own.
    const { stream } = first;
    const masked =
      result.errors && stream
        ? { ...result, errors: result.errors.map((error) => stream.mask(error)) }
        : result;
    const withCursor = { ...masked, extensions: { ...masked.extensions, storyCursor: cursor } };
    const written: Written = {
      result: withCursor,
      payload: stream ? JSON.stringify(withCursor) : '',
      // Compared without the cursor: a member is sent a result when its data changed.
      body: JSON.stringify([masked.data, masked.errors]),
    };
    group.last = written;
    for (const member of group.members) this.#write(member, written);
    if (group.stale) this.#schedule(group);
  }

  /** Writes a result to a member unless it is what the member was last sent. */
  #write(member: Member, written: Written): void {
    if (written.body === member.sent) return;
    member.sent = written.body;
    this.written += 1;
    if (member.stream) {
      member.stream.next(written.payload);
      if (member.stream.buffered() > DIRECT_BUFFER_BYTES) member.end(slow());
    } else {
      member.push(written.result);
      if (member.queued > ITERATOR_LIMIT) member.end(slow());
    }
  }

  /** Files the group under its answer's tags, and under no others. */
  #index(group: Group, tags: readonly string[]): void {
    for (const tag of group.tags) {
      const set = this.#tagged.get(tag);
      set?.delete(group);
      if (set?.size === 0) this.#tagged.delete(tag);
    }
    group.tags = tags;
    for (const tag of tags) {
      let set = this.#tagged.get(tag);
      if (!set) {
        set = new Set();
        this.#tagged.set(tag, set);
      }
      set.add(group);
    }
  }
}

const slow = (): ExecutionResult => ({
  errors: [
    userError(
      ErrorCode.SLOW_CONSUMER,
      'This live query fell too far behind its results and was ended; start it again.',
    ),
  ],
});

const failed = (): ExecutionResult => ({
  errors: [
    userError(
      ErrorCode.SERVICE_UNAVAILABLE,
      'This live query could not be answered again and was ended; start it again shortly.',
    ),
  ],
});

const expired = (): ExecutionResult => ({
  errors: [
    userError(
      ErrorCode.UNAUTHENTICATED,
      'The token expired. Start the live query again with a new token.',
      { reason: 'expired' },
    ),
  ],
});

const shutdown = (): ExecutionResult => ({
  errors: [
    userError(
      ErrorCode.SERVICE_UNAVAILABLE,
      'This instance is shutting down; start the live query again on another.',
    ),
  ],
});
