// Where in the log an `asOf` read stands: a position named by a feed cursor, a sequence number or
// a time, checked against the head. Every refusal is BAD_USER_INPUT and carries the head, so a
// client that asked for too much learns at once how far it may go.
import { badInput } from '../../core/errors.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';

/** A point of the log as a client gives it: exactly one of the three. */
export interface StoryPoint {
  cursor?: string | null;
  sequence?: number | null;
  time?: Date | null;
}

/** The head of the log, as refusals report it in `extensions.head`. */
export interface HeadInfo {
  /** The last committed event: 0 while the log is empty. */
  sequence: number;
  /** The feed cursor of that position. */
  cursor: string;
}

/** How the feed writes and reads its cursors (live/events.ts), handed in from above. */
export interface PointCursors {
  encode(sequence: number): string;
  /** Throws for anything that is not a cursor. */
  decode(cursor: string): number;
}

/** A resolved point: the position to read, and the head it was checked against. */
export interface Position {
  sequence: number;
  head: HeadInfo;
}

const POINT_FIELDS = ['cursor', 'sequence', 'time'] as const;

const oneField = (point: StoryPoint) => POINT_FIELDS.filter((f) => point[f] != null).length === 1;

/** The sequence a cursor or sequence point names, or null when it names none (checked below). */
function namedSequence(point: StoryPoint, cursors: PointCursors): number | null {
  if (point.sequence != null) return point.sequence;
  if (point.cursor == null) return null;
  try {
    return cursors.decode(point.cursor);
  } catch {
    return null;
  }
}

/**
 * The position a point names. Refuses, with the head in `extensions.head`: none or several of
 * the three fields, a malformed cursor, a negative sequence, a position past the head. A time
 * before the first event is position 0, the empty story.
 */
export async function positionOf(
  db: PrismaClient,
  point: StoryPoint,
  cursors: PointCursors,
  /** A head the caller knows is committed (the instance feed's): a point at or below it needs no read. */
  knownHead = 0,
): Promise<Position> {
  const named = point.time == null ? namedSequence(point, cursors) : null;
  if (named !== null && named >= 0 && named <= knownHead && oneField(point)) {
    return { sequence: named, head: { sequence: knownHead, cursor: cursors.encode(knownHead) } };
  }
  const stored = await db.storyHead.findUnique({ where: { id: 1 } });
  const headSequence = stored?.sequence ?? 0;
  const head: HeadInfo = { sequence: headSequence, cursor: cursors.encode(headSequence) };
  const refuse = (message: string, extensions: Record<string, unknown> = {}) =>
    badInput(message, { argument: 'point', ...extensions, head });

  const given = POINT_FIELDS.filter((field) => point[field] != null);
  if (given.length !== 1) {
    throw refuse(
      `"point" takes exactly one of "cursor", "sequence" and "time"; ${given.length === 0 ? 'none was' : `${given.join(' and ')} were`} given.`,
    );
  }
  if (point.time != null) {
    if (point.time.getTime() >= Date.now() || headSequence === 0) {
      // Nothing can have committed after now: the head, read once, is the answer.
      return { sequence: headSequence, head };
    }
    const last = await db.storyEvent.findFirst({
      where: { occurredAt: { lte: point.time }, sequence: { lte: headSequence } },
      orderBy: { sequence: 'desc' },
      select: { sequence: true },
    });
    return { sequence: last?.sequence ?? 0, head };
  }
  let sequence: number;
  if (point.cursor != null) {
    try {
      sequence = cursors.decode(point.cursor);
    } catch {
      throw refuse(`"${point.cursor}" is not a story event cursor.`, { cursor: point.cursor });
    }
  } else {
    sequence = point.sequence as number;
    if (sequence < 0) throw refuse('"sequence" must be 0 or more.');
  }
  if (sequence > headSequence) {
    throw refuse(`Position ${sequence} is past the head of the log (${headSequence}).`);
  }
  return { sequence, head };
}
