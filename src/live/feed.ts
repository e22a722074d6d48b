import { Repeater } from 'graphql-yoga';
import { ErrorCode, isDatabaseUnavailable, userError } from '../core/errors.ts';
import type { PrismaClient, StoryEvent } from '../generated/prisma/client.ts';
import { runAt } from '../infra/timers.ts';
import type { NodeType } from '../story/global-id.ts';
import { readEntity } from '../story/read-entity.ts';
import { DirectDelivery, type DirectTarget, type Member } from './direct.ts';
import { type EventFilter, encodeEventCursor, eventWhere, matches } from './events.ts';
import { HeadWaiters } from './head-waiters.ts';
import type { StoryPubSub } from './pubsub.ts';

/** Options of one subscription to the feed. */
export interface FeedSubscriptionOptions {
  /** Replay every matching event after this sequence, then go live. Default: only new events. */
  after?: number;
  filter?: EventFilter;
  /**
   * When the subscriber's token stops being valid (ms since epoch): the subscription then ends
   * with UNAUTHENTICATED and the cursor to resume from, on every transport.
   */
  expiresAt?: number;
  /**
   * A subscription's group and stream (graphql-ws or SSE): once replayed and caught up, its live
   * events are written to the socket as frames by the feed's {@link DirectDelivery}, and this
   * iterator only ends it (with the same errors and cursors as ever).
   */
  direct?: DirectTarget;
}

type Listener = (events: StoryEvent[]) => void;

const PAGE = 500;

