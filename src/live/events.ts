// What a reader of the story log asks for: filters (as SQL for replays, as a test for live events)
// and the opaque cursors of log positions.
import { badInput } from '../core/errors.ts';
import type { Prisma, StoryEvent, StoryEventKind } from '../generated/prisma/client.ts';

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
