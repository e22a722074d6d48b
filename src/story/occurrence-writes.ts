// Writing occurrences: creating one (with its participants, and claims to attach), editing it (a
// new `when` keeps the old one in `previousWhen`; new participants must still be the ones its
// claims name), and attaching a claim, which may move its status forward. Each runs inside one
// writeChange: bad input throws before anything commits.
import { ErrorCode, userError } from '../core/errors.ts';
import {
  checkVersion,
  conflict,
  diffFields,
  notFound,
  type Recorder,
  type Tx,
  type Writer,
  writeChange,
} from './changes.ts';
import { encodeGlobalId, idOf } from './global-id.ts';
import type { SourceKind } from './ingest/attributions.ts';
import { occurrenceLabel } from './labels.ts';
import {
  CLAIM_INCLUDE,
  type ClaimRow,
  checkNoCycle,
  checkRange,
  decodeParticipants,
  decodePartOf,
  newSlug,
  OCCURRENCE_INCLUDE,
  type OccurrenceRow,
  occurrenceView,
  participantColumns,
  participantOf,
  rangeColumns,
  rangeJson,
  rangeOf,
} from './occurrence-rows.ts';
import {
  conflictsOf,
  type ParticipantRef,
  sameParticipants,
  statusAfterClaim,
} from './occurrence-rules.ts';
import type {
  OccurrenceKind,
  OccurrenceStatus,
  ParticipantRole,
  TimeRange,
} from './occurrences.ts';
import { relatedIds } from './related.ts';

/** A `when` as the API takes it; the precision is DAY unless given. */
export interface TimeRangeInput {
  from: Date;
  to: Date;
  precision?: TimeRange['precision'] | null;
}

/** A new occurrence, references as global IDs. */
export interface OccurrenceInput {
  slug?: string | null;
  kind: OccurrenceKind;
  cameoCode?: string | null;
  /** @default 'ANNOUNCED' */
  status?: OccurrenceStatus | null;
  when?: TimeRangeInput | null;
  place?: string | null;
  partOf?: string | null;
  participants: ParticipantInput[];
  /** Stored claims to attach (each unattached, with the same participants). */
  claimIds?: string[] | null;
}

/** A participant as the API takes it: a leader's or an organization's global ID, and a role. */
export interface ParticipantInput {
  entity: string;
  role?: ParticipantRole | null;
}

/** What an update may change; undefined leaves a field, null clears a nullable one. */
export interface OccurrencePatch {
  slug?: string | null;
  kind?: OccurrenceKind | null;
  cameoCode?: string | null;
  status?: OccurrenceStatus | null;
  when?: TimeRangeInput | null;
  place?: string | null;
  partOf?: string | null;
  /** The whole new list, in order (roles by default as on creation); it can not be cleared. */
  participants?: ParticipantInput[] | null;
}

const toRange = (input: TimeRangeInput | null | undefined): TimeRange | null =>
  input ? { from: input.from, to: input.to, precision: input.precision ?? 'DAY' } : null;

/** Reads an occurrence with its participants; NOT_FOUND if it is gone. */
export async function readOccurrence(tx: Tx, id: number, globalId: string): Promise<OccurrenceRow> {
  const row = await tx.occurrence.findUnique({ where: { id }, include: OCCURRENCE_INCLUDE });
  if (!row) notFound('Occurrence', globalId);
  return row;
}

/** Reads a claim with its participants and article; NOT_FOUND if there is none. */
export async function readClaim(tx: Tx, id: number, globalId: string): Promise<ClaimRow> {
  const row = await tx.claim.findUnique({ where: { id }, include: CLAIM_INCLUDE });
  if (!row) notFound('Claim', globalId);
  return row;
}

/** Inserts an occurrence inside a write and logs its creation (no claims attached yet). */
export async function insertOccurrence(
  tx: Tx,
  record: Recorder,
  input: Omit<OccurrenceInput, 'claimIds'>,
): Promise<OccurrenceRow> {
  const participants = await decodeParticipants(tx, input.participants);
  const when = toRange(input.when);
  checkRange(when);
  const partOf = await decodePartOf(tx, input.partOf ?? null);
  const slug = input.slug ?? (await newSlug(tx, { kind: input.kind, participants, when }));
  const row = await tx.occurrence.create({
    data: {
      slug,
      kind: input.kind,
      cameoCode: input.cameoCode ?? null,
      status: input.status ?? 'ANNOUNCED',
      ...rangeColumns(when),
      place: input.place ?? null,
      ...partOf,
      participants: {
        create: participants.map((p) => ({ ...participantColumns(p), role: p.role })),
      },
    },
    include: OCCURRENCE_INCLUDE,
  });
  const after = occurrenceView(row);
  const blank = Object.fromEntries(Object.keys(after).map((field) => [field, null]));
  await record({
    kind: 'CREATED',
    entityType: 'Occurrence',
    entityId: row.id,
    entityVersion: row.version,
    changes: diffFields(blank, after, Object.keys(after)),
    relatedIds: await relatedIds(tx, 'Occurrence', row.id),
  });
  return row;
}

