// Claims: what articles say happens. Ingestion records them (recordClaims), attaching each to the
// one occurrence it is about or leaving it as a proposal; editors attach, detach and rank them,
// or accept a proposal as a new occurrence. Deleting an occurrence detaches its claims here too.
import { ErrorCode, userError } from '../core/errors.ts';
import type { Claim } from '../generated/prisma/client.ts';
import type { ClaimFoldDetail } from './as-of/details.ts';
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
import { deleteRow } from './entity-writes.ts';
import { encodeGlobalId, idOf } from './global-id.ts';
import type { Attribution } from './ingest/attributions.ts';
import {
  CLAIM_INCLUDE,
  defaultRole,
  OCCURRENCE_INCLUDE,
  type OccurrenceRow,
  participantColumns,
  participantOf,
  partOfId,
  rangeColumns,
  rangeJson,
  rangeOf,
} from './occurrence-rows.ts';
import { matchOccurrence } from './occurrence-rules.ts';
import {
  advanceStatus,
  attachRow,
  insertOccurrence,
  lockAt,
  readClaim,
  readOccurrence,
} from './occurrence-writes.ts';
import type { ClaimDraft, ClaimModality, ClaimRank, OccurrenceStatus } from './occurrences.ts';
import { PART_OF_COLUMNS, PARTICIPANT_COLUMNS, type ParticipantType } from './registry.ts';
import { relatedIds } from './related.ts';

/** Which claim and which occurrence an attach or detach is about, as global IDs. */
export interface ClaimLink {
  claimId: string;
  occurrenceId: string;
}

/** A claim after an attach or detach, by row id, with the occurrence as it is now. */
export interface ClaimLinked {
  claimId: number;
  occurrence: OccurrenceRow;
}

/** Attaches a stored claim to an occurrence in its own write (see attachRow for the rules). */
export async function attachClaim(writer: Writer, link: ClaimLink): Promise<ClaimLinked> {
  const claimId = idOf('Claim', link.claimId);
  const occurrenceId = idOf('Occurrence', link.occurrenceId);
  const { result } = await writeChange(writer, async (tx, record) => {
    const claim = await readClaim(tx, claimId, link.claimId);
    const occurrence = await readOccurrence(tx, occurrenceId, link.occurrenceId);
    return { claimId, occurrence: await attachRow(tx, record, claim, occurrence) };
  });
  return result;
}

/**
 * Detaches a claim from the occurrence it is attached to, making it a proposal again: CONFLICT if
 * it is not attached to that occurrence. The occurrence's status stays as it is.
 */
export async function detachClaim(writer: Writer, link: ClaimLink): Promise<ClaimLinked> {
  const claimId = idOf('Claim', link.claimId);
  const occurrenceId = idOf('Occurrence', link.occurrenceId);
  const { result } = await writeChange(writer, async (tx, record) => {
    const claim = await readClaim(tx, claimId, link.claimId);
    const occurrence = await readOccurrence(tx, occurrenceId, link.occurrenceId);
    if (claim.occurrenceId !== occurrenceId) {
      throw userError(ErrorCode.CONFLICT, 'The claim is not attached to this occurrence.', {
        claimId: link.claimId,
        occurrenceId: link.occurrenceId,
      });
    }
    await unlinkClaim(tx, record, claim, link.occurrenceId);
    return { claimId, occurrence };
  });
  return result;
}

/** Detaches a claim read in this write from its occurrence, logging an UNLINKED event. */
async function unlinkClaim(
  tx: Tx,
  record: Recorder,
  claim: { id: number; version: number },
  occurrenceId: string,
): Promise<void> {
  const { count } = await tx.claim.updateMany({
    where: { id: claim.id, version: claim.version },
    data: { occurrenceId: null, version: claim.version + 1 },
  });
  if (count === 0) throw conflict('Claim', null, claim.version);
  await record({
    kind: 'UNLINKED',
    entityType: 'Claim',
    entityId: claim.id,
    entityVersion: claim.version + 1,
    changes: [{ field: 'occurrence', before: occurrenceId, after: null }],
    // The occurrence it left hears of it too.
    relatedIds: [...(await relatedIds(tx, 'Claim', claim.id)), occurrenceId],
  });
}

/**
 * Deletes an occurrence (at `expectedVersion` when given) with its participants. Its claims become
 * proposals again: each is detached first, as detachClaim would, so the claim's own followers
 * and the log hear of it in the same commit as the deletion.
 */
export async function deleteOccurrence(
  writer: Writer,
  target: { id: string; expectedVersion?: number | null },
): Promise<void> {
  const id = idOf('Occurrence', target.id);
  await writeChange(writer, async (tx, record) => {
    const current = await readOccurrence(tx, id, target.id);
    if (target.expectedVersion != null) checkVersion('Occurrence', current, target.expectedVersion);
    // Locked first, as attachRow does, so no claim attaches between the detaching and the delete.
    await lockAt(tx, current);
    const claims = await tx.claim.findMany({
      where: { occurrenceId: id },
      select: { id: true, version: true },
      orderBy: { id: 'asc' },
    });
    for (const claim of claims) await unlinkClaim(tx, record, claim, target.id);
    await deleteRow(tx, record, 'Occurrence', current);
  });
}

