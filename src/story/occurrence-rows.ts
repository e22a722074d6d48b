// Occurrences and claims as rows: reading their ranges, participants and links in the shapes the
// rules (occurrence-rules.ts) and the log (the API's view of each field) need.
import { badInput } from '../core/errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { notFound, type Tx } from './changes.ts';
import { decodeGlobalId, encodeGlobalId } from './global-id.ts';
import type { ParticipantRef } from './occurrence-rules.ts';
import type { ParticipantRole, TimeRange } from './occurrences.ts';
import {
  modelOf,
  PART_OF_COLUMNS,
  PARTICIPANT_COLUMNS,
  type ParticipantType,
  type PartOfType,
} from './registry.ts';

/** An occurrence with its participants, as the writes read it. */
export type OccurrenceRow = Prisma.OccurrenceGetPayload<{ include: { participants: true } }>;
/** A claim with its participants and its article's publication time. */
export type ClaimRow = Prisma.ClaimGetPayload<{
  include: { participants: true; article: { select: { publishedAt: true } } };
}>;

/** How writes read an occurrence: with its participants, in the order they were given. */
export const OCCURRENCE_INCLUDE = { participants: { orderBy: { id: 'asc' } } } as const;
/** How writes read a claim. */
export const CLAIM_INCLUDE = {
  participants: { orderBy: { id: 'asc' } },
  article: { select: { publishedAt: true } },
} as const;

type RangeColumns = {
  whenFrom: Date | null;
  whenTo: Date | null;
  whenPrecision: TimeRange['precision'] | null;
};

/** A row's `when`, or null when it has none. */
export function rangeOf(row: RangeColumns): TimeRange | null {
  return row.whenFrom && row.whenTo
    ? { from: row.whenFrom, to: row.whenTo, precision: row.whenPrecision ?? 'DAY' }
    : null;
}

