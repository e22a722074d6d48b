// Where `asOf` gets the story at a position: story/as-of/fold.ts replays the log from the nearest
// checkpoint. One per database client, so every request of an instance shares its cache.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { type StoryAsOf, tablesFromDatabase } from './tables.ts';

/**
 * The story as it stood once event `sequence` had committed (0: before the first event).
 * The caller has checked that `sequence` is within the log (0 ≤ sequence ≤ head).
 */
export async function storyAsOf(db: PrismaClient, sequence: number): Promise<StoryAsOf> {
  // Placeholder until the fold lands: answers at the head only.
  const head = await db.storyHead.findUnique({ where: { id: 1 } });
  if (sequence !== (head?.sequence ?? 0)) throw new Error('asOf below the head is not built yet');
  const last = await db.storyEvent.findUnique({ where: { sequence } });
  return { sequence, occurredAt: last?.occurredAt ?? null, tables: await tablesFromDatabase(db) };
}
