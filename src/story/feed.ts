import { db } from '../db.ts';
import { badInput, ErrorCode, userError } from '../errors.ts';
import type { Prisma, StoryEvent, StoryEventKind } from '../generated/prisma/client.ts';
import type { StoryPubSub } from '../pubsub.ts';
import { onCommit } from './changes.ts';

/** Which events a reader wants. Every condition given must hold. */
export interface EventFilter {
  /** Only events about one of these entities. */
  entities?: { type: string; id: number }[];
  /** Only events about entities of these types (`Leader`, `Summit`, …). */
  types?: string[];
  kinds?: StoryEventKind[];
  /** Only events about this entity or anything linked to it (a global ID). */
  mentioning?: string;
}

/** The SQL side of {@link matches}: events after `after` that pass `filter`. */
export function eventWhere(
  filter: EventFilter,
  after: number,
  before?: number,
): Prisma.StoryEventWhereInput {
  const where: Prisma.StoryEventWhereInput[] = [
    { sequence: { gt: after, ...(before !== undefined ? { lt: before } : {}) } },
  ];
  if (filter.entities) {
    where.push({
      OR: filter.entities.map((entity) => ({ entityType: entity.type, entityId: entity.id })),
    });
  }
  if (filter.types) where.push({ entityType: { in: filter.types } });
  if (filter.kinds) where.push({ kind: { in: filter.kinds } });
  if (filter.mentioning) where.push({ relatedIds: { has: filter.mentioning } });
  return { AND: where };
}

/** The in-memory side of {@link eventWhere}; the two must agree. */
export function matches(event: StoryEvent, filter: EventFilter): boolean {
  if (
    filter.entities &&
    !filter.entities.some((e) => e.type === event.entityType && e.id === event.entityId)
  ) {
    return false;
  }
  if (filter.types && !filter.types.includes(event.entityType)) return false;
  if (filter.kinds && !filter.kinds.includes(event.kind)) return false;
  if (filter.mentioning && !event.relatedIds.includes(filter.mentioning)) return false;
  return true;
}

/** Opaque cursor of a log position. */
export function encodeEventCursor(sequence: number): string {
  return Buffer.from(`storyEvent:${sequence}`, 'utf8').toString('base64');
}

/** Reads a cursor from {@link encodeEventCursor}; `BAD_USER_INPUT` for anything else. */
export function decodeEventCursor(cursor: string): number {
  const match = /^storyEvent:(0|[1-9][0-9]{0,9})$/.exec(
    Buffer.from(cursor, 'base64').toString('utf8'),
  );
  if (!match || Number(match[1]) > 2_147_483_647) {
    throw badInput(`"${cursor}" is not a story event cursor.`, { cursor });
  }
  return Number(match[1]);
}

/** The cursor before the first event: resuming after it replays the whole log. */
export const START_CURSOR = encodeEventCursor(0);

/** Options of one subscription to the feed. */
export interface FeedSubscriptionOptions {
  /** Replay every matching event after this sequence, then go live. Default: only new events. */
  after?: number;
  filter?: EventFilter;
}

type Listener = (events: StoryEvent[]) => void;

const PAGE = 500;

/**
 * The change feed of one server instance. One reader per instance follows the event log and hands
 * new events to every live subscription in memory, so a commit costs one query per instance, not
 * one per subscriber. It reads when woken (a local commit, a pub/sub message from another
 * instance, Redis coming back) and also every `pollMs`, so a lost wake-up only delays delivery.
 */
export class StoryFeed {
  #head = 0;
  #headKnown = false;
  #listeners = new Set<Listener>();
  #reading = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stops: (() => void)[] = [];
  #started: Promise<void> | undefined;
  #stopped = false;
  #closers = new Set<() => void>();
  #positions = new Map<Listener, () => number>();
  /** Subscriptions ended because their client fell too far behind. */
  overflowed = 0;
  /** Events handed to subscriptions so far (one per subscription per event). */
  delivered = 0;

  constructor(
    private readonly options: {
      pubsub: StoryPubSub;
      /** How often to look at the log without a wake-up. @default 2000 */
      pollMs?: number;
      /** Events one subscription may have waiting before it is ended. @default 1000 */
      bufferCap?: number;
    },
  ) {}

  /** The last sequence handed to live subscriptions. */
  get head(): number {
    return this.#head;
  }

  /** Live subscriptions on this instance. */
  get subscribers(): number {
    return this.#listeners.size;
  }

