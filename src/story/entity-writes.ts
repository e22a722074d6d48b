import { badInput } from '../core/errors.ts';
import {
  type ChangeRecord,
  checkVersion,
  conflict,
  diffFields,
  type FieldChange,
  notFound,
  type Recorder,
  type Tx,
  type Writer,
  writeChange,
} from './changes.ts';
import type { NodeType } from './global-id.ts';
import { encodeGlobalId, idOf } from './global-id.ts';
import { ENTITIES, type EntitySpec, modelOf } from './registry.ts';
import { relatedIds, relatedInclude, relatedOf, withoutRelated } from './related.ts';

/** A versioned row, as every editable model has. */
export interface Versioned {
  id: number;
  version: number;
}

/** Fields as the API names them: references as global IDs; undefined means "left out". */
export type ApiFields = Record<string, unknown>;

/** The kind of event a write logs, when it is not the plain CREATED / UPDATED / DELETED. */
type LinkKind = 'LINKED' | 'UNLINKED';

// The Prisma delegate of each editable type. Kept loose on purpose: the callers' inputs are typed,
// and one code path for the version check, diff and event is worth more than six typed copies.
type Delegate = {
  findUnique(args: { where: { id: number }; include?: object }): Promise<Versioned | null>;
  create(args: { data: Record<string, unknown> }): Promise<Versioned>;
  update(args: {
    where: { id: number; version: number };
    data: Record<string, unknown>;
  }): Promise<Versioned>;
  deleteMany(args: { where: { id: number; version: number } }): Promise<{ count: number }>;
};

const delegate = (tx: Tx, type: NodeType) => modelOf<Delegate>(tx, type);

/** The given API fields in column terms: references decoded (BAD_USER_INPUT for a wrong ID). */
function toColumns(rules: EntitySpec, fields: ApiFields): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    const rule = rules.fields[field];
    if (!rule || value === undefined) continue;
    if (rule.references) {
      data[rule.references.column] =
        value === null ? null : idOf(rule.references.type, String(value));
    } else {
      data[field] = value;
    }
  }
  return data;
}

/** A row's editable fields as the API shows them, so that events speak GraphQL. */
function toApi(rules: EntitySpec, row: Record<string, unknown>): ApiFields {
  const fields: ApiFields = {};
  for (const [field, rule] of Object.entries(rules.fields)) {
    if (rule.references) {
      const id = row[rule.references.column];
      fields[field] = id == null ? null : encodeGlobalId(rule.references.type, id as number);
    } else {
      fields[field] = row[field];
    }
  }
  return fields;
}

/** The same fields, all null: what a creation starts from and a removal ends with. */
const blank = (fields: ApiFields): ApiFields =>
  Object.fromEntries(Object.keys(fields).map((field) => [field, null]));

/** Global IDs that the changes point away from: a replaced organizer is still news to its followers. */
function formerReferences(rules: EntitySpec, changes: FieldChange[]): string[] {
  return changes
    .filter((change) => rules.fields[change.field]?.references && typeof change.before === 'string')
    .map((change) => change.before as string);
}

/** Creates a row inside a write and logs its CREATED (or LINKED) event with every initial field. */
export async function createRow<Row extends Versioned>(
  tx: Tx,
  record: Recorder,
  type: NodeType,
  input: ApiFields,
  options: { kind?: 'LINKED'; label?: string | null } = {},
): Promise<Row> {
  const rules = ENTITIES[type];
  const data = toColumns(rules, input);
  for (const [field, rule] of Object.entries(rules.fields)) {
    if (rule.references || input[field] != null) continue;
    if (rule.default !== undefined) {
      data[field] = typeof rule.default === 'function' ? rule.default(data) : rule.default;
    } else if (rule.nullable) {
      data[field] = null;
    } else {
      throw badInput(`"${field}" is required.`, { field });
    }
  }
  rules.validate?.(data);
  const row = await delegate(tx, type).create({ data });
  const after = toApi(rules, row as unknown as Record<string, unknown>);
  const changes = diffFields(blank(after), after, Object.keys(after));
  await record({
    kind: options.kind ?? 'CREATED',
    label: options.label !== undefined ? options.label : (ENTITIES[type].createdLabel ?? null),
    entityType: type,
    entityId: row.id,
    entityVersion: row.version,
    changes,
    relatedIds: await relatedIds(tx, type, row.id),
  });
  return row as Row;
}

/** What {@link updateRow} applies. */
export interface Update {
  /** The global ID of the row. */
  id: string;
  /** Refuse with CONFLICT unless the row is at this version; skipped when absent. */
  expectedVersion?: number | null;
  /** The fields to change; undefined ones stay as they are, null clears (where allowed). */
  patch: ApiFields;
  /** Logged instead of UPDATED, for a reference set or cleared by a link mutation. */
  kind?: LinkKind;
}

/**
 * Applies a partial patch inside a write: checks the version, diffs once, validates the row as
 * it would be, bumps the version and logs the field changes. A patch that changes nothing writes
 * nothing and returns the row as it is.
 */
