// The timeline's entries at a position of the log: the same rows story/timeline-rows.ts reads
// from the database, made from the folded tables, so `asOf { timeline }` orders, filters and pages
// with the same rules (story/timeline.ts) as the present one.
import type { Claim, Occurrence, Summit } from '../../generated/prisma/client.ts';
import { encodeGlobalId } from '../global-id.ts';
import { PARTICIPANT_COLUMNS } from '../registry.ts';
import { summitWhen, type TimelineRow } from '../timeline.ts';
import type { Tables } from './tables.ts';

/** Earliest of two instants, either possibly missing. */
const earliest = (a: Date | null | undefined, b: Date | null | undefined) =>
  !a ? (b ?? null) : !b ? a : a.getTime() <= b.getTime() ? a : b;

/** Every timeline entry of the tables, unfiltered and unordered. */
export function timelineRowsOf(tables: Tables): TimelineRow[] {
  const published = new Map<number, Date>();
  for (const article of tables.article.values()) published.set(article.id, article.publishedAt);
  const claimsOf = new Map<number, Claim[]>();
  const claimsPartOf = new Map<number, Claim[]>();
  for (const claim of tables.claim.values()) {
    if (claim.occurrenceId != null) push(claimsOf, claim.occurrenceId, claim);
    if (claim.partOfSummitId != null) push(claimsPartOf, claim.partOfSummitId, claim);
  }
  const who = new Map<number, string[]>();
  for (const participant of tables.occurrenceParticipant.values()) {
    for (const [type, column] of Object.entries(PARTICIPANT_COLUMNS)) {
      const id = participant[column];
      if (id != null) push(who, participant.occurrenceId, encodeGlobalId(type, id));
    }
  }
  const attendees = new Map<number, string[]>();
  for (const participation of tables.participation.values()) {
    push(attendees, participation.summitId, encodeGlobalId('Leader', participation.leaderId));
  }
  const mentionedFirst = new Map<number, Date>();
  for (const mention of tables.summitMention.values()) {
    const at = earliest(mentionedFirst.get(mention.summitId), published.get(mention.articleId));
    if (at) mentionedFirst.set(mention.summitId, at);
  }
  const firstReport = (claims: Claim[] | undefined, from: Date | null = null) =>
    (claims ?? []).reduce<Date | null>(
      (at, claim) => earliest(at, published.get(claim.articleId)),
      from,
    );

  const rows: TimelineRow[] = [];
  for (const occurrence of tables.occurrence.values() as Iterable<Occurrence>) {
    if (!occurrence.whenFrom || !occurrence.whenTo) continue;
    const claims = claimsOf.get(occurrence.id);
    rows.push({
      type: 'Occurrence',
      id: occurrence.id,
      from: occurrence.whenFrom,
      to: occurrence.whenTo,
      precision: occurrence.whenPrecision ?? 'DAY',
      createdAt: occurrence.createdAt,
      status: occurrence.status,
      kind: occurrence.kind,
      claimCount: claims?.length ?? 0,
      mentions: [
        ...(who.get(occurrence.id) ?? []),
        ...(occurrence.partOfSummitId != null
          ? [encodeGlobalId('Summit', occurrence.partOfSummitId)]
          : []),
      ],
      firstReportedAt: firstReport(claims),
    });
  }
  for (const summit of tables.summit.values() as Iterable<Summit>) {
    const claims = claimsPartOf.get(summit.id);
    rows.push({
      type: 'Summit',
      id: summit.id,
      ...summitWhen(summit),
      createdAt: summit.createdAt,
      status: summit.status,
      kind: null,
      claimCount: claims?.length ?? 0,
      mentions: [
        encodeGlobalId('Summit', summit.id),
        ...(attendees.get(summit.id) ?? []),
        ...(summit.organizerId != null ? [encodeGlobalId('Organization', summit.organizerId)] : []),
      ],
      firstReportedAt: firstReport(claims, mentionedFirst.get(summit.id) ?? null),
    });
  }
  return rows;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
