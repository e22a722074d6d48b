// The re-anchoring rule over invented revision pairs (tests/fixtures/revisions): every labelled
// span of the old text must land as labelled, and no span may ever be anchored to other words.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnchorStatus, anchorSpan } from '../src/story/anchors.ts';

interface LabelledSpan {
  text: string;
  /** Which occurrence of `text` in the old body (0: the first). */
  nth: number;
  expect: AnchorStatus;
  /** The words the span should stand on afterwards (absent for STALE). */
  newText?: string;
}

interface RevisionPair {
  name: string;
  kind: string;
  old: string;
  new: string;
  spans: LabelledSpan[];
}

const DIR = join(import.meta.dirname, 'fixtures', 'revisions');
const pairs: RevisionPair[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(join(DIR, file), 'utf8')));

/** The offset of the `nth` occurrence of `text` in `body`. */
function nthOffset(body: string, text: string, nth: number): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = body.indexOf(text, at + 1);
    if (at === -1) throw new Error(`"${text}" does not occur ${nth + 1} times`);
  }
  return at;
}

/** Every labelled span anchored, with what it was and what it became. */
function outcomes() {
  return pairs.flatMap((pair) =>
    pair.spans.map((label) => {
      const start = nthOffset(pair.old, label.text, label.nth);
      const span = { start, end: start + label.text.length, text: label.text };
      return { pair, label, span, result: anchorSpan(pair.old, pair.new, span) };
    }),
  );
}

/**
 * Edit distance with transpositions (optimal string alignment), plain and slow: the test's own
 * yardstick, not the code under test's.
 */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

describe('re-anchoring spans across a revision', () => {
  const all = outcomes();

  it('has at least 20 revision pairs of every kind the rule covers', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(20);
    const kinds = new Set(pairs.map((pair) => pair.kind));
    for (const kind of [
      'typo fix',
      'new paragraph before',
      'reworded sentence',
      'deleted sentence',
      'moved paragraphs',
      'headline change',
    ]) {
      expect(kinds).toContain(kind);
    }
    for (const status of ['EXACT', 'MOVED', 'FUZZY', 'STALE']) {
      expect(all.some(({ label }) => label.expect === status)).toBe(true);
    }
  });

  it('never anchors a span to other words: what it lands on is its old text, or near it', () => {
    for (const { pair, label, result } of all) {
      const where = `${pair.name}: "${label.text}"`;
      if (result.status === 'STALE') {
        expect(result.text, where).toBe(label.text);
        continue;
      }
      expect(pair.new.slice(result.start, result.end), where).toBe(result.text);
      if (result.status === 'FUZZY') {
        expect(distance(result.text, label.text), where).toBeLessThanOrEqual(
          Math.floor(label.text.length * 0.1),
        );
      } else {
        expect(result.text, where).toBe(label.text);
      }
    }
  });

  it('marks removed words STALE, always', () => {
    const removed = all.filter(({ label }) => label.expect === 'STALE');
    expect(removed.length).toBeGreaterThan(0);
    for (const { pair, label, span, result } of removed) {
      expect(result, `${pair.name}: "${label.text}"`).toMatchObject({ status: 'STALE', ...span });
    }
  });

  it('finds EXACT and MOVED spans exactly as labelled', () => {
    for (const { pair, label, result } of all) {
      if (label.expect !== 'EXACT' && label.expect !== 'MOVED') continue;
      const where = `${pair.name}: "${label.text}"`;
      expect(result.status, where).toBe(label.expect);
      const start = label.expect === 'EXACT' ? undefined : result.start;
      if (start !== undefined) expect(pair.new.slice(start, result.end), where).toBe(label.text);
    }
  });

  it('gets FUZZY spans right at least 90 % of the time', () => {
    const fuzzy = all.filter(({ label }) => label.expect === 'FUZZY');
    const right = fuzzy.filter(
      ({ label, result }) => result.status === 'FUZZY' && result.text === label.newText,
    );
    const share = right.length / fuzzy.length;
    console.info(
      `re-anchoring fixtures: ${pairs.length} pairs, ${all.length} spans; labelled ` +
        ['EXACT', 'MOVED', 'FUZZY', 'STALE']
          .map((status) => `${status} ${all.filter(({ label }) => label.expect === status).length}`)
          .join(', ') +
        `; FUZZY right ${right.length}/${fuzzy.length} (${Math.round(share * 100)} %)`,
    );
    expect(share).toBeGreaterThanOrEqual(0.9);
  });

  it('re-anchors 50 spans of a 8 kB article in a few milliseconds', () => {
    const paragraphs = pairs.filter((pair) => pair.kind !== 'headline change').map((p) => p.old);
    let body = '';
    while (body.length < 8000) body += `${paragraphs.join('\n\n')}\n\n`;
    const spans = Array.from({ length: 50 }, (_, i) => {
      const start = Math.floor((i * body.length) / 50);
      return { start, end: start + 12, text: body.slice(start, start + 12) };
    });
    // A typo every few hundred characters and a paragraph in front: every path of the search runs.
    const revised = `A new first paragraph.\n\n${body.replace(/the /g, (m, at: number) => (at % 500 < 20 ? 'teh ' : m))}`;
    const started = performance.now();
    for (const span of spans) anchorSpan(body, revised, span);
    const took = performance.now() - started;
    expect(took).toBeLessThan(50);
  });
});
