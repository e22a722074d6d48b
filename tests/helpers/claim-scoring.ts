// Scores extracted claims against labelled ones (tests/fixtures/ingest/README.md, "Claims"), and
// builds, without a database, the known story the labelled articles are analysed against.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attribution } from '../../src/story/ingest/attributions.ts';
import type { KnownEntities } from '../../src/story/ingest/known.ts';
import { fold } from '../../src/story/ingest/text.ts';
import type { ClaimDraft } from '../../src/story/occurrences.ts';
import * as seed from '../../src/story/seed-story.ts';
import { FIXTURES_DIR, type LabelledClaim } from './ingest-fixtures.ts';

/** The seed story and the labelled set's entities, with numeric ids, and each id's `type:slug`. */
export function fixtureKnownEntities(): { known: KnownEntities; slugOf: (ref: Ref) => string } {
  const file = JSON.parse(readFileSync(join(FIXTURES_DIR, 'entities.json'), 'utf8')) as {
    leaders: { slug: string; name: string; aliases: string[]; country: string }[];
    organizations: { slug: string; name: string; acronym: string | null }[];
    summits: { slug: string; name: string; organizer: string; city: string; startsOn: string }[];
  };
  const unique = <T extends { slug: string }>(list: T[]) =>
    list.filter((item, i) => list.findIndex((other) => other.slug === item.slug) === i);
  const leaders = unique([...seed.leaders, ...file.leaders]);
  const organizations = unique([...seed.organizations, ...file.organizations]);
  const summits = unique([...seed.summits, ...file.summits]);
  const slugs = new Map<string, string>();
  const known: KnownEntities = {
    leaders: leaders.map((leader, i) => {
      slugs.set(`Leader:${i + 1}`, `leader:${leader.slug}`);
      return { id: i + 1, name: leader.name, aliases: leader.aliases, country: leader.country };
    }),
    organizations: organizations.map((organization, i) => {
      slugs.set(`Organization:${i + 1}`, `organization:${organization.slug}`);
      return { id: i + 1, name: organization.name, acronym: organization.acronym };
    }),
    summits: summits.map((summit, i) => {
      slugs.set(`Summit:${i + 1}`, `summit:${summit.slug}`);
      const organizer = organizations.findIndex((o) => o.slug === summit.organizer);
      return {
        id: i + 1,
        name: summit.name,
        organizerId: organizer === -1 ? null : organizer + 1,
        city: summit.city,
        startsOn: new Date(`${summit.startsOn}T00:00:00Z`),
      };
    }),
  };
  return { known, slugOf: (ref) => slugs.get(`${ref.type}:${ref.id}`) ?? `${ref.type}:${ref.id}` };
}

type Ref = { type: string; id: number };

/** A predicted claim as the scoring compares it. */
export interface ScoredClaim {
  draft: ClaimDraft;
  participants: string[];
  /** The attribution's text, or null for the article's own voice. */
  source: string | null;
}