/** Creates an occurrence in its own write, attaching the claims named in `claimIds`. */
export async function createOccurrence(
  writer: Writer,
  input: OccurrenceInput,
): Promise<OccurrenceRow> {
  const { result } = await writeChange(writer, async (tx, record) => {
    let row = await insertOccurrence(tx, record, input);
    for (const claimId of input.claimIds ?? []) {
      const claim = await readClaim(tx, idOf('Claim', claimId), claimId);
      row = await attachRow(tx, record, claim, row);
    }
    return row;
  });
  return result;
}

/** Changes some fields of an occurrence, at `expectedVersion` when given. */
export async function updateOccurrence(
  writer: Writer,
  update: { id: string; expectedVersion?: number | null; patch: OccurrencePatch },
): Promise<OccurrenceRow> {
  const id = idOf('Occurrence', update.id);
  const { result } = await writeChange(writer, async (tx, record) => {
    const current = await readOccurrence(tx, id, update.id);
    if (update.expectedVersion != null) checkVersion('Occurrence', current, update.expectedVersion);
    const { patch } = update;
    for (const field of ['slug', 'kind', 'status', 'participants'] as const) {
      if (patch[field] === null) throw badInputCleared(field);
    }
    const data: Record<string, unknown> = {};
    for (const field of ['slug', 'kind', 'status', 'cameoCode', 'place'] as const) {
      if (patch[field] !== undefined) data[field] = patch[field];
    }
    if (patch.when !== undefined) {
      const when = toRange(patch.when);
      checkRange(when);
      const before = rangeOf(current);
      if (JSON.stringify(rangeJson(when)) !== JSON.stringify(rangeJson(before))) {
        Object.assign(data, rangeColumns(when));
        // The range it had is kept, so readers can see how the date moved.
        if (before) data.previousWhen = [...previousOf(current), rangeJson(before)];
      }
    }
    if (patch.partOf !== undefined) {
      const partOf = await decodePartOf(tx, patch.partOf);
      await checkNoCycle(tx, id, partOf.partOfOccurrenceId);
      Object.assign(data, partOf);
    }
    const participants = patch.participants
      ? await checkClaimsFollow(tx, current, await decodeParticipants(tx, patch.participants))
      : undefined;
    return applyChange(tx, record, current, data, participants);
  });
  return result;
}

type ParticipantChoice = ParticipantRef & { role: ParticipantRole };

/**
 * Refuses new participants that some attached claim does not name (CONFLICT, listing those
 * claims): a claim is about the occurrence only while both name the same participants, as
 * attachRow requires. The editor detaches them first; nothing is detached behind their back.
 */
async function checkClaimsFollow(
  tx: Tx,
  current: OccurrenceRow,
  participants: ParticipantChoice[],
): Promise<ParticipantChoice[]> {
  if (sameParticipants(current.participants.map(participantOf), participants)) return participants;
  const claims = await tx.claim.findMany({
    where: { occurrenceId: current.id },
    include: { participants: true },
    orderBy: { id: 'asc' },
  });
  const other = claims.filter(
    (claim) => !sameParticipants(claim.participants.map(participantOf), participants),
  );
  if (other.length > 0) {
    throw userError(
      ErrorCode.CONFLICT,
      `${other.length} attached claim(s) name other participants: detach them first.`,
      { field: 'participants', claimIds: other.map((claim) => encodeGlobalId('Claim', claim.id)) },
    );
  }
  return participants;
}

const badInputCleared = (field: string) =>
  userError(ErrorCode.BAD_USER_INPUT, `"${field}" can not be cleared.`, { field });

const previousOf = (row: OccurrenceRow) =>
  Array.isArray(row.previousWhen) ? (row.previousWhen as object[]) : [];

/**
 * Writes changed columns of an occurrence (and its new participants, when given and different)
 * at the version it was read at (CONFLICT if someone wrote first), logging the fields that
 * changed with their label; nothing when none did.
 */
