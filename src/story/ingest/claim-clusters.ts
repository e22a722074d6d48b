// Which claims describe the same occurrence, and what a claim takes from the others of its
// article (the summit of the meeting a trip is for, the headline's source).
import { kindsAgree, placesAgree, sameParticipants } from '../occurrence-rules.ts';
import type { ClaimDraft, ClaimModality } from '../occurrences.ts';

const FUTURE = new Set<ClaimModality>(['PLANNED', 'EXPECTED', 'CONFIRMED']);

/**
 * A trip by a leader with a planned meeting is the trip to that meeting: a planned or expected
 * visit that names no summit takes the summit, and if it has none its time, from the nearest
 * planned meeting before it that the visitor takes part in.
 */
export function inheritTrip(claims: ClaimDraft[]): void {
  claims.forEach((claim, i) => {
    if (claim.kind !== 'VISIT' || claim.cameoCode === '043' || claim.partOf) return;
    if (claim.modality !== 'PLANNED' && claim.modality !== 'EXPECTED') return;
    const meetings = claims
      .slice(0, i)
      .reverse()
      .filter(
        (c) =>
          kindsAgree(c.kind, 'MEETING') &&
          FUTURE.has(c.modality) &&
          claim.participants.every((p) =>
            c.participants.some((q) => q.type === p.type && q.id === p.id),
          ),
      );
    const summit = meetings.find((c) => c.partOf)?.partOf;
    if (!summit) return;
    claim.partOf = summit;
    claim.when ??= meetings.find((c) => c.when)?.when ?? null;
  });
}

/** The headline's source ("…: Russia state media") also speaks for the body's unsourced claims of the same occurrence. */
export function inheritHeadlineSource(claims: ClaimDraft[]): void {
  for (const head of claims.filter((c) => c.evidence.inHeadline && c.attribution !== null)) {
    for (const claim of claims) {
      if (!claim.evidence.inHeadline && claim.attribution === null && compatible(head, claim))
        claim.attribution = head.attribution;
    }
  }
}

/** Whether two claims can describe one occurrence (see {@link clusterClaims}). */
export function compatible(a: ClaimDraft, b: ClaimDraft): boolean {
  if (!kindsAgree(a.kind, b.kind)) return false;
  if ((a.cameoCode === '043') !== (b.cameoCode === '043')) return false;
  if (!sameParticipants(a.participants, b.participants)) return false;
  if (a.when && b.when && (a.when.from > b.when.to || b.when.from > a.when.to)) return false;
  if (a.partOf && b.partOf && a.partOf.id !== b.partOf.id) return false;
  // A meeting's place comes at many grains ("Bali", "Nusa Dua"); a visit's is where it goes.
  if (a.kind === 'VISIT' && a.place && b.place && !placesAgree(a.place, b.place)) return false;
  return true;
}

/**
 * Groups the drafts (indexes) that describe the same occurrence: the same kind (a meeting and
 * talks count as one), the same participants, times that overlap or are unknown, the same summit
 * if both name one and, for visits, agreeing places. Each draft joins the first group it agrees
 * with in full, so one claim without a time can not join two groups that disagree.
 */
export function clusterClaims(drafts: readonly ClaimDraft[]): number[][] {
  const groups: number[][] = [];
  drafts.forEach((draft, i) => {
    const group = groups.find((g) => g.every((j) => compatible(drafts[j] as ClaimDraft, draft)));
    if (group) group.push(i);
    else groups.push([i]);
  });
  return groups;
}