/** Prepares an article's drafts for {@link scoreClaims}. */
export function toScored(
  drafts: readonly ClaimDraft[],
  attributions: readonly Attribution[],
  slugOf: (ref: Ref) => string,
): ScoredClaim[] {
  return drafts.map((draft) => ({
    draft,
    participants: draft.participants.map(slugOf).sort(),
    source:
      draft.attribution === null ? null : (attributions[draft.attribution]?.span.text ?? null),
  }));
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** Whether a predicted claim is the labelled one: evidence overlaps, kind and participants agree. */
export function matches(p: ScoredClaim, g: LabelledClaim): boolean {
  const e = p.draft.evidence;
  return (
    e.inHeadline === g.evidence.inHeadline &&
    e.start < g.evidence.end &&
    g.evidence.start < e.end &&
    p.draft.kind === g.kind &&
    p.participants.join(',') === g.participants.join(',')
  );
}

/** Running totals over articles; read the figures with {@link claimFigures}. */
export interface ClaimTally {
  predicted: number;
  labelled: number;
  right: number;
  found: number;
  modality: number;
  when: number;
  source: number;
  /** Sums of per-claim B-cubed precision and recall, over matched claims. */
  bPrecision: number;
  bRecall: number;
  matched: number;
  notes: string[];
}

export const emptyTally = (): ClaimTally => ({
  predicted: 0,
  labelled: 0,
  right: 0,
  found: 0,
  modality: 0,
  when: 0,
  source: 0,
  bPrecision: 0,
  bRecall: 0,
  matched: 0,
  notes: [],
});

/**
 * Adds one article to `tally`: each label is paired with the first unpaired prediction that
 * matches it; modality, time (from, to and precision equal) and source (the same text, ignoring
 * case and a leading article) are counted on the pairs; clustering is scored with B-cubed over the
 * paired claims, `clusters` being the predicted groups of prediction indexes.
 */
export function scoreClaims(
  tally: ClaimTally,
  file: string,
  predicted: readonly ScoredClaim[],
  labelled: readonly LabelledClaim[],
  clusters: readonly number[][],
): void {
  tally.predicted += predicted.length;
  tally.labelled += labelled.length;
  const pairOf = new Map<number, number>(); // label index → prediction index
  const used = new Set<number>();
  labelled.forEach((g, gi) => {
    const pi = predicted.findIndex((p, i) => !used.has(i) && matches(p, g));
    if (pi === -1) {
      tally.notes.push(`${file} missed: ${g.kind} ${g.participants} "${g.evidence.text}"`);
      return;
    }
    used.add(pi);
    pairOf.set(gi, pi);
  });
  tally.found += pairOf.size;
  tally.right += predicted.filter((p) => labelled.some((g) => matches(p, g))).length;
  for (const p of predicted) {
    if (!labelled.some((g) => matches(p, g)))
      tally.notes.push(
        `${file} extra: ${p.draft.kind} ${p.participants} ${p.draft.modality} "${p.draft.evidence.exact}"`,
      );
  }
  const clean = (s: string | null) => (s === null ? null : fold(s).replace(/^(?:the|a|an)\s+/, ''));
  const clusterOf = (pi: number) => clusters.findIndex((c) => c.includes(pi));
  for (const [gi, pi] of pairOf) {
    const g = labelled[gi] as LabelledClaim;
    const p = predicted[pi] as ScoredClaim;
    const why: string[] = [];
    if (p.draft.modality === g.modality) tally.modality++;
    else why.push(`modality ${p.draft.modality}≠${g.modality}`);
    const w = p.draft.when;
    const sameWhen =
      (w === null && g.when === null) ||
      (w !== null &&
        g.when !== null &&
        day(w.from) === g.when.from &&
        day(w.to) === g.when.to &&
        w.precision === g.when.precision);
    if (sameWhen) tally.when++;
    else why.push(`when ${w ? `${day(w.from)}..${day(w.to)} ${w.precision}` : '-'}`);
    if (clean(p.source) === clean(g.source)) tally.source++;
    else why.push(`source ${p.source ?? '-'}≠${g.source ?? '-'}`);
    if (why.length) tally.notes.push(`${file} "${g.evidence.text}": ${why.join(', ')}`);
    // B-cubed: among the paired claims, who shares this one's predicted and labelled group.
    const pairs = [...pairOf];
    const inPredicted = pairs.filter(([, pj]) => clusterOf(pj) === clusterOf(pi));
    const inLabelled = pairs.filter(([gj]) => labelled[gj]?.occurrence === g.occurrence);
    const both = inPredicted.filter(([gj]) => labelled[gj]?.occurrence === g.occurrence);
    tally.bPrecision += both.length / inPredicted.length;
    tally.bRecall += both.length / inLabelled.length;
    tally.matched++;
  }
}

/** The figures of a tally: precision, recall, accuracies on matched claims, B-cubed F1. */
export function claimFigures(t: ClaimTally) {
  const ratio = (a: number, b: number) => (b ? a / b : 1);
  const bp = ratio(t.bPrecision, t.matched);
  const br = ratio(t.bRecall, t.matched);
  return {
    precision: ratio(t.right, t.predicted),
    recall: ratio(t.found, t.labelled),
    modalityAccuracy: ratio(t.modality, t.found),
    whenAccuracy: ratio(t.when, t.found),
    sourceAccuracy: ratio(t.source, t.found),
    clusteringF1: bp + br ? (2 * bp * br) / (bp + br) : 0,
    predicted: t.predicted,
    labelled: t.labelled,
  };
}

/** The figures of a tally as lines for the test output: totals, then every miss. */
export function describeFigures(title: string, t: ClaimTally): string {
  const f = claimFigures(t);
  const pct = (n: number) => n.toFixed(3);
  return [
    `${title}: ${f.predicted} found, ${f.labelled} labelled`,
    `  precision ${pct(f.precision)}  recall ${pct(f.recall)}`,
    `  on matched claims: modality ${pct(f.modalityAccuracy)}  when ${pct(f.whenAccuracy)}  source ${pct(f.sourceAccuracy)}`,
    `  occurrence clustering B-cubed F1 ${pct(f.clusteringF1)}`,
    ...t.notes.map((n) => `  ${n}`),
  ].join('\n');
}
