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

/**
 * The headline's source ("…: Russia state media") also speaks for the body's unsourced claims of
 * the same occurrence: those {@link clusterClaims} puts with a sourced headline claim.
 */
export function inheritHeadlineSource(claims: ClaimDraft[]): void {
  for (const group of clusterClaims(claims)) {
    const head = group.map((i) => claims[i] as ClaimDraft).find((c) => c.evidence.inHeadline);
    if (!head || head.attribution === null) continue;
    for (const i of group) {
      const claim = claims[i] as ClaimDraft;
      if (!claim.evidence.inHeadline && claim.attribution === null)
        claim.attribution = head.attribution;
    }
  }
}

/** Whether two claims can describe one occurrence (see {@link clusterClaims}). */
export function compatible(a: ClaimDraft, b: ClaimDraft): boolean {
  if (!kindsAgree(a.kind, b.kind)) return false;
  if ((a.cameoCode === '043') !== (b.cameoCode === '043')) {
    // "Macron welcomed Xi" and "Xi landed in Paris": the guest's trip is the visit hosted.
    const [host, trip] = a.cameoCode === '043' ? [a, b] : [b, a];
    const guest =
      trip.participants.length < host.participants.length &&
      trip.participants.every((p) =>
        host.participants.some((h) => h.type === p.type && h.id === p.id),
      );
    if (trip.kind !== 'VISIT' || !guest) return false;
  } else if (!sameParticipants(a.participants, b.participants)) return false;
  if (a.when && b.when && (a.when.from > b.when.to || b.when.from > a.when.to)) return false;
  if (a.partOf && b.partOf && a.partOf.id !== b.partOf.id) return false;
  // A meeting's place comes at many grains ("Bali", "Nusa Dua"); a visit's is where it goes,
  // unless both are dated to the same days ("arrived in Moscow", "his trip to Russia").
  // A headline names the country where the body names the city ("arrives in Russia", "arrived
  // in Vladivostok"), when both say the same of it.
  const dated =
    (a.when !== null && b.when !== null) ||
    (a.evidence.inHeadline !== b.evidence.inHeadline && a.modality === b.modality);
  if (a.kind === 'VISIT' && !dated && a.place && b.place && !placesAgree(a.place, b.place))
    return false;
  return true;
}

/** How long before the story's first dated claim a claim is background ("they last met in 2019"). */
const BACKGROUND_DAYS = 31;

/**
 * Groups the drafts (indexes) that describe the same occurrence: the same kind (a meeting and
 * talks count as one), the same participants, times that overlap or are unknown, the same summit
 * if both name one and, for visits, agreeing places. Each draft joins the first group it agrees
 * with in full, so one claim without a time can not join two groups that disagree. Two readings
 * of news keep the article's present apart from its past: a claim without a time is about the
 * story (dated by its first dated claim), not about an occurrence dated more than a month before
 * it; and "again" ("will not meet Xi again") names another occurrence than the ones before it.
 */
export function clusterClaims(drafts: readonly ClaimDraft[]): number[][] {
  const story = drafts.find((d) => d.when)?.when ?? null;
  const background = (d: ClaimDraft) =>
    story !== null &&
    d.when !== null &&
    // The middle of its days: "met in May" is background to a story on 22 June.
    (d.when.from.getTime() + d.when.to.getTime()) / 2 <
      story.from.getTime() - BACKGROUND_DAYS * 86_400_000;
  const fits = (a: ClaimDraft, b: ClaimDraft) =>
    compatible(a, b) && !((a.when === null && background(b)) || (b.when === null && background(a)));
  const groups: number[][] = [];
  drafts.forEach((draft, i) => {
    const again = draft.when === null && repeats(draft);
    const group = again
      ? undefined
      : groups.find((g) => g.every((j) => fits(drafts[j] as ClaimDraft, draft)));
    if (group) group.push(i);
    else groups.push([i]);
  });
  return groups;
}

/** Whether the claim's clause says it happens again ("meet again", "once again met"). */
function repeats(draft: ClaimDraft): boolean {
  const after = draft.evidence.suffix.split(/[.;!?]/)[0] ?? '';
  return /\bagain\b/i.test(after) || /\bonce again\s+$/i.test(draft.evidence.prefix);
}
