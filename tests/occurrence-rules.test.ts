// The pure rules of occurrences: which occurrence a claim is about, where claims disagree, and how
// a claim moves a status. No database.
import { describe, expect, it } from 'vitest';
import {
  conflictsOf,
  matchOccurrence,
  type OccurrenceCandidate,
  statusAfterClaim,
} from '../src/story/occurrence-rules.ts';
import type { TimeRange } from '../src/story/occurrences.ts';

const day = (d: string) => new Date(`${d}T00:00:00.000Z`);
const range = (from: string, to = from): TimeRange => ({
  from: day(from),
  to: day(to),
  precision: 'DAY',
});
const xi = { type: 'Leader' as const, id: 1 };
const putin = { type: 'Leader' as const, id: 2 };
const sco = { type: 'Organization' as const, id: 1 };

const meeting = (id: number, extra: Partial<OccurrenceCandidate> = {}): OccurrenceCandidate => ({
  id,
  kind: 'MEETING',
  participants: [xi, putin],
  when: range('2022-09-15'),
  place: 'Samarkand',
  ...extra,
});
const draft = (extra: Partial<Parameters<typeof matchOccurrence>[0]> = {}) => ({
  kind: 'MEETING' as const,
  participants: [putin, xi],
  when: range('2022-09-14', '2022-09-16'),
  place: 'samarkand ',
  ...extra,
});

describe('matchOccurrence', () => {
  it('finds the one occurrence with the same kind, participant set, overlapping when and place', () => {
    expect(matchOccurrence(draft(), [meeting(1)])?.id).toBe(1);
  });

  it('takes an unknown when or place on either side as agreeing', () => {
    expect(matchOccurrence(draft({ when: null, place: null }), [meeting(1)])?.id).toBe(1);
    expect(matchOccurrence(draft(), [meeting(2, { when: null, place: null })])?.id).toBe(2);
  });

  it('refuses another kind, another participant set, a disjoint when or another place', () => {
    expect(matchOccurrence(draft({ kind: 'CALL' }), [meeting(1)])).toBeNull();
    expect(matchOccurrence(draft({ participants: [xi] }), [meeting(1)])).toBeNull();
    expect(matchOccurrence(draft({ participants: [xi, putin, sco] }), [meeting(1)])).toBeNull();
    expect(matchOccurrence(draft({ when: range('2022-09-17') }), [meeting(1)])).toBeNull();
    expect(matchOccurrence(draft({ place: 'Beijing' }), [meeting(1)])).toBeNull();
  });

  it('leaves a claim that fits two occurrences unattached, and picks the fitting one of several', () => {
    expect(matchOccurrence(draft(), [meeting(1), meeting(2, { place: null })])).toBeNull();
    expect(
      matchOccurrence(draft(), [meeting(1), meeting(2, { when: range('2023-03-20') })])?.id,
    ).toBe(1);
    expect(matchOccurrence(draft(), [])).toBeNull();
  });
});

const claim = (id: number, extra: Partial<Parameters<typeof conflictsOf>[0][number]> = {}) => ({
  id,
  modality: 'PLANNED' as const,
  when: range('2022-09-15'),
  place: 'Samarkand',
  rank: 'NORMAL' as const,
  ...extra,
});

describe('conflictsOf', () => {
  it('finds nothing among agreeing claims', () => {
    expect(conflictsOf([claim(1), claim(2, { when: range('2022-09-14', '2022-09-16') })])).toEqual(
      [],
    );
  });

  it('names disjoint ranges, different places and a denial beside an affirmation', () => {
    const found = conflictsOf([
      claim(1),
      claim(2, { when: range('2022-09-20'), place: 'Beijing' }),
      claim(3, { modality: 'DENIED', when: null, place: null }),
    ]);
    expect(found.map((c) => [c.field, c.claims.map((x) => x.id)])).toEqual([
      ['when', [1, 2]],
      ['place', [1, 2]],
      ['modality', [1, 2, 3]],
    ]);
  });

  it('sets DEPRECATED claims aside', () => {
    expect(conflictsOf([claim(1), claim(2, { place: 'Beijing', rank: 'DEPRECATED' })])).toEqual([]);
  });
});

describe('statusAfterClaim', () => {
  const when = range('2022-09-15', '2022-09-16');
  const evidence = (modality: never | string, sourceKind: string | null, published: string) => ({
    modality: modality as 'CONFIRMED',
    sourceKind: sourceKind as 'GOVERNMENT' | null,
    publishedAt: new Date(published),
  });

  it('confirms an expected or announced occurrence only on a government or official word', () => {
    expect(
      statusAfterClaim('ANNOUNCED', when, evidence('CONFIRMED', 'GOVERNMENT', '2022-09-07')),
    ).toBe('CONFIRMED');
    expect(
      statusAfterClaim('EXPECTED', when, evidence('CONFIRMED', 'OFFICIAL', '2022-09-07')),
    ).toBe('CONFIRMED');
    expect(
      statusAfterClaim('ANNOUNCED', when, evidence('CONFIRMED', 'STATE_MEDIA', '2022-09-07')),
    ).toBeNull();
    expect(
      statusAfterClaim('ANNOUNCED', when, evidence('CONFIRMED', null, '2022-09-07')),
    ).toBeNull();
    expect(
      statusAfterClaim('POSTPONED', when, evidence('CONFIRMED', 'GOVERNMENT', '2022-09-07')),
    ).toBeNull();
  });

  it('marks it OCCURRED on a report published after its last day, not before', () => {
    expect(
      statusAfterClaim('CONFIRMED', when, evidence('REPORTED', null, '2022-09-17T08:00:00Z')),
    ).toBe('OCCURRED');
    expect(
      statusAfterClaim('CONFIRMED', when, evidence('REPORTED', null, '2022-09-16T20:00:00Z')),
    ).toBeNull();
    expect(
      statusAfterClaim('CONFIRMED', null, evidence('REPORTED', null, '2022-09-17')),
    ).toBeNull();
  });

  it('postpones and cancels, but never moves backwards', () => {
    expect(statusAfterClaim('CONFIRMED', when, evidence('POSTPONED', null, '2022-09-10'))).toBe(
      'POSTPONED',
    );
    expect(statusAfterClaim('POSTPONED', when, evidence('CANCELLED', null, '2022-09-10'))).toBe(
      'CANCELLED',
    );
    expect(
      statusAfterClaim('OCCURRED', when, evidence('POSTPONED', null, '2022-09-20')),
    ).toBeNull();
    expect(
      statusAfterClaim('CANCELLED', when, evidence('REPORTED', null, '2022-09-20')),
    ).toBeNull();
    expect(statusAfterClaim('ANNOUNCED', when, evidence('PLANNED', null, '2022-09-10'))).toBeNull();
  });
});