async function applyChange(
  tx: Tx,
  record: Recorder,
  current: OccurrenceRow,
  data: Record<string, unknown>,
  participants?: ParticipantChoice[],
): Promise<OccurrenceRow> {
  const rows = participants?.map((p) => ({ ...participantColumns(p), role: p.role }));
  const before = occurrenceView(current);
  const after = occurrenceView({
    ...current,
    ...data,
    participants: rows ?? current.participants,
  } as OccurrenceRow);
  const changes = diffFields(before, after, Object.keys(before));
  if (changes.length === 0) return current;
  const { count } = await tx.occurrence.updateMany({
    where: { id: current.id, version: current.version },
    data: { ...data, version: current.version + 1 },
  });
  if (count === 0) throw conflict('Occurrence', null, current.version);
  const moved = changes.find((change) => change.field === 'participants');
  if (moved && rows) {
    // The list is replaced whole: its order is the participants' order.
    await tx.occurrenceParticipant.deleteMany({ where: { occurrenceId: current.id } });
    await tx.occurrenceParticipant.createMany({
      data: rows.map((row) => ({ ...row, occurrenceId: current.id })),
    });
  }
  const row = await readOccurrence(tx, current.id, encodeGlobalId('Occurrence', current.id));
  const former = changes.find((change) => change.field === 'partOf')?.before;
  // Those who left are still told: their followers saw them take part.
  const entities = (list: unknown) => ((list ?? []) as { entity: string }[]).map((p) => p.entity);
  const stayed = new Set(entities(moved?.after));
  const left = entities(moved?.before).filter((entity) => !stayed.has(entity));
  await record({
    kind: 'UPDATED',
    label: occurrenceLabel(changes),
    entityType: 'Occurrence',
    entityId: row.id,
    entityVersion: row.version,
    changes,
    relatedIds: [
      ...(await relatedIds(tx, 'Occurrence', row.id)),
      ...(typeof former === 'string' ? [former] : []),
      ...left,
    ],
  });
  return row;
}

/** Participants of a claim and of an occurrence must be the same set to attach one to the other. */
function checkSameParticipants(claim: ClaimRow, occurrence: OccurrenceRow): void {
  if (
    !sameParticipants(
      claim.participants.map(participantOf),
      occurrence.participants.map(participantOf),
    )
  ) {
    throw userError(
      ErrorCode.CONFLICT,
      'The claim names other participants than the occurrence: it is about something else.',
      { claimId: encodeGlobalId('Claim', claim.id) },
    );
  }
}

/** A claim's facts for the conflict rules. */
export const claimFacts = (claim: ClaimRow) => ({
  id: claim.id,
  modality: claim.modality,
  when: rangeOf(claim),
  place: claim.place,
  rank: claim.rank,
});

/**
 * Attaches a stored claim to an occurrence inside a write: CONFLICT if the claim is attached
 * already or names other participants. Logs a LINKED event on the claim, labelled CLAIM_CONFLICT
 * when the claim disagrees with one already attached, then lets the claim move the occurrence's
 * status forward (statusAfterClaim). Returns the occurrence as it is after.
 */
export async function attachRow(
  tx: Tx,
  record: Recorder,
  claim: ClaimRow,
  occurrence: OccurrenceRow,
): Promise<OccurrenceRow> {
  if (claim.occurrenceId !== null) {
    throw userError(ErrorCode.CONFLICT, 'The claim is already attached to an occurrence.', {
      claimId: encodeGlobalId('Claim', claim.id),
      occurrenceId: encodeGlobalId('Occurrence', claim.occurrenceId),
    });
  }
  await lockAt(tx, occurrence);
  checkSameParticipants(claim, occurrence);
  const { count } = await tx.claim.updateMany({
    where: { id: claim.id, version: claim.version },
    data: { occurrenceId: occurrence.id, version: claim.version + 1 },
  });
  if (count === 0) throw conflict('Claim', null, claim.version);
  {
    const others = await tx.claim.findMany({
      where: { occurrenceId: occurrence.id, id: { not: claim.id } },
      include: CLAIM_INCLUDE,
    });
    const facts = claimFacts(claim);
    const disagrees = conflictsOf([...others.map(claimFacts), facts]).some((found) =>
      found.claims.includes(facts),
    );
    await record({
      kind: 'LINKED',
      label: disagrees ? 'CLAIM_CONFLICT' : null,
      entityType: 'Claim',
      entityId: claim.id,
      entityVersion: claim.version + 1,
      changes: [
        { field: 'occurrence', before: null, after: encodeGlobalId('Occurrence', occurrence.id) },
      ],
      relatedIds: await relatedIds(tx, 'Claim', claim.id),
    });
  }
  return advanceStatus(tx, record, occurrence, claim);
}

/**
 * Locks an occurrence's row until the commit, CONFLICT if it is no longer at the version read:
 * a claim attached meanwhile could otherwise name the participants an edit just replaced.
 */
export async function lockAt(tx: Tx, occurrence: { id: number; version: number }): Promise<void> {
  const [row] = await tx.$queryRaw<{ version: number }[]>`
    SELECT version FROM "Occurrence" WHERE id = ${occurrence.id} FOR NO KEY UPDATE`;
  if (row?.version !== occurrence.version) throw conflict('Occurrence', null, occurrence.version);
}

/** Moves an occurrence's status as a newly attached claim says (only forward), logging it. */
export async function advanceStatus(
  tx: Tx,
  record: Recorder,
  occurrence: OccurrenceRow,
  claim: ClaimRow,
): Promise<OccurrenceRow> {
  const next = statusAfterClaim(occurrence.status, rangeOf(occurrence) ?? rangeOf(claim), {
    modality: claim.modality,
    sourceKind: (claim.attributionKind as SourceKind | null) ?? null,
    publishedAt: claim.article.publishedAt,
  });
  return next ? applyChange(tx, record, occurrence, { status: next }) : occurrence;
}
