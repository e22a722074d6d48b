// Folding the log: the story's tables rebuilt from its events alone. A CREATED event carries every
// field of the new row and an UPDATED one the fields that changed, in API terms (references as
// global IDs, days as YYYY-MM-DD); where that is not enough, the event's detail says the rest
// (as-of/details.ts). Rows are never changed in place, only replaced, so a copy of the tables is
// a copy of their maps: checkpoints share every row they have in common.
import type { Prisma } from '../../generated/prisma/client.ts';
import { type FieldModel, MODELS } from '../../infra/datamodel.ts';
import { decodeGlobalId, type NodeType } from '../global-id.ts';
import {
  ENTITIES,
  MENTION_TYPES,
  type MentionType,
  mentionsOf,
  PART_OF_COLUMNS,
  PARTICIPANT_COLUMNS,
  type ParticipantType,
  type PartOfType,
} from '../registry.ts';
import type {
  ArticleFoldDetail,
  ClaimFoldDetail,
  MentionDetail,
  MentionLinkDetail,
} from './details.ts';
import { rowKey, TABLE_NAMES, type TableName, type Tables } from './tables.ts';

/** An event as the fold reads it: the log's row and its detail. */
export interface FoldEvent {
  sequence: number;
  kind: string;
  entityType: string;
  entityId: number;
  entityVersion: number;
  changes: Prisma.JsonValue;
  occurredAt: Date;
  detail?: unknown;
}

type Row = Record<string, unknown>;
type Change = { field: string; before: unknown; after: unknown };

const modelName = (table: TableName) => `${table[0]?.toUpperCase()}${table.slice(1)}`;
const tableOf = (type: NodeType) => ENTITIES[type].model as TableName;
const columns = (table: TableName): FieldModel[] =>
  [...(MODELS.get(modelName(table))?.values() ?? [])].filter((field) => field.kind !== 'object');

/** Json columns' defaults: what the schema gives a row nobody set them on. */
const JSON_DEFAULTS: Record<string, unknown> = { analysis: {}, previousWhen: [], spans: [] };

/** A row of `table` with every column at its default: what a CREATED event's fields go onto. */
function blankRow(table: TableName, event: FoldEvent): Row {
  const row: Row = {};
  for (const field of columns(table)) {
    if (field.name === 'searchDocument') continue;
    row[field.name] = field.isList ? [] : field.type === 'Json' ? JSON_DEFAULTS[field.name] : null;
  }
  // Fields a write may leave out of its event (ingestion logs no summary) start at the defaults
  // the registry gives them, as the row did.
  const spec = ENTITIES[modelName(table) as NodeType];
  for (const [field, rule] of Object.entries(spec?.fields ?? {})) {
    if (rule.default !== undefined && typeof rule.default !== 'function') row[field] = rule.default;
  }
  return { ...row, id: event.entityId, createdAt: event.occurredAt };
}

/** A value from an event, in the column's type. */
function columnValue(table: TableName, column: string, value: unknown): unknown {
  if (value == null) return null;
  const field = MODELS.get(modelName(table))?.get(column);
  return field?.type === 'DateTime' && typeof value === 'string' ? new Date(value) : value;
}

const day = (value: unknown) => (typeof value === 'string' ? new Date(value) : null);

/** An API field's change as the columns it sets, and the link rows it replaces, if any. */
function applyField(tables: Tables, table: TableName, row: Row, field: string, value: unknown) {
  const type = modelName(table) as NodeType;
  const reference = ENTITIES[type]?.fields[field]?.references;
  if (reference) {
    row[reference.column] = value == null ? null : Number(decodeGlobalId(String(value)).id);
  } else if (field === 'when') {
    const range = value as { from: string; to: string; precision: string } | null;
    row.whenFrom = day(range?.from);
    row.whenTo = day(range?.to);
    row.whenPrecision = range?.precision ?? null;
  } else if (field === 'partOf') {
    for (const column of Object.values(PART_OF_COLUMNS)) row[column] = null;
    if (value != null) {
      const { typename, id } = decodeGlobalId(String(value));
      row[PART_OF_COLUMNS[typename as PartOfType]] = Number(id);
    }
  } else if (field === 'participants' && table === 'occurrence') {
    const list = (value ?? []) as { entity: string; role: string }[];
    replaceChildren(
      tables,
      'occurrenceParticipant',
      'occurrenceId',
      row.id as number,
      list.map(({ entity, role }) => ({ ...participantColumns(entity), role })),
    );
  } else if (MODELS.get(modelName(table))?.has(field)) {
    // A change that names no column (a revision's `correction`, a claim's `evidence`, which its
    // detail carries whole) leaves the row as it is.
    row[field] = columnValue(table, field, value);
  }
}