/**
 * The change feed of one server instance. One reader per instance follows the event log and hands
 * new events to every live subscription in memory, so a commit costs one query per instance, not
 * one per subscriber. It reads when the instance's pub/sub announces a commit (its own, or another
 * instance's through Redis), when Redis comes back, and every `pollMs`, so a lost wake-up only
 * delays delivery.
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
  #entities = new WeakMap<StoryEvent, Promise<object | null>>();
  #direct = new DirectDelivery();
  /** Requests waiting for the head to reach a sequence (`storyAfter`). */
  #waiters = new HeadWaiters();
  #followers = new Set<(events: readonly StoryEvent[]) => void>();
  /** Subscriptions ended because their client fell too far behind. */
  overflowed = 0;
  /** Events handed to subscriptions through their iterators (one per subscription per event). */
  #iterated = 0;

  /** Events handed to subscriptions so far (one per subscription per event). */
  get delivered(): number {
    return this.#iterated + this.#direct.written;
  }

  /** Of those, the events written straight to sockets by their group (live/direct.ts). */
  get framesWritten(): number {
    return this.#direct.written;
  }

  constructor(
    private readonly options: {
      pubsub: StoryPubSub;
      /** The app's database, whose log the feed reads. */
      db: PrismaClient;
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

  /**
   * The entity an event is about, as it is now. Every live subscriber receives the same event
   * object, so a commit seen by a thousand subscribers is read once; the read belongs to that
   * object alone, so a later query (a new object) reads afresh and never sees a stale copy.
   */
  entityOf(event: StoryEvent): Promise<object | null> {
    let entity = this.#entities.get(event);
    if (!entity) {
      entity = readEntity(this.options.db, event.entityType as NodeType, event.entityId);
      this.#entities.set(event, entity);
    }
    return entity;
  }

  /**
   * Resolves with true once this instance has read the log up to `sequence` (asking it to read
   * now), or with false after `ms`. A request that must reflect a position waits on this: the
   * head moves only after the events up to it were read, so every write up to `sequence` has
   * reached this instance's subscribers and followers by then.
   */
  waitForHead(sequence: number, ms: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(this.#head >= sequence);
    return this.#waiters.wait(sequence, ms, this.#head, () => this.wake());
  }

  /**
   * Calls `follower` with each batch of events as the feed reads it, in the same tick the head
   * moves and before any subscription sees it (the response cache drops answers there).
   * Returns the way to stop.
   */
  follow(follower: (events: readonly StoryEvent[]) => void): () => void {
    this.#followers.add(follower);
    return () => this.#followers.delete(follower);
  }

  /** Reads the log's head and starts listening; idempotent. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      // The database may not be ready yet (a replica started before the migration): the poll
      // keeps trying, and /ready says why meanwhile.
      await this.#readHead().catch(() => {});
      if (this.#stopped) return;
      const { pubsub } = this.options;
      this.#stops.push(
        pubsub.onCommit(() => this.wake()),
        pubsub.onReconnect(() => this.wake()),
      );
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
    for (const stop of this.#stops.splice(0)) stop();
    for (const close of this.#closers) close();
    this.#waiters.stop();
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
    const last = await this.options.db.storyEvent.findFirst({
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
        this.#waiters.settle(this.#head);
        for (;;) {
          const events = await this.options.db.storyEvent.findMany({
            where: { sequence: { gt: this.#head } },
            orderBy: { sequence: 'asc' },
            take: PAGE,
          });
          if (events.length === 0) break;
          this.#head = (events.at(-1) as StoryEvent).sequence;
          for (const follower of this.#followers) follower(events);
          for (const listener of this.#listeners) listener(events);
          this.#waiters.settle(this.#head);
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
   * in between is missed, and anything seen twice is dropped by sequence. Events are pulled by
   * the client: the replay reads a page only when the last one was taken, and live events wait in
   * a queue of at most `bufferCap` before the subscription is ended with SLOW_CONSUMER.
   */
  subscribe(options: FeedSubscriptionOptions = {}): Repeater<StoryEvent> {
    const filter = options.filter ?? {};
    const cap = this.options.bufferCap ?? 1000;
    return new Repeater<StoryEvent>(async (push, stop) => {
      const queue: StoryEvent[] = [];
      let overflow = false;
      let wake = () => {};
      // Set once the subscription is live on its socket (options.direct): events go to the group.
      let member: Member | undefined;
      const listener: Listener = (events) => {
        if (overflow) return;
        if (member) {
          for (const event of events) {
            if (event.sequence <= last || !matches(event, filter)) continue;
            last = event.sequence;
            this.#direct.enqueue(event, member);
          }
          return;
        }
        for (const event of events) if (matches(event, filter)) queue.push(event);
        if (queue.length > cap) {
          // Keep memory bounded: drop what is waiting and tell the client to resume from the log.
          overflow = true;
          queue.length = 0;
          this.overflowed += 1;
        }
        wake();
      };
      let stopped = false;
      // Ends the subscription with an error. A live member stops being written to at once, so
      // nothing goes out after the cursor the error carries.
      const end = (error: unknown) => {
        if (member) member.closed = true;
        stop(error);
      };
      // On shutdown: a live member stops being written to at once, before the stream completes.
      const close = () => {
        if (member) member.closed = true;
        stop();
      };
      void stop.then(() => {
        stopped = true;
        wake();
      });
      this.#closers.add(close);
      let last = 0;
      let positioned = false;
      // Whether any event went to the client through the iterator.
      let pushed = false;
      // Where a client resumes from: the last event it was sent (queued frames do not count).
      const position = () => (member ? member.written : last);
      const cancelExpiry =
        options.expiresAt === undefined
          ? () => {}
          : runAt(options.expiresAt, () =>
              end(
                userError(
                  ErrorCode.UNAUTHENTICATED,
                  `The token expired. Subscribe again with a new token and after: "${encodeEventCursor(position())}" to resume without a gap.`,
                  { reason: 'expired', resumeAfter: encodeEventCursor(position()) },
                ),
              ),
            );
      try {
        await this.start();
        await this.#readHead();
        if (stopped) return;
        this.#listeners.add(listener);
        last = options.after ?? this.#head;
        positioned = true;
        this.#positions.set(listener, position);
        // Replay: page through the log until caught up. Without `after` there is nothing to
        // replay: the listener was added in the same tick the head was read, so every later event
        // reaches it live, and a subscription costs no query (thousands arrive at once).
        for (let more = options.after !== undefined; more; ) {
          const page = await this.options.db.storyEvent.findMany({
            where: eventWhere(filter, last),
            orderBy: { sequence: 'asc' },
            take: PAGE,
          });
          for (const event of page) {
            if (stopped) return;
            this.#iterated += 1;
            pushed = true;
            await push(event);
            last = event.sequence;
          }
          more = page.length === PAGE;
        }
        // Live.
        while (!stopped) {
          if (overflow) {
            end(
              userError(
                ErrorCode.SLOW_CONSUMER,
                `This subscription fell ${member ? 'too far' : `more than ${cap} events`} behind and was ended. Subscribe again with after: "${encodeEventCursor(position())}" to resume without a gap.`,
                { resumeAfter: encodeEventCursor(position()) },
              ),
            );
            return;
          }
          if (
            options.direct &&
            !member &&
            queue.length === 0 &&
            (options.direct.followsIterator || !pushed)
          ) {
            // Caught up: from here on the group writes this subscription's frames. Nothing can
            // slip in between: the queue is empty and the listener switches in this same tick.
            // A stream whose frames could overtake results still on their way through the
            // iterator (SSE) switches only if the iterator has carried none.
            member = {
              target: options.direct,
              written: last,
              closed: false,
              overflow: () => {
                if (overflow) return;
                overflow = true;
                this.overflowed += 1;
                wake();
              },
            };
          }
          if (member) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            continue;
          }
          const event = queue.shift();
          if (event) {
            if (event.sequence <= last) continue;
            this.#iterated += 1;
            pushed = true;
            await push(event);
            last = event.sequence;
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        // The log can not be read (the database is down or restarting). End with the cursor to
        // resume from, as SLOW_CONSUMER does, so the client can come back later without a gap.
        const resumeFrom = positioned ? position() : options.after;
        const resume =
          resumeFrom === undefined ? {} : { resumeAfter: encodeEventCursor(resumeFrom) };
        end(
          userError(
            ErrorCode.SERVICE_UNAVAILABLE,
            `The story log can not be read right now.${resume.resumeAfter ? ` Subscribe again with after: "${resume.resumeAfter}" to resume without a gap.` : ''}`,
            resume,
          ),
        );
      } finally {
        if (member) member.closed = true;
        cancelExpiry();
        this.#listeners.delete(listener);
        this.#positions.delete(listener);
        this.#closers.delete(close);
      }
    });
  }
}