/** Sets a claim's rank. */
export async function rankClaim(
  writer: Writer,
  input: { claimId: string; rank: ClaimRank },
): Promise<{ id: number }> {
  const claimId = idOf('Claim', input.claimId);
  const { result } = await writeChange(writer, async (tx, record) => {
    const claim = await readClaim(tx, claimId, input.claimId);
    if (claim.rank === input.rank) return claim;
    const row = await tx.claim.update({
      where: { id: claimId },
      data: { rank: input.rank, version: claim.version + 1 },
    });
    await record({
      kind: 'UPDATED',
      entityType: 'Claim',
      entityId: claimId,
      entityVersion: row.version,
      changes: diffFields({ rank: claim.rank }, { rank: row.rank }, ['rank']),
      relatedIds: await relatedIds(tx, 'Claim', claimId),
    });
    return row;
  });
  return result;
}

/**
 * The status an accepted proposal starts with when the editor gives none. A plan is ANNOUNCED
 * when a government or official says so, and only EXPECTED on anyone else's word.
 */
function statusOfProposal(claim: {
  modality: ClaimModality;
  attributionKind: string | null;
}): OccurrenceStatus {
  const official = claim.attributionKind === 'GOVERNMENT' || claim.attributionKind === 'OFFICIAL';
  return claim.modality === 'PLANNED' && !official
    ? 'EXPECTED'
    : STATUS_OF_MODALITY[claim.modality];
}

const STATUS_OF_MODALITY: Record<ClaimModality, OccurrenceStatus> = {
  PLANNED: 'ANNOUNCED',
  EXPECTED: 'EXPECTED',
  CONFIRMED: 'CONFIRMED',
  REPORTED: 'ANNOUNCED',
  DENIED: 'EXPECTED',
  POSTPONED: 'POSTPONED',
  CANCELLED: 'CANCELLED',
};

/**
 * Accepts a proposal (a stored claim of the article that is attached to nothing): creates the
 * occurrence it describes (kind, participants, when, place, partOf) and attaches the claim.
 * NOT_FOUND for an unknown article or a claim of another article; CONFLICT once attached.
 */
export async function acceptOccurrenceProposal(
  writer: Writer,
  input: { articleId: string; proposalId: string; status?: OccurrenceStatus | null },
): Promise<OccurrenceRow> {
  const articleId = idOf('Article', input.articleId);
  const claimId = idOf('Claim', input.proposalId);
  const { result } = await writeChange(writer, async (tx, record) => {
    const claim = await tx.claim.findUnique({ where: { id: claimId }, include: CLAIM_INCLUDE });
    if (!claim || claim.articleId !== articleId) notFound('proposal', input.proposalId);
    if (claim.occurrenceId !== null) {
      throw userError(ErrorCode.CONFLICT, 'This proposal was accepted already.', {
        occurrenceId: encodeGlobalId('Occurrence', claim.occurrenceId),
      });
    }
    // The article's other proposals that describe the same occurrence go with it (a headline's
    // plan and the body's expectation of one meeting are accepted once, not claim by claim), and
    // fill in what the accepted one leaves out: the summit, the place, the time.
    const facts = (row: typeof claim) => ({
      kind: row.kind,
      participants: row.participants.map(participantOf),
      when: rangeOf(row),
      place: row.place,
    });
    const siblings = (
      await tx.claim.findMany({
        where: { articleId, occurrenceId: null, id: { not: claim.id } },
        include: CLAIM_INCLUDE,
        orderBy: { id: 'asc' },
      })
    ).filter((sibling) => matchOccurrence(facts(sibling), [{ id: claim.id, ...facts(claim) }]));
    const cluster = [claim, ...siblings];
    const occurrence = await insertOccurrence(tx, record, {
      kind: claim.kind,
      cameoCode: claim.cameoCode,
      status: input.status ?? statusOfProposal(claim),
      when: cluster.map(rangeOf).find(Boolean) ?? null,
      place: cluster.find((row) => row.place)?.place ?? null,
      partOf: cluster.map(partOfId).find(Boolean) ?? null,
      participants: claim.participants.map((row, index) => {
        const ref = participantOf(row);
        return { entity: encodeGlobalId(ref.type, ref.id), role: defaultRole(index) };
      }),
    });
    let current = occurrence;
    for (const row of cluster) current = await attachRow(tx, record, row, current);
    return current;
  });
  return result;
}

/** The fold's detail of a claim just written, from the row in hand (no read back). */
function claimDetail(
  { id, createdAt, updatedAt, ...claim }: Claim,
  participants: ClaimFoldDetail['participants'],
): ClaimFoldDetail {
  return { claim, participants };
}

/** What recordClaims writes for one article. */
export interface ClaimsOfArticle {
  articleId: number;
  drafts: ClaimDraft[];
  /** The article's attributions, which `ClaimDraft.attribution` indexes. */
  attributions: Attribution[];
}