function participantColumns(globalId: string): Row {
  const { typename, id } = decodeGlobalId(globalId);
  const row: Row = Object.fromEntries(Object.values(PARTICIPANT_COLUMNS).map((c) => [c, null]));
  row[PARTICIPANT_COLUMNS[typename as ParticipantType]] = Number(id);
  return row;
}

/** Replaces every row of `table` whose `column` is `parentId` with `rows` (ids in order). */
function replaceChildren(
  tables: Tables,
  table: TableName,
  column: string,
  parentId: number,
  rows: Row[],
): void {
  const map = mutable(tables, table);
  for (const [key, row] of map) if (row[column] === parentId) map.delete(key);
  for (const [index, row] of rows.entries()) {
    const full = { ...blankChild(table), ...row, [column]: parentId, id: index + 1 };
    map.set(rowKey(table, full as never), full);
  }
}

function blankChild(table: TableName): Row {
  return Object.fromEntries(
    columns(table).map((field) => [
      field.name,
      field.type === 'Json' ? JSON_DEFAULTS[field.name] : null,
    ]),
  );
}

/** What the database does to the rows that point at a deleted one, as prisma/schema.prisma says. */
function cascade(tables: Tables, table: TableName, id: number): void {
  const parent = modelName(table);
  for (const child of TABLE_NAMES) {
    const model = MODELS.get(modelName(child));
    for (const relation of model?.values() ?? []) {
      if (relation.kind !== 'object' || relation.type !== parent) continue;
      const column = relation.relationFromFields?.[0];
      if (!column) continue;
      // Required references cascade; optional ones are set null, but a participant row without
      // its participant means nothing, so those cascade too (onDelete: Cascade in the schema).
      const remove = relation.isRequired || child.endsWith('Participant');
      for (const [key, row] of tables[child] as Map<string, Row>) {
        if (row[column] !== id) continue;
        const map = mutable(tables, child);
        if (remove) {
          map.delete(key);
          cascade(tables, child, row.id as number);
        } else {
          map.set(key, { ...row, [column]: null });
        }
      }
    }
  }
}

const MENTION_FIELDS = new Map<string, MentionType>(
  MENTION_TYPES.map((type) => [mentionsOf(type).field, type]),
);

function setMention(tables: Tables, articleId: number, mention: MentionDetail): void {
  const spec = mentionsOf(mention.type);
  const table = spec.table as TableName;
  const map = mutable(tables, table);
  const row: Row = {
    id: map.size + 1,
    articleId,
    [spec.key]: mention.id,
    spans: mention.spans ?? [],
    matchedBy: mention.matchedBy,
    createdAt: null,
  };
  map.set(rowKey(table, row as never), row);
}

/** An article's mention link or unlink: true when the event was one. */
function foldMention(tables: Tables, event: FoldEvent, changes: Change[]): boolean {
  const change = changes[0];
  const type = change && MENTION_FIELDS.get(change.field);
  if (!type) return false;
  const spec = mentionsOf(type);
  const table = spec.table as TableName;
  if (event.kind === 'LINKED') {
    const detail = (event.detail ?? {}) as Partial<MentionLinkDetail>;
    const id = Number(decodeGlobalId(String(change.after)).id);
    setMention(tables, event.entityId, {
      type,
      id,
      spans: detail.spans ?? [],
      matchedBy: detail.matchedBy ?? 'EDITOR',
    });
  } else {
    const id = Number(decodeGlobalId(String(change.before)).id);
    mutable(tables, table).delete(`${event.entityId}:${id}`);
  }
  return true;
}