  /** How far the furthest-behind subscription is behind the head, in events. */
  get maxLag(): number {
    let lag = 0;
    for (const position of this.#positions.values()) lag = Math.max(lag, this.#head - position());
    return lag;
  }

  /** Reads the log's head and starts listening; idempotent. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      // The database may not be ready yet (a replica started before the migration): the poll
      // keeps trying, and /ready says why meanwhile.
      await this.#readHead().catch(() => {});
      this.#stops.push(onCommit(() => this.wake()));
      const { pubsub } = this.options;
      const wakeups = pubsub.pubsub.subscribe('story:committed');
      this.#stops.push(() => void wakeups.return?.());
      void (async () => {
        for await (const _sequence of wakeups) this.wake();
      })();
      pubsub.onReconnect(() => this.wake());
      this.#timer = setInterval(() => this.wake(), this.options.pollMs ?? 2000);
      this.#timer.unref();
    })();
    return this.#started;
  }

  /**
   * Stops reading and completes every open subscription, so that SSE streams and WebSocket
   * subscriptions end cleanly on shutdown.
   */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const stop of this.#stops) stop();
    for (const close of this.#closers) close();
  }

  /** Asks the reader to look at the log now. Calls during a read make it read once more. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    void this.#read().finally(() => {
      this.#reading = false;
    });
  }

  /** Learns where the log ends, without delivering anything: new subscribers start there. */
  async #readHead(): Promise<void> {
    if (this.#headKnown) return;
    const last = await db.storyEvent.findFirst({
      orderBy: { sequence: 'desc' },
      select: { sequence: true },
    });
    this.#head = last?.sequence ?? 0;
    this.#headKnown = true;
  }

  async #read(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#readHead();
        for (;;) {
          const events = await db.storyEvent.findMany({
            where: { sequence: { gt: this.#head } },
            orderBy: { sequence: 'asc' },
            take: PAGE,
          });
          if (events.length === 0) break;
          this.#head = (events.at(-1) as StoryEvent).sequence;
          for (const listener of this.#listeners) listener(events);
          if (events.length < PAGE) break;
        }
      } catch {
        // The database is unreachable for now; the next wake-up or poll tries again.
      }
    } while (this.#again && !this.#stopped);
  }

  /**
   * Events after `options.after` (replayed from the log), then live ones, each exactly once and in
   * sequence order. The listener is registered before the replay starts, so nothing committed
   * in between is missed, and anything seen twice is dropped by sequence.
   */
  subscribe(options: FeedSubscriptionOptions = {}): AsyncIterableIterator<StoryEvent> {
    const filter = options.filter ?? {};
    const cap = this.options.bufferCap ?? 1000;
    const state = { closed: false, wake: () => {} };
    const queue: StoryEvent[] = [];
    let overflow = false;
    const listener: Listener = (events) => {
      if (overflow) return;
      for (const event of events) if (matches(event, filter)) queue.push(event);
      if (queue.length > cap) {
        // Keep memory bounded: drop what is waiting and tell the client to resume from the log.
        overflow = true;
        queue.length = 0;
        this.overflowed += 1;
      }
      state.wake();
    };
    const feed = this;
    // An async generator waiting for the next event can not be returned from the outside until
    // it yields again; closing wakes it so an unsubscribe frees the listener at once.
    function close() {
      state.closed = true;
      state.wake();
      feed.#closers.delete(close);
    }

    async function* run(): AsyncGenerator<StoryEvent> {
      await feed.start();
      await feed.#readHead();
      feed.#listeners.add(listener);
      let last = options.after ?? feed.#head;
      feed.#positions.set(listener, () => last);
      try {
        // Replay: page through the log until caught up. Pulled by the client, so never buffered.
        for (;;) {
          const page = await db.storyEvent.findMany({
            where: eventWhere(filter, last),
            orderBy: { sequence: 'asc' },
            take: PAGE,
          });
          for (const event of page) {
            if (state.closed) return;
            feed.delivered += 1;
            yield event;
            last = event.sequence;
          }
          if (page.length < PAGE) break;
        }
        // Live.
        while (!state.closed) {
          if (overflow) {
            throw userError(
              ErrorCode.SLOW_CONSUMER,
              `This subscription fell more than ${cap} events behind and was ended. Subscribe again with after: "${encodeEventCursor(last)}" to resume without a gap.`,
              { resumeAfter: encodeEventCursor(last) },
            );
          }
          const event = queue.shift();
          if (event) {
            if (event.sequence <= last) continue;
            feed.delivered += 1;
            yield event;
            last = event.sequence;
            continue;
          }
          await new Promise<void>((resolve) => {
            state.wake = resolve;
          });
        }
      } finally {
        feed.#listeners.delete(listener);
        feed.#positions.delete(listener);
        feed.#closers.delete(close);
      }
    }

    const generator = run();
    this.#closers.add(close);
    return {
      next: () => generator.next(),
      return: (value?: unknown) => {
        close();
        return generator.return(value as undefined);
      },
      throw: (error?: unknown) => {
        close();
        return generator.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
