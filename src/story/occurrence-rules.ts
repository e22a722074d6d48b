// The rules of occurrences and claims that need no database: which occurrence a claim is about,
// where attached claims disagree, and how a claim moves an occurrence's status. Pure, so that the
// story layer, ingestion and the unit tests share them.
import type { SourceKind } from './ingest/attributions.ts';
import { fold } from './ingest/text.ts';
import {
  type ClaimDraft,
  type ClaimModality,
  type ClaimRank,
  type OccurrenceKind,
  type OccurrenceStatus,
  STATUS_ORDER,
  type TimeRange,
} from './occurrences.ts';
import type { ParticipantType } from './registry.ts';

/** A leader or organization taking part, by row id. */
export interface ParticipantRef {
  type: ParticipantType;
  id: number;
}

/** Whether two participant lists name the same set (order and repeats aside). */
export function sameParticipants(a: ParticipantRef[], b: ParticipantRef[]): boolean {
  const key = (p: ParticipantRef) => `${p.type}:${p.id}`;
  const left = new Set(a.map(key));
  const right = new Set(b.map(key));
  return left.size === right.size && [...left].every((k) => right.has(k));
}

/** Whether two day ranges share at least one day (both ends included). */
export function overlaps(a: TimeRange, b: TimeRange): boolean {
  return a.from.getTime() <= b.to.getTime() && b.from.getTime() <= a.to.getTime();
}

/**
 * Whether two place names can name the place of one occurrence: the same name (case, accents and
 * spacing aside), one inside the other ("Samarkand", "Samarkand, Uzbekistan"), or either a
 * region ("Central Asia"), which any place in it agrees with. Clustering an article's claims and
 * matching a claim to a stored occurrence use this one rule.
 */
export function placesAgree(a: string, b: string): boolean {
  const [x, y] = [fold(a).trim().replace(/\s+/g, ' '), fold(b).trim().replace(/\s+/g, ' ')];
  return x === y || x.includes(y) || y.includes(x) || REGION.test(x) || REGION.test(y);
}

const REGION =
  /\b(?:asia|europe|africa|america|middle east|pacific|gulf|balkans|caucasus|region|abroad)\b/;

/**
 * Meetings and talks are one kind of occurrence when an article's claims are clustered (articles
 * call one the other); a claim is matched to a stored occurrence of its own kind only.
 */
const MEETS = new Set<OccurrenceKind>(['MEETING', 'TALKS']);

/** Whether two kinds can describe one occurrence. */
export function kindsAgree(a: OccurrenceKind, b: OccurrenceKind): boolean {
  return a === b || (MEETS.has(a) && MEETS.has(b));
}

/** An existing occurrence, as {@link matchOccurrence} compares it with a claim. */
export interface OccurrenceCandidate {
  id: number;
  kind: OccurrenceKind;
  participants: ParticipantRef[];
  when: TimeRange | null;
  place: string | null;
}

/**
 * The occurrence a claim is about: the one candidate of the same kind with the same set of
 * participants, whose `when` overlaps the claim's (or either is unknown) and whose place agrees
 * (or either is unknown). Null when none fits, or when several do: a claim that could be about
 * two occurrences stays a proposal for an editor to settle.
 */
export function matchOccurrence<Candidate extends OccurrenceCandidate>(
  draft: Pick<ClaimDraft, 'kind' | 'participants' | 'when' | 'place'>,
  candidates: readonly Candidate[],
): Candidate | null {
  const fits = candidates.filter(
    (candidate) =>
      candidate.kind === draft.kind &&
      sameParticipants(candidate.participants, draft.participants) &&
      (!draft.when || !candidate.when || overlaps(draft.when, candidate.when)) &&
      (!draft.place || !candidate.place || placesAgree(draft.place, candidate.place)),
  );
  return fits.length === 1 ? (fits[0] as Candidate) : null;
}

/** What {@link conflictsOf} reads of a claim. */
export interface ClaimFacts {
  modality: ClaimModality;
  when: TimeRange | null;
  place: string | null;
  rank: ClaimRank;
}

/** A point where the claims about one occurrence disagree. */
export interface Conflict<Claim> {
  field: 'when' | 'place' | 'modality';
  claims: Claim[];
}

const AFFIRMING: ReadonlySet<ClaimModality> = new Set([
  'PLANNED',
  'EXPECTED',
  'CONFIRMED',
  'REPORTED',
]);

/**
 * Where the claims attached to one occurrence disagree, each with the claims involved (in the
 * order given): `when` ranges that share no day, places that differ, a denial beside a claim that
 * it happens. DEPRECATED claims are set aside: an editor ranked them down.
 */
export function conflictsOf<Claim extends ClaimFacts>(claims: readonly Claim[]): Conflict<Claim>[] {
  const live = claims.filter((claim) => claim.rank !== 'DEPRECATED');
  const conflicts: Conflict<Claim>[] = [];
  const dated = live.filter((claim) => claim.when);
  const disjoint = dated.filter((claim) =>
    dated.some((other) => !overlaps(claim.when as TimeRange, other.when as TimeRange)),
  );
  if (disjoint.length) conflicts.push({ field: 'when', claims: disjoint });
  const placed = live.filter((claim) => claim.place);
  if (placed.some((claim) => !placesAgree(claim.place as string, placed[0]?.place as string))) {
    conflicts.push({ field: 'place', claims: placed });
  }
  const denied = live.filter((claim) => claim.modality === 'DENIED');
  const affirmed = live.filter((claim) => AFFIRMING.has(claim.modality));
  if (denied.length && affirmed.length) {
    conflicts.push({
      field: 'modality',
      claims: live.filter((claim) => claim.modality === 'DENIED' || AFFIRMING.has(claim.modality)),
    });
  }
  return conflicts;
}

/** What {@link statusAfterClaim} reads of a claim and its article. */
export interface StatusEvidence {
  modality: ClaimModality;
  /** The kind of source the claim is attributed to; null for the article's own voice. */
  sourceKind: SourceKind | null;
  /** When the claim's article was published. */
  publishedAt: Date;
}

const DAY_MS = 86_400_000;
/** Whether the claim's article was published after the last day of `when`. */
const after = (when: TimeRange | null, claim: StatusEvidence) =>
  when !== null && claim.publishedAt.getTime() >= when.to.getTime() + DAY_MS;

/**
 * The status a claim moves an occurrence to, or null when it leaves it as it is. Only forward
 * ({@link STATUS_ORDER}): a CONFIRMED claim confirms an EXPECTED or ANNOUNCED occurrence when a
 * government or an official says so; a REPORTED claim, or a government's CONFIRMED one, in an
 * article published after the last day of `when` says it took place; POSTPONED and CANCELLED
 * claims set those statuses.
 */
export function statusAfterClaim(
  current: OccurrenceStatus,
  when: TimeRange | null,
  claim: StatusEvidence,
): OccurrenceStatus | null {
  let next: OccurrenceStatus | null = null;
  switch (claim.modality) {
    case 'CONFIRMED':
      // A government saying it took place ("held talks, the Kremlin said") after it ended.
      if (claim.sourceKind === 'GOVERNMENT' || claim.sourceKind === 'OFFICIAL')
        next = after(when, claim) ? 'OCCURRED' : 'CONFIRMED';
      break;
    case 'REPORTED':
      if (after(when, claim)) next = 'OCCURRED';
      break;
    case 'POSTPONED':
    case 'CANCELLED':
      next = claim.modality;
      break;
  }
  return next && STATUS_ORDER[next] > STATUS_ORDER[current] ? next : null;
}