/**
 * Writes the claims of one article inside the caller's write, in the order given, each with one
 * CLAIM_RECORDED event (related to the article, participants and occurrence). Each is attached to
 * the one occurrence matchOccurrence finds among those that share a participant with it, and may
 * move its status forward; otherwise it stays a proposal: no occurrence is created here. In bulk:
 * one read of the candidate occurrences and two inserts, however many claims the article makes
 * (ingestion's statements do not grow with its text). Returns the claims' ids, in order.
 */
export async function recordClaims(
  tx: Tx,
  record: Recorder,
  input: ClaimsOfArticle,
): Promise<number[]> {
  const { drafts } = input;
  if (drafts.length === 0) return [];
  const people = new Map(
    drafts.flatMap((draft) => draft.participants).map((p) => [`${p.type}:${p.id}`, p] as const),
  );
  const candidates = (
    await tx.occurrence.findMany({
      where: {
        participants: { some: { OR: [...people.values()].map(participantColumns).map(only) } },
      },
      include: OCCURRENCE_INCLUDE,
      orderBy: { id: 'asc' },
    })
  ).map((row) => ({
    ...row,
    when: rangeOf(row),
    participants: row.participants.map(participantOf),
    row,
  }));
  const matches = drafts.map((draft) => matchOccurrence(draft, candidates));
  const attributions = drafts.map((draft) =>
    draft.attribution === null ? null : (input.attributions[draft.attribution] ?? null),
  );
  // Ids come from one sequence in row order, so sorting them gives the drafts' order back.
  const created = (
    await tx.claim.createManyAndReturn({
      data: drafts.map((draft, i) =>
        claimColumns(input.articleId, draft, attributions[i] ?? null, matches[i]?.id ?? null),
      ),
    })
  ).sort((a, b) => a.id - b.id);
  await tx.claimParticipant.createMany({
    data: created.flatMap((claim, i) =>
      (drafts[i] as ClaimDraft).participants.map((p) => ({
        claimId: claim.id,
        ...participantColumns(p),
      })),
    ),
  });
  for (const [i, claim] of created.entries()) {
    const draft = drafts[i] as ClaimDraft;
    const match = matches[i] ?? null;
    await record({
      kind: 'CREATED',
      label: 'CLAIM_RECORDED',
      entityType: 'Claim',
      entityId: claim.id,
      entityVersion: claim.version,
      detail: claimDetail(claim, draft.participants.map(participantColumns)),
      changes: diffFields(
        { occurrence: null, kind: null, modality: null, when: null, place: null },
        {
          occurrence: match ? encodeGlobalId('Occurrence', match.id) : null,
          kind: draft.kind,
          modality: draft.modality,
          when: rangeJson(draft.when),
          place: draft.place,
        },
        ['occurrence', 'kind', 'modality', 'when', 'place'],
      ),
      // What relatedIds would read back for the row, in the registry's order, without reading.
      relatedIds: [
        encodeGlobalId('Article', input.articleId),
        ...(match ? [encodeGlobalId('Occurrence', match.id)] : []),
        ...(Object.keys(PARTICIPANT_COLUMNS) as ParticipantType[]).flatMap((type) =>
          draft.participants.filter((p) => p.type === type).map((p) => encodeGlobalId(type, p.id)),
        ),
        ...(draft.partOf ? [encodeGlobalId(draft.partOf.type, draft.partOf.id)] : []),
      ],
    });
  }
  // Status moves only where a claim found its occurrence: one read and write per such claim.
  for (const [i, match] of matches.entries()) {
    if (!match) continue;
    const claim = await tx.claim.findUniqueOrThrow({
      where: { id: (created[i] as { id: number }).id },
      include: CLAIM_INCLUDE,
    });
    const current = await tx.occurrence.findUniqueOrThrow({
      where: { id: match.id },
      include: OCCURRENCE_INCLUDE,
    });
    await advanceStatus(tx, record, current, claim);
  }
  return created.map((claim) => claim.id);
}

/** The columns of one claim row (its participants are rows of their own). */
function claimColumns(
  articleId: number,
  draft: ClaimDraft,
  attribution: Attribution | null,
  occurrenceId: number | null,
) {
  return {
    articleId,
    occurrenceId,
    kind: draft.kind,
    cameoCode: draft.cameoCode,
    modality: draft.modality,
    ...rangeColumns(draft.when),
    place: draft.place,
    ...(draft.partOf ? { [PART_OF_COLUMNS[draft.partOf.type]]: draft.partOf.id } : {}),
    attributionName: attribution?.source.name ?? null,
    attributionKind: attribution?.source.kind ?? null,
    attributionStart: attribution?.span.start ?? null,
    attributionEnd: attribution?.span.end ?? null,
    attributionInHeadline: attribution?.inHeadline ?? null,
    evidenceStart: draft.evidence.start,
    evidenceEnd: draft.evidence.end,
    evidenceExact: draft.evidence.exact,
    evidencePrefix: draft.evidence.prefix,
    evidenceSuffix: draft.evidence.suffix,
    evidenceInHeadline: draft.evidence.inHeadline,
    confidence: draft.confidence,
  };
}

/** A participant's columns without the null one, as a Prisma condition. */
const only = (columns: Record<string, number | null>) =>
  Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== null));
