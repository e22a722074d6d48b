import type { Tx } from './changes.ts';
import { encodeGlobalId } from './global-id.ts';
import { ENTITIES, modelOf, type NodeType } from './registry.ts';

type Row = Record<string, unknown>;

/** The list relations that hold a type's links, as Prisma `include` arguments. */
export function relatedInclude(type: NodeType): Row {
  const include: Row = {};
  for (const link of ENTITIES[type].related) {
    if (!link.via) continue;
    // Several links may read one relation (an occurrence's participants: leaders, organizations).
    const select = (include[link.via] as { select: Row } | undefined)?.select;
    include[link.via] = { select: { ...select, [link.column]: true } };
  }
  return include;
}

/**
 * Global IDs of everything a row is linked to, in the order its registry entry lists its links:
 * from its own columns and from the relations {@link relatedInclude} names.
 */
export function relatedOf(type: NodeType, row: Row): string[] {
  return ENTITIES[type].related.flatMap((link) => {
    const values = link.via
      ? ((row[link.via] as Row[] | undefined) ?? []).map((r) => r[link.column])
      : [row[link.column]];
    return values
      .filter((value) => value != null)
      .map((value) => encodeGlobalId(link.type, value as number));
  });
}

/** The row's own columns, without the relations {@link relatedInclude} added to it. */
export function withoutRelated<T extends Row>(type: NodeType, row: T): T {
  const own = { ...row };
  for (const link of ENTITIES[type].related) if (link.via) delete own[link.via];
  return own;
}

/**
 * Global IDs of everything linked to an entity right now. Stored on each event so that a reader
 * following a leader also hears of changes to the articles, summits and bodies linked to them.
 * One statement, whatever the type.
 */
export async function relatedIds(tx: Tx, type: NodeType, id: number): Promise<string[]> {
  const model = modelOf<{ findUnique(args: object): Promise<Row | null> }>(tx, type);
  const row = await model.findUnique({ where: { id }, include: relatedInclude(type) });
  return row ? relatedOf(type, row) : [];
}
