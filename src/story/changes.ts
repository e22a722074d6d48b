import type { Viewer } from '../core/auth.ts';
import { ErrorCode, userError } from '../core/errors.ts';
import type { Prisma, PrismaClient, StoryEventKind } from '../generated/prisma/client.ts';
import type { NodeType } from './global-id.ts';
import { encodeGlobalId } from './global-id.ts';

/** A Prisma transaction client. */
export type Tx = Prisma.TransactionClient;

/** One field's change, as the feed reports it. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** What a mutation tells the log about one change. */
export interface ChangeRecord {
  kind: StoryEventKind;
  /** A finer label such as `SUMMIT_RESCHEDULED`, when one applies. */
  label?: string | null;
  entityType: NodeType;
  entityId: number;
  entityVersion: number;
  changes?: FieldChange[];
  /** Global IDs of what the entity is linked to; the entity's own ID is added. */
  relatedIds?: string[];
  /**
   * What the diffs leave out and the as-of fold needs (story/as-of/fold.ts): a mention's spans, a
   * claim's evidence and participants, an article's analysis. Stored, not shown in the feed.
   */
  detail?: unknown;
}

/**
 * Who writes, and where the commit is announced: a request's GraphQL context is one. Without a
 * pub/sub (the seed, before any server runs) nobody is listening, and the poll would catch up.
 */
export interface Writer {
  viewer: Viewer;
  /** The database the write goes to: the app's own. */
  db: PrismaClient;
  /** Told each committed head, to wake readers (the instance's pub/sub, `live/pubsub.ts`). */
  pubsub?: { announceCommit(sequence: number): void };
  /** The last sequence this writer committed: a request answers with it as its `storyCursor`. */
  committed?: number;
}

/** After a commit: remembers its last sequence on the writer and wakes readers everywhere. */
export function committed(writer: Writer, sequence: number): void {
  writer.committed = Math.max(writer.committed ?? 0, sequence);
  writer.pubsub?.announceCommit(sequence);
}

/** The writer's handle inside {@link writeChange}: adds an event to what the write will log. */
export type Recorder = (record: ChangeRecord) => Promise<void>;

/** What an event lists as related: the entity itself first, then its links, each once. */
export function eventRelatedIds(change: ChangeRecord): string[] {
  return [
    ...new Set([encodeGlobalId(change.entityType, change.entityId), ...(change.relatedIds ?? [])]),
  ];
}

/**
 * Moves the head by $1 and inserts the events ($2, JSON) numbered after the old head, by $3; an
 * event's `detail`, when it has one, goes to `StoryEventDetail` under the same number.
 */
const APPEND_EVENTS = `
WITH head AS (
  UPDATE "StoryHead" SET sequence = sequence + $1::int WHERE id = 1 RETURNING sequence - $1::int AS base
), rows AS (
  SELECT head.base + e.n AS sequence, e.* FROM head, jsonb_to_recordset($2::jsonb) AS e(
    n int, kind text, label text, "entityType" text, "entityId" int, "entityVersion" int,
    changes jsonb, related jsonb, detail jsonb
  )
), details AS (
  INSERT INTO "StoryEventDetail" (sequence, detail)
  SELECT sequence, detail FROM rows WHERE detail IS NOT NULL
)
INSERT INTO "StoryEvent"
  (sequence, kind, label, "entityType", "entityId", "entityVersion", changes, "relatedIds", "actorRole")
SELECT sequence, kind::"StoryEventKind", label, "entityType", "entityId", "entityVersion", changes,
  ARRAY(SELECT jsonb_array_elements_text(related)), $3
FROM rows
RETURNING sequence`;

/**
 * Runs `work` in one transaction that also appends its story events, then announces the commit.
 *
 * `work` changes rows and describes its events; only then does the transaction lock the single
 * `StoryHead` row, number the events, insert them and move the head, and commit. Writers take
 * turns only for those last statements, so editors of different records work in parallel, while
 * (1) sequence numbers are handed out without gaps and (2) become visible in order: the head stays
 * locked until the commit, so a later number can never commit before an earlier one. The head is
 * always the last lock a write takes, so writers can not deadlock on it. Version checks do not
 * rely on it: an update applies only if the row is still at the version it was read at.
 * If `work` throws, nothing is written: no row change, no event.
 */
export async function writeChange<T>(
  writer: Writer,
  work: (tx: Tx, record: Recorder) => Promise<T>,
): Promise<{ result: T; events: { sequence: number }[] }> {
  const outcome = await writer.db.$transaction(
    async (tx) => {
      const pending: ChangeRecord[] = [];
      const result = await work(tx, async (change) => {
        pending.push(change);
      });
      if (pending.length === 0) return { result, events: [] };
      // One statement numbers and stores the events: moving the head row locks it until the
      // commit (so numbers commit in order, without gaps), and the events are inserted with the
      // numbers the move handed out.
      const rows = pending.map((change, index) => ({
        n: index + 1,
        kind: change.kind,
        label: change.label ?? null,
        entityType: change.entityType,
        entityId: change.entityId,
        entityVersion: change.entityVersion,
        changes: change.changes ?? [],
        related: eventRelatedIds(change),
        detail: change.detail ?? null,
      }));
      const events = await tx.$queryRawUnsafe<{ sequence: number }[]>(
        APPEND_EVENTS,
        pending.length,
        JSON.stringify(rows),
        writer.viewer.role,
      );
      if (events.length !== pending.length) {
        throw new Error('StoryHead row is missing: run the migrations.');
      }
      return { result, events: events.sort((a, b) => a.sequence - b.sequence) };
    },
    { timeout: 15_000, maxWait: 15_000 },
  );
  const last = outcome.events.at(-1);
  // Only after commit: a reader woken now (here, or on another instance) will find the rows.
  if (last) committed(writer, last.sequence);
  return outcome;
}

/** Compares two versions of a record on `fields`, in that order, for the event's `changes`. */
export function diffFields<T extends object>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const a = toJson(before[field]);
    const b = toJson(after[field]);
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ field, before: a, after: b });
  }
  return changes;
}

function toJson(value: unknown): unknown {
  if (value instanceof Date) {
    const iso = value.toISOString();
    // Calendar dates are stored at midnight UTC; report them as dates, like the API does.
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  return value ?? null;
}

/** Refuses an update whose `expectedVersion` is not the record's current version. */
export function checkVersion(
  typename: string,
  current: { version: number },
  expected: number,
): void {
  if (current.version !== expected) throw conflict(typename, current.version, expected);
}

/** The CONFLICT of a write based on a version that is no longer current. */
export function conflict(typename: string, current: number | null, expected: number) {
  return userError(
    ErrorCode.CONFLICT,
    current === null
      ? `The ${typename} changed while this write was applied: re-read it and try again.`
      : `The ${typename} is at version ${current}, not ${expected}: someone changed it first. Re-read it and try again.`,
    { currentVersion: current, expectedVersion: expected },
  );
}

/** The error for an ID that names nothing (or something deleted meanwhile). */
export function notFound(typename: string, id: string): never {
  throw userError(ErrorCode.NOT_FOUND, `No ${typename} has the ID ${id}.`, { id });
}