export async function updateRow<Row extends Versioned>(
  tx: Tx,
  record: Recorder,
  type: NodeType,
  update: Update,
): Promise<Row> {
  const model = delegate(tx, type);
  const id = idOf(type, update.id);
  const patch = checkPatch(type, update);
  // The row and its links in one read: the event lists the links, so no second read is needed.
  const read = await model.findUnique({ where: { id }, include: relatedInclude(type) });
  const plan = planUpdate(type, update, patch, read as Row | null);
  if (!plan.event) return plan.current as Row;
  const { current, data } = plan;
  // Applies only if nobody changed the row since it was read, so the diff above stays true.
  const row = await model
    .update({
      where: { id, version: current.version },
      data: { ...data, version: current.version + 1 },
    })
    .catch((error: { code?: string }) => {
      throw error.code === 'P2025' ? conflict(type, null, current.version) : error;
    });
  await record({ ...plan.event, entityVersion: row.version });
  return row as Row;
}

/** A patch's fields that the model has, checked: what may not be cleared, references' types. */
export function checkPatch(type: NodeType, update: Update): ApiFields {
  const rules = ENTITIES[type];
  const patch: ApiFields = {};
  for (const [field, value] of Object.entries(update.patch)) {
    const rule = rules.fields[field];
    if (!rule || value === undefined) continue;
    if (value === null && !rule.nullable)
      throw badInput(`"${field}" can not be cleared.`, { field });
    // Decoding checks a reference's type; the patch keeps the global ID, as events show it.
    if (rule.references && value !== null) idOf(rule.references.type, String(value));
    patch[field] = value;
  }
  return patch;
}

/**
 * What an update does to a row read with its links (relatedInclude): NOT_FOUND without one,
 * CONFLICT at another version; else the changed columns and the event to log, or no event when
 * the patch changes nothing. The row is checked as it would be after the write.
 */
export function planUpdate<Row extends Versioned>(
  type: NodeType,
  update: Update,
  patch: ApiFields,
  read: Row | null,
): { current: Row; data: Record<string, unknown>; event?: ChangeRecord } {
  const rules = ENTITIES[type];
  if (!read) notFound(type, update.id);
  const current = withoutRelated(
    type,
    read as unknown as Record<string, unknown>,
  ) as unknown as Row;
  if (update.expectedVersion != null) checkVersion(type, current, update.expectedVersion);
  const before = toApi(rules, current as unknown as Record<string, unknown>);
  const changes = diffFields(before, { ...before, ...patch }, Object.keys(patch));
  if (changes.length === 0) return { current, data: {} };
  const data = toColumns(
    rules,
    Object.fromEntries(changes.map((change) => [change.field, patch[change.field]])),
  );
  rules.validate?.({ ...current, ...data });
  return {
    current,
    data,
    event: {
      kind: update.kind ?? 'UPDATED',
      label: rules.label?.(changes) ?? null,
      entityType: type,
      entityId: current.id,
      entityVersion: current.version + 1,
      changes,
      // Links as they are after the write: the row's own references with their new values.
      relatedIds: [
        ...relatedOf(type, { ...(read as unknown as Record<string, unknown>), ...data }),
        ...formerReferences(rules, changes),
      ],
    },
  };
}

/** Deletes a row inside a write (its links go with it), logging what it was linked to. */
export async function deleteRow<Row extends Versioned>(
  tx: Tx,
  record: Recorder,
  type: NodeType,
  current: Row,
  options: { kind?: 'UNLINKED' } = {},
): Promise<void> {
  const rules = ENTITIES[type];
  // Read before deleting: afterwards there is nothing left to ask.
  const related = await relatedIds(tx, type, current.id);
  const before = toApi(rules, current as unknown as Record<string, unknown>);
  const { count } = await delegate(tx, type).deleteMany({
    where: { id: current.id, version: current.version },
  });
  if (count === 0) throw conflict(type, null, current.version);
  await record({
    kind: options.kind ?? 'DELETED',
    entityType: type,
    entityId: current.id,
    entityVersion: current.version + 1,
    // A link row's removal says what it joined; an entity's deletion needs no field list.
    changes: options.kind ? diffFields(before, blank(before), Object.keys(before)) : [],
    relatedIds: related,
  });
}

/** Creates an entity in its own write. */
export async function createEntity<Row extends Versioned>(
  writer: Writer,
  type: NodeType,
  input: ApiFields,
): Promise<Row> {
  const { result } = await writeChange(writer, (tx, record) =>
    createRow<Row>(tx, record, type, input),
  );
  return result;
}

/** Deletes an entity in its own write, with its links; optionally only at `expectedVersion`. */
export async function deleteEntity(
  writer: Writer,
  type: NodeType,
  target: { id: string; expectedVersion?: number | null },
): Promise<void> {
  await writeChange(writer, async (tx, record) => {
    const current = await delegate(tx, type).findUnique({ where: { id: idOf(type, target.id) } });
    if (!current) notFound(type, target.id);
    if (target.expectedVersion != null) checkVersion(type, current, target.expectedVersion);
    await deleteRow(tx, record, type, current);
  });
}
