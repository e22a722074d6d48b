import type { Viewer } from '../auth.ts';
import { badInput } from '../errors.ts';
import type { NodeType } from '../global-id.ts';
import { idOf } from '../global-id.ts';
import {
  checkVersion,
  diffFields,
  type FieldChange,
  notFound,
  type Recorder,
  type Tx,
  writeChange,
} from './changes.ts';
import { relatedIds } from './related.ts';

/** A versioned row, as every editable model has. */
export interface Versioned {
  id: number;
  version: number;
}

// The Prisma delegate of each editable type. Kept loose on purpose: the callers' inputs are typed,
// and one code path for the version check, diff and event is worth more than six typed copies.
type Delegate = {
  findUnique(args: { where: { id: number } }): Promise<Versioned | null>;
  create(args: { data: Record<string, unknown> }): Promise<Versioned>;
  update(args: { where: { id: number }; data: Record<string, unknown> }): Promise<Versioned>;
  delete(args: { where: { id: number } }): Promise<Versioned>;
};

function delegate(tx: Tx, type: NodeType): Delegate {
  const name = `${type[0]?.toLowerCase()}${type.slice(1)}` as 'leader';
  return tx[name] as unknown as Delegate;
}

/** Labels a change for readers (`SUMMIT_RESCHEDULED`, …), or null. */
export type Labeler = (changes: FieldChange[], after: Record<string, unknown>) => string | null;

/** Fields a patch may never set to null, with the message to give. */
function refuseNulls(patch: Record<string, unknown>, nullable: readonly string[]): void {
  for (const [field, value] of Object.entries(patch)) {
    if (value === null && !nullable.includes(field)) {
      throw badInput(`"${field}" can not be cleared.`, { field });
    }
  }
}

/** Drops the keys a client left out (undefined), keeping explicit nulls. */
export function given<T extends Record<string, unknown>>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** Creates a row and logs a CREATED event listing its initial fields. */
export async function createEntity<Row extends Versioned>(
  viewer: Viewer,
  spec: {
    type: NodeType;
    data: Record<string, unknown>;
    fields: readonly string[];
    label?: string;
  },
): Promise<Row> {
  const { result } = await writeChange(viewer, async (tx, record) => {
    const row = await delegate(tx, spec.type).create({ data: spec.data });
    const empty = Object.fromEntries(spec.fields.map((field) => [field, null]));
    await record({
      kind: 'CREATED',
      label: spec.label ?? null,
      entityType: spec.type,
      entityId: row.id,
      entityVersion: row.version,
      changes: diffFields(empty, row as unknown as Record<string, unknown>, spec.fields),
      relatedIds: await relatedIds[spec.type](tx, row.id),
    });
    return row as Row;
  });
  return result;
}

/**
 * Applies a partial patch if `expectedVersion` is current: bumps the version, logs an UPDATED event
 * with the field changes. A patch that changes nothing writes nothing and returns the row as is.
 */
export async function updateEntity<Row extends Versioned>(
  viewer: Viewer,
  spec: {
    type: NodeType;
    id: string;
    expectedVersion: number;
    patch: Record<string, unknown>;
    /** Columns that may be cleared with null. */
    nullable?: readonly string[];
    /** Checks the row as it would be after the patch (date order, say); throws to refuse. */
    validate?: (merged: Record<string, unknown>) => void;
    label?: Labeler;
  },
): Promise<Row> {
  const id = idOf(spec.type, spec.id);
  refuseNulls(spec.patch, spec.nullable ?? []);
  const { result } = await writeChange(viewer, async (tx, record) => {
    const model = delegate(tx, spec.type);
    const current = await model.findUnique({ where: { id } });
    if (!current) notFound(spec.type, spec.id);
    checkVersion(spec.type, current, spec.expectedVersion);
    const fields = Object.keys(spec.patch);
    const before = current as unknown as Record<string, unknown>;
    const changes = diffFields(before, { ...before, ...spec.patch }, fields);
    if (changes.length === 0) return current as Row;
    spec.validate?.({ ...before, ...spec.patch });
    const changed = Object.fromEntries(
      fields
        .filter((field) => diffFields(before, { ...before, ...spec.patch }, [field]).length > 0)
        .map((field) => [field, spec.patch[field]]),
    );
    const row = await model.update({
      where: { id },
      data: { ...changed, version: { increment: 1 } },
    });
    await record({
      kind: 'UPDATED',
      label: spec.label?.(changes, row as unknown as Record<string, unknown>) ?? null,
      entityType: spec.type,
      entityId: id,
      entityVersion: row.version,
      changes,
      relatedIds: await relatedIds[spec.type](tx, id),
    });
    return row as Row;
  });
  return result;
}

/** Deletes a row (its links go with it) and logs a DELETED event naming what it was linked to. */
export async function deleteEntity(
  viewer: Viewer,
  spec: { type: NodeType; id: string; expectedVersion?: number | null },
): Promise<void> {
  const id = idOf(spec.type, spec.id);
  await writeChange(viewer, async (tx, record) => {
    const model = delegate(tx, spec.type);
    const current = await model.findUnique({ where: { id } });
    if (!current) notFound(spec.type, spec.id);
    if (spec.expectedVersion != null) checkVersion(spec.type, current, spec.expectedVersion);
    const related = await relatedIds[spec.type](tx, id);
    await model.delete({ where: { id } });
    await record({
      kind: 'DELETED',
      entityType: spec.type,
      entityId: id,
      entityVersion: current.version + 1,
      relatedIds: related,
    });
  });
}

/** A row that links two entities: a participation or a membership. */
type LinkType = 'Participation' | 'Membership';

/** Logs LINKED for a link row just created, with `field` as its first value. */
export async function recordLinked(
  tx: Tx,
  record: Recorder,
  type: LinkType,
  row: Versioned & Record<string, unknown>,
  field: string,
  label: string | null,
): Promise<void> {
  await record({
    kind: 'LINKED',
    label,
    entityType: type,
    entityId: row.id,
    entityVersion: row.version,
    changes: [{ field, before: null, after: row[field] ?? null }],
    relatedIds: await relatedIds[type](tx, row.id),
  });
}

/** Deletes a link row and logs UNLINKED, naming both ends it joined (read before deleting). */
export async function removeLink(
  tx: Tx,
  record: Recorder,
  type: LinkType,
  row: Versioned & Record<string, unknown>,
  field: string,
): Promise<void> {
  const related = await relatedIds[type](tx, row.id);
  await delegate(tx, type).delete({ where: { id: row.id } });
  await record({
    kind: 'UNLINKED',
    entityType: type,
    entityId: row.id,
    entityVersion: row.version + 1,
    changes: [{ field, before: row[field] ?? null, after: null }],
    relatedIds: related,
  });
}
