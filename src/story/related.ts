import type { Tx } from './changes.ts';
import { encodeGlobalId } from './global-id.ts';
import { ENTITIES, modelOf, type NodeType } from './registry.ts';

type Row = Record<string, unknown>;

/**
 * Global IDs of everything linked to an entity right now, in the order its registry entry lists
 * its links. Stored on each event so that a reader following a leader also hears of changes to the
 * articles, summits and bodies linked to them. One statement, whatever the type.
 */
export async function relatedIds(tx: Tx, type: NodeType, id: number): Promise<string[]> {
  const links = ENTITIES[type].related;
  const select: Row = {};
  for (const link of links) {
    select[link.via ?? link.column] = link.via ? { select: { [link.column]: true } } : true;
  }
  const model = modelOf<{ findUnique(args: object): Promise<Row | null> }>(tx, type);
  const row = await model.findUnique({ where: { id }, select });
  if (!row) return [];
  return links.flatMap((link) => {
    const values = link.via
      ? (row[link.via] as Row[]).map((r) => r[link.column])
      : [row[link.column]];
    return values
      .filter((value) => value != null)
      .map((value) => encodeGlobalId(link.type, value as number));
  });
}