/** Whether every field the registry lists for the type is empty on the row. */
function isBlank(type: NodeType, row: Row): boolean {
  return Object.entries(ENTITIES[type].fields).every(([field, rule]) =>
    rule.references ? row[rule.references.column] == null : row[field] == null,
  );
}

/** Applies one event to the tables, in place. Events must come in sequence order. */
export function applyEvent(tables: Tables, event: FoldEvent): void {
  const type = event.entityType as NodeType;
  if (!ENTITIES[type]) return;
  const table = tableOf(type);
  const map = mutable(tables, table);
  const key = String(event.entityId);
  const changes = (Array.isArray(event.changes) ? event.changes : []) as Change[];
  const current = map.get(key);
  const detail = (event.detail ?? null) as Partial<ArticleFoldDetail & ClaimFoldDetail> | null;

  if (event.kind === 'DELETED') {
    map.delete(key);
    cascade(tables, table, event.entityId);
    return;
  }
  let row: Row;
  if (table === 'article' && (event.kind === 'LINKED' || event.kind === 'UNLINKED')) {
    foldMention(tables, event, changes);
    row = { ...(current ?? blankRow(table, event)) };
  } else {
    row = { ...(current ?? blankRow(table, event)) };
    for (const change of changes) {
      // A new `when` keeps the one it replaces, as occurrence writes do.
      if (table === 'occurrence' && change.field === 'when' && change.before != null && current) {
        row.previousWhen = [...((row.previousWhen as unknown[]) ?? []), change.before];
      }
      applyField(tables, table, row, change.field, change.after);
    }
    // A link row's removal (a participation, a membership) nulls every field it had: the row is
    // gone. A claim's UNLINKED only clears its occurrence.
    if (event.kind === 'UNLINKED' && isBlank(type, row)) {
      map.delete(key);
      cascade(tables, table, event.entityId);
      return;
    }
  }
  if (detail?.claim) {
    for (const [column, value] of Object.entries(detail.claim)) {
      row[column] = columnValue(table, column, value);
    }
    replaceChildren(
      tables,
      'claimParticipant',
      'claimId',
      event.entityId,
      (detail.participants ?? []).map((p) => ({ ...p })),
    );
  }
  if (detail && 'analysis' in detail) row.analysis = detail.analysis;
  if (detail?.mentions) {
    for (const mentionType of MENTION_TYPES) {
      const spec = mentionsOf(mentionType);
      const mentionMap = mutable(tables, spec.table as TableName);
      for (const [mentionKey, mention] of mentionMap) {
        if (mention.articleId === event.entityId) mentionMap.delete(mentionKey);
      }
    }
    for (const mention of detail.mentions) setMention(tables, event.entityId, mention);
  }
  row.version = event.entityVersion;
  row.updatedAt = event.occurredAt;
  map.set(key, row);
}

/** The tables each copy has made its own: the others are still its source's maps. */
const owned = new WeakMap<Tables, Set<TableName>>();

/** The map of `name` in `tables`, copied first if it is still shared with the tables it came from. */
function mutable(tables: Tables, name: TableName): Map<string, Row> {
  const own = owned.get(tables);
  if (own && !own.has(name)) {
    (tables as Record<TableName, unknown>)[name] = new Map(tables[name] as Map<string, unknown>);
    own.add(name);
  }
  return tables[name] as Map<string, Row>;
}

/**
 * A copy of the tables that later folding will not change, made cheaply: it shares every map
 * with `tables` until the fold first writes to one (which it then copies, entries only: the
 * rows themselves are never changed in place). Reading a position costs the tables its events
 * touch, not the whole story.
 */
export function copyTables(tables: Tables): Tables {
  const copy = { ...tables };
  owned.set(copy, new Set());
  return copy;
}
