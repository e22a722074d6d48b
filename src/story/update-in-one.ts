// An update mutation in one statement. The row is read (with its links) outside any transaction;
// the update, the head's move and the event's insert are then one statement, which PostgreSQL runs
// atomically: the update applies only at the version read, so the diff, the label and the links
// computed from that read are still true when it commits, and if it does not apply nothing is
// written (CONFLICT). No BEGIN, no COMMIT, no interactive transaction: two round trips in all,
// where the general path (writeChange, kept for writes that touch several rows) needs six.
import { type FieldModel, MODELS } from '../infra/datamodel.ts';
import { committed, conflict, eventRelatedIds, type Writer } from './changes.ts';
import { checkPatch, planUpdate, type Update, type Versioned } from './entity-writes.ts';
import { idOf, type NodeType } from './global-id.ts';
import { ENTITIES, modelOf } from './registry.ts';
import { relatedInclude } from './related.ts';
import { reviseArticle } from './revise.ts';

/** The SQL type a parameter is cast to for a column (dates go through timestamp(3)). */
function sqlType(field: FieldModel): string {
  const base =
    field.kind === 'enum'
      ? `"${field.type}"`
      : ({
          String: 'text',
          Int: 'int',
          DateTime: 'timestamp(3)',
          Json: 'jsonb',
          Boolean: 'boolean',
        }[field.type] ?? 'text');
  return field.isList ? `${base}[]` : base;
}

/** A value as a parameter: dates as UTC ISO strings (the columns hold UTC), JSON as text. */
function parameter(field: FieldModel, value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (field.type === 'Json' && value !== null) return JSON.stringify(value);
  return value;
}

/** Whether a patch gives `field` a value other than the row's. */
const isNew = (value: unknown, row: object, field: string) =>
  value !== undefined && value !== (row as Record<string, unknown>)[field];

/**
 * Updates an entity in one statement; CONFLICT if `expectedVersion` is not current. A new text
 * for a type revised by it (an article's headline or body) is a revision instead.
 */
export async function updateEntity<Row extends Versioned>(
  writer: Writer,
  type: NodeType,
  update: Update,
): Promise<Row> {
  const id = idOf(type, update.id);
  const patch = checkPatch(type, update);
  const model = modelOf<{ findUnique(args: object): Promise<Row | null> }>(writer.db, type);
  const read = await model.findUnique({ where: { id }, include: relatedInclude(type) });
  const revised = ENTITIES[type].revisedBy;
  if (read && revised?.some((field) => isNew(patch[field], read, field))) {
    // A new text goes the way of reviseArticle: one transaction with its links and claims.
    const { headline, body, ...also } = patch;
    const current = read as unknown as Record<string, unknown>;
    const { article } = await reviseArticle(writer, {
      id: update.id,
      expectedVersion: update.expectedVersion ?? read.version,
      headline: headline as string | undefined,
      body: (body ?? current.body) as string,
      also,
    });
    return article as unknown as Row;
  }
  const plan = planUpdate(type, update, patch, read);
  if (!plan.event) return plan.current;
  const { current, data, event } = plan;
  const columns = MODELS.get(type) as ReadonlyMap<string, FieldModel>;
  const updatedAt = new Date();
  const params: unknown[] = [id, current.version, updatedAt.toISOString()];
  const sets = Object.entries(data).map(([column, value]) => {
    const field = columns.get(column) as FieldModel;
    params.push(parameter(field, value));
    return `"${column}" = $${params.length}::${sqlType(field)}`;
  });
  params.push(
    event.kind,
    event.label ?? null,
    JSON.stringify(event.changes ?? []),
    eventRelatedIds(event),
    writer.viewer.role,
  );
  const n = params.length;
  const sql = `
WITH updated AS (
  UPDATE "${type}" SET ${sets.join(', ')}, "version" = $2::int + 1, "updatedAt" = $3::timestamp(3)
  WHERE "id" = $1::int AND "version" = $2::int RETURNING "id"
), head AS (
  UPDATE "StoryHead" SET sequence = sequence + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM updated)
  RETURNING sequence
)
INSERT INTO "StoryEvent"
  (sequence, kind, label, "entityType", "entityId", "entityVersion", changes, "relatedIds", "actorRole")
SELECT head.sequence, $${n - 4}::"StoryEventKind", $${n - 3}, '${type}', $1::int, $2::int + 1,
  $${n - 2}::jsonb, $${n - 1}::text[], $${n}
FROM head
RETURNING sequence`;
  const rows = await writer.db.$queryRawUnsafe<{ sequence: number }[]>(sql, ...params);
  const sequence = rows[0]?.sequence;
  // Nothing applied: the row changed (or went) between the read and the write.
  if (sequence === undefined) throw conflict(type, null, current.version);
  committed(writer, sequence);
  return { ...current, ...data, version: current.version + 1, updatedAt } as Row;
}