/** A range as its three columns (all null for none). */
export function rangeColumns(range: TimeRange | null): RangeColumns {
  return {
    whenFrom: range?.from ?? null,
    whenTo: range?.to ?? null,
    whenPrecision: range?.precision ?? null,
  };
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** A range as events and `previousWhen` store it: days as YYYY-MM-DD. */
export function rangeJson(range: TimeRange | null) {
  return range ? { from: day(range.from), to: day(range.to), precision: range.precision } : null;
}

/** Refuses a range that ends before it starts. */
export function checkRange(range: TimeRange | null | undefined): void {
  if (range && range.to.getTime() < range.from.getTime()) {
    throw badInput('"when.to" must not be before "when.from".', { field: 'when' });
  }
}

type ParticipantColumns = { leaderId: number | null; organizationId: number | null };

/** A participant row as a reference to the leader or organization it names. */
export function participantOf(row: ParticipantColumns): ParticipantRef {
  const entry = Object.entries(PARTICIPANT_COLUMNS).find(([, column]) => row[column] != null);
  const [type, column] = entry as [ParticipantType, keyof ParticipantColumns];
  return { type, id: row[column] as number };
}

/** A participant as the columns of its row. */
export function participantColumns(ref: ParticipantRef): ParticipantColumns {
  return {
    leaderId: null,
    organizationId: null,
    [PARTICIPANT_COLUMNS[ref.type]]: ref.id,
  } as ParticipantColumns;
}

/**
 * Decodes the participants an editor gave: at least one, each once, each a leader or an
 * organization (BAD_USER_INPUT otherwise) that exists (NOT_FOUND).
 */
export async function decodeParticipants(
  tx: Tx,
  given: { entity: string; role?: ParticipantRole | null }[],
): Promise<(ParticipantRef & { role: ParticipantRole })[]> {
  if (given.length === 0) throw badInput('An occurrence needs at least one participant.');
  const decoded = given.map((participant, index) => {
    const { typename, id } = decodeGlobalId(participant.entity);
    if (!(typename in PARTICIPANT_COLUMNS)) {
      throw badInput(
        `"${participant.entity}" is a ${typename}: participants are leaders or organizations.`,
        {
          field: 'participants',
        },
      );
    }
    return {
      type: typename as ParticipantType,
      id: Number(id),
      role: participant.role ?? defaultRole(index),
      entity: participant.entity,
    };
  });
  if (new Set(decoded.map((p) => p.entity)).size !== decoded.length) {
    throw badInput('Each participant may be named once.', { field: 'participants' });
  }
  for (const participant of decoded) {
    const found = await modelOf<Finder>(tx, participant.type).findUnique({
      where: { id: participant.id },
      select: { id: true },
    });
    if (!found) notFound(participant.type, participant.entity);
  }
  return decoded.map(({ type, id, role }) => ({ type, id, role }));
}

type Finder = { findUnique(args: object): Promise<object | null> };

/** The role of a participant given without one: the first initiates, the others respond. */
export const defaultRole = (index: number): ParticipantRole =>
  index === 0 ? 'INITIATOR' : 'COUNTERPART';

/**
 * Decodes `partOf`: a summit or an occurrence (BAD_USER_INPUT for another type) that exists
 * (NOT_FOUND); null clears it. Returns the two link columns.
 */
export async function decodePartOf(
  tx: Tx,
  globalId: string | null,
): Promise<{ partOfSummitId: number | null; partOfOccurrenceId: number | null }> {
  const columns = { partOfSummitId: null, partOfOccurrenceId: null };
  if (globalId === null) return columns;
  const { typename, id } = decodeGlobalId(globalId);
  if (!(typename in PART_OF_COLUMNS)) {
    throw badInput(
      `"${globalId}" is a ${typename}: an occurrence is part of a summit or an occurrence.`,
      {
        field: 'partOf',
      },
    );
  }
  const type = typename as PartOfType;
  const found = await modelOf<Finder>(tx, type).findUnique({
    where: { id: Number(id) },
    select: { id: true },
  });
  if (!found) notFound(type, globalId);
  return { ...columns, [PART_OF_COLUMNS[type]]: Number(id) };
}

/** Refuses making occurrence `self` part of `parent` when `parent` is `self` or one of its parts. */
export async function checkNoCycle(tx: Tx, self: number, parent: number | null): Promise<void> {
  const seen = new Set<number>();
  for (let current = parent; current != null && !seen.has(current); ) {
    if (current === self) {
      throw badInput('An occurrence can not be part of itself or of one of its own parts.', {
        field: 'partOf',
      });
    }
    seen.add(current);
    const row = await tx.occurrence.findUnique({
      where: { id: current },
      select: { partOfOccurrenceId: true },
    });
    current = row?.partOfOccurrenceId ?? null;
  }
}

type PartOfColumns = { partOfSummitId: number | null; partOfOccurrenceId: number | null };

/** The global ID of what a row is part of, or null. */
export function partOfId(row: PartOfColumns): string | null {
  for (const [type, column] of Object.entries(PART_OF_COLUMNS)) {
    const id = row[column as keyof PartOfColumns];
    if (id != null) return encodeGlobalId(type, id);
  }
  return null;
}

/** An occurrence's fields as the API (and so its events) show them. */
export function occurrenceView(row: OccurrenceRow): Record<string, unknown> {
  return {
    slug: row.slug,
    kind: row.kind,
    cameoCode: row.cameoCode,
    status: row.status,
    when: rangeJson(rangeOf(row)),
    place: row.place,
    partOf: partOfId(row),
    participants: row.participants.map((p) => {
      const ref = participantOf(p);
      return { entity: encodeGlobalId(ref.type, ref.id), role: p.role };
    }),
  };
}

/** A slug for a new occurrence from its kind, participants and first day, made unique. */
export async function newSlug(
  tx: Tx,
  parts: { kind: string; participants: ParticipantRef[]; when: TimeRange | null },
): Promise<string> {
  const names: string[] = [];
  for (const ref of parts.participants.slice(0, 3)) {
    const row = (await modelOf<Finder>(tx, ref.type).findUnique({
      where: { id: ref.id },
      select: { slug: true },
    })) as { slug: string } | null;
    if (row) names.push(row.slug);
  }
  const base = [parts.kind.toLowerCase(), ...names, parts.when ? day(parts.when.from) : null]
    .filter(Boolean)
    .join('-')
    .slice(0, 90);
  const taken = new Set(
    (
      await tx.occurrence.findMany({
        where: { slug: { startsWith: base } },
        select: { slug: true },
      })
    ).map((row) => row.slug),
  );
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}
