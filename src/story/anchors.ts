// Re-anchoring: where a span of an article's old text stands in its revised text. Pure and
// synchronous, so the revision can run it inside its transaction and the fixtures can test it
// without a database. The search goes from cheap to dear: the same place, then the exact words
// anywhere (indexOf), then a bounded approximate search in a window around where the words
// should be, never over the whole text.

import { isWholeWord } from './ingest/text.ts';

/** How a span fared in a revision, as `TextSpan.anchor` reports it. */
export type AnchorStatus = 'EXACT' | 'MOVED' | 'FUZZY' | 'STALE';

/** Every status, in the order the payload counts them. */
export const ANCHOR_STATUSES: readonly AnchorStatus[] = ['EXACT', 'MOVED', 'FUZZY', 'STALE'];

/** How many characters of context a stored span keeps on each side. */
export const CONTEXT_LENGTH = 32;

/**
 * The most edits a FUZZY match may need, as a share of the old words' length (rounded down: a
 * name shorter than ten characters must be found exactly).
 */
export const FUZZY_SHARE = 0.1;

/**
 * How many characters of context must still stand next to the words (both sides together) for a
 * match to count. Short words such as "Xi" occur all over a text; without their context they are
 * as likely to be another mention as this one, and removed text must read STALE.
 */
export const MIN_CONTEXT = 8;

/** Words this long are their own context: a sentence found again is the same sentence. */
export const SELF_CONTEXT_LENGTH = 40;

/** How far around the expected place the approximate search looks, each way. */
export const FUZZY_WINDOW = 300;

/** The narrow window tried first, each way. */
const NEAR_WINDOW = 24;

/** A stored span: its words, where they were, and (when stored with it) their context. */
// A type, not an interface: a span is stored as JSON, and Prisma's JSON types take it as such.
export type StoredSpan = {
  start: number;
  end: number;
  text: string;
  prefix?: string;
  suffix?: string;
  anchor?: AnchorStatus;
};

/** Where a span stands in the new text. A STALE span keeps its old offsets, words and context. */
export interface Anchored {
  status: AnchorStatus;
  start: number;
  end: number;
  text: string;
  prefix: string;
  suffix: string;
}

/** The context of `text[start, end)`: {@link CONTEXT_LENGTH} characters each side. */
export function contextOf(text: string, start: number, end: number) {
  return {
    prefix: text.slice(Math.max(0, start - CONTEXT_LENGTH), start),
    suffix: text.slice(end, end + CONTEXT_LENGTH),
  };
}

/** A span of `text` with its words and context, as spans are stored. */
export function storedSpan(text: string, start: number, end: number): Required<StoredSpan> {
  return {
    start,
    end,
    text: text.slice(start, end),
    ...contextOf(text, start, end),
    anchor: 'EXACT',
  };
}

/**
 * How much of the old context still stands beside `text[at, end)`: the characters of `prefix`
 * that end right before it plus those of `suffix` that start right after it. A quotation mark or
 * a comma added or dropped next to the words should not hide the context behind it, so up to
 * {@link CONTEXT_SLACK} characters next to the words may be skipped on either text.
 */
function contextScore(text: string, at: number, end: number, prefix: string, suffix: string) {
  let before = 0;
  let after = 0;
  for (let skipText = 0; skipText <= CONTEXT_SLACK; skipText++) {
    for (let skipOld = 0; skipOld <= CONTEXT_SLACK; skipOld++) {
      let n = 0;
      const t = at - skipText;
      const p = prefix.length - skipOld;
      while (n < p && t - 1 - n >= 0 && text[t - 1 - n] === prefix[p - 1 - n]) n++;
      // A skipped character counts against the match, so the words with their context intact
      // beat a neighbour that needs a skip.
      const skips = skipText + skipOld;
      if (n > 0) before = Math.max(before, n - skips);
      let m = 0;
      while (m + skipOld < suffix.length && text[end + skipText + m] === suffix[skipOld + m]) m++;
      if (m > 0) after = Math.max(after, m - skips);
    }
  }
  return before + after;
}

/** How many characters right beside the words may change without hiding the context behind. */
const CONTEXT_SLACK = 2;

/** Whether a match with this much context can be trusted for words of this length. */
function trusted(score: number, length: number, prefix: string, suffix: string): boolean {
  // At the very start or end of a text there is less context to have.
  const needed = Math.min(MIN_CONTEXT, prefix.length + suffix.length);
  return length >= SELF_CONTEXT_LENGTH || score >= needed;
}

/**
 * Where the words should be in the new text: just after their old prefix, or just before their
 * old suffix, if either is still there (nearest the old place); else the old place.
 */
function expectedPlace(newText: string, span: StoredSpan, prefix: string, suffix: string) {
  const nearest = (needle: string, offset: number) => {
    if (needle.length < MIN_CONTEXT) return null;
    let best: number | null = null;
    for (let at = newText.indexOf(needle); at !== -1; at = newText.indexOf(needle, at + 1)) {
      const place = at + offset;
      if (best === null || Math.abs(place - span.start) < Math.abs(best - span.start)) best = place;
    }
    return best;
  };
  return (
    nearest(prefix, prefix.length) ??
    nearest(suffix, -(span.end - span.start)) ??
    Math.min(span.start, newText.length)
  );
}

/**
 * Re-anchors one span of `oldText` in `newText`:
 * - EXACT: the same words at the same offsets, their context unchanged or still recognisable;
 * - MOVED: the same words elsewhere (or among changed context), the occurrence whose context
 *   matches best, nearest the expected place;
 * - FUZZY: words within {@link FUZZY_SHARE} edits of the old ones, in a window around the
 *   expected place, the closest match with the best context;
 * - STALE: none of those; the span keeps its old offsets and words.
 * A match needs some of its context to still stand beside it ({@link MIN_CONTEXT}), so removed
 * words are not re-anchored to the same words elsewhere. A span already STALE stays so: its
 * offsets point into a text older than `oldText`.
 */
export function anchorSpan(oldText: string, newText: string, span: StoredSpan): Anchored {
  const exact = span.text;
  const context = contextOf(oldText, span.start, span.end);
  const prefix = span.prefix ?? context.prefix;
  const suffix = span.suffix ?? context.suffix;
  const stale: Anchored = { status: 'STALE', ...span, prefix, suffix };
  if (span.anchor === 'STALE' || exact.length === 0) return stale;
  const found = (status: AnchorStatus, start: number, end: number): Anchored => ({
    status,
    start,
    end,
    text: newText.slice(start, end),
    ...contextOf(newText, start, end),
  });
  if (
    newText.startsWith(exact, span.start) &&
    newText.slice(Math.max(0, span.start - prefix.length), span.start) === prefix &&
    newText.slice(span.end, span.end + suffix.length) === suffix
  ) {
    return found('EXACT', span.start, span.end);
  }
  const hint = expectedPlace(newText, span, prefix, suffix);
  let best: { at: number; score: number } | null = null;
  let candidates = 0;
  // Words that stood alone ("Xi") are not found inside longer ones ("Xinhua").
  const whole = isWholeWord(oldText, span.start, span.end);
  for (let at = newText.indexOf(exact); at !== -1; at = newText.indexOf(exact, at + 1)) {
    if (whole && !isWholeWord(newText, at, at + exact.length)) continue;
    candidates++;
    const score = contextScore(newText, at, at + exact.length, prefix, suffix);
    if (
      !best ||
      score > best.score ||
      (score === best.score && Math.abs(at - hint) < Math.abs(best.at - hint))
    ) {
      best = { at, score };
    }
  }
  // Words that occur once in each text are the same words, whatever was rewritten around them;
  // words that occur more than once need their context to tell which is which.
  if (
    best &&
    (trusted(best.score, exact.length, prefix, suffix) ||
      (candidates === 1 && occursOnce(oldText, exact, whole)))
  ) {
    // At its old offsets, with some of its context: the same place, only its surroundings edited.
    const status = best.at === span.start ? 'EXACT' : 'MOVED';
    return found(status, best.at, best.at + exact.length);
  }
  // Where the context says the words are, first: most edits leave them there, and the narrow
  // window costs a fraction of the wide one.
  const fuzzy =
    fuzzyMatch(newText, exact, hint, prefix, suffix, NEAR_WINDOW) ??
    fuzzyMatch(newText, exact, hint, prefix, suffix, FUZZY_WINDOW);
  return fuzzy ? found('FUZZY', fuzzy.start, fuzzy.end) : stale;
}

/** Whether `words` occur (as whole words, when `whole`) exactly once in `text`. */
function occursOnce(text: string, words: string, whole: boolean): boolean {
  let count = 0;
  for (let at = text.indexOf(words); at !== -1; at = text.indexOf(words, at + 1)) {
    if (!whole || isWholeWord(text, at, at + words.length)) count++;
  }
  return count === 1;
}

/**
 * The best approximate occurrence of `exact` in `text` near `hint`: fewest edits (at most
 * {@link FUZZY_SHARE} of its length), then most context, then nearest. Sellers' algorithm (an
 * edit distance where the match may start anywhere) over the window only.
 */
function fuzzyMatch(
  text: string,
  exact: string,
  hint: number,
  prefix: string,
  suffix: string,
  reach: number,
): { start: number; end: number } | null {
  const m = exact.length;
  const k = Math.floor(m * FUZZY_SHARE);
  if (k === 0) return null;
  const from = Math.max(0, hint - reach);
  const to = Math.min(text.length, hint + m + reach);
  const width = to - from;
  // dist[i][j]: edits between exact[0, i) and the best window substring ending at j; starts
  // are tracked alongside so each end knows where its match began.
  let dist = new Int32Array(width + 1);
  let start = new Int32Array(width + 1);
  for (let j = 0; j <= width; j++) start[j] = j;
  // Character codes, compared as numbers: indexing a string makes a new string each time.
  const window = new Uint16Array(width);
  for (let j = 0; j < width; j++) window[j] = text.charCodeAt(from + j);
  const words = new Uint16Array(m);
  for (let i = 0; i < m; i++) words[i] = exact.charCodeAt(i);
  // The row before the last, for transpositions ("Uzbekistna" is one edit from "Uzbekistan").
  let older = new Int32Array(width + 1);
  let olderStart = new Int32Array(width + 1);
  let spare = new Int32Array(width + 1);
  let spareStart = new Int32Array(width + 1);
  for (let i = 1; i <= m; i++) {
    // Rows are reused, three of each: the one being filled, the last and the one before.
    const next = spare;
    const nextStart = spareStart;
    next[0] = i;
    nextStart[0] = 0;
    const char = words[i - 1];
    for (let j = 1; j <= width; j++) {
      const substitute = (dist[j - 1] as number) + (window[j - 1] === char ? 0 : 1);
      const remove = (dist[j] as number) + 1;
      const insert = (next[j - 1] as number) + 1;
      if (substitute <= remove && substitute <= insert) {
        next[j] = substitute;
        nextStart[j] = start[j - 1] as number;
      } else if (remove <= insert) {
        next[j] = remove;
        nextStart[j] = start[j] as number;
      } else {
        next[j] = insert;
        nextStart[j] = nextStart[j - 1] as number;
      }
      if (
        i > 1 &&
        j > 1 &&
        char === window[j - 2] &&
        words[i - 2] === window[j - 1] &&
        (older[j - 2] as number) + 1 < (next[j] as number)
      ) {
        next[j] = (older[j - 2] as number) + 1;
        nextStart[j] = olderStart[j - 2] as number;
      }
    }
    spare = older;
    spareStart = olderStart;
    older = dist;
    olderStart = start;
    dist = next;
    start = nextStart;
  }
  // Context is compared only for the matches with the fewest edits: it decides between them.
  let fewest = k;
  for (let j = 1; j <= width; j++) fewest = Math.min(fewest, dist[j] as number);
  let best: { start: number; end: number; cost: number; score: number } | null = null;
  for (let j = 1; j <= width; j++) {
    const cost = dist[j] as number;
    if (cost > fewest) continue;
    const s = from + (start[j] as number);
    const e = from + j;
    if (e <= s) continue;
    const score = contextScore(text, s, e, prefix, suffix);
    const better =
      !best ||
      cost < best.cost ||
      (cost === best.cost && score > best.score) ||
      (cost === best.cost &&
        score === best.score &&
        Math.abs(s - hint) < Math.abs(best.start - hint));
    if (better) best = { start: s, end: e, cost, score };
  }
  if (!best || !trusted(best.score, m, prefix, suffix)) return null;
  return { start: best.start, end: best.end };
}

/** Counts of spans by how they fared, as the revision's payload gives them. */
export type AnchorCounts = Record<'exact' | 'moved' | 'fuzzy' | 'stale', number>;

/** No spans yet. */
export const noAnchors = (): AnchorCounts => ({ exact: 0, moved: 0, fuzzy: 0, stale: 0 });

/** Adds one outcome to `counts`. */
export function countAnchor(counts: AnchorCounts, status: AnchorStatus): void {
  counts[status.toLowerCase() as keyof AnchorCounts]++;
}

/** A span as it is stored after a revision: where it stands now, and how it got there. */
export function afterRevision(anchored: Anchored): Required<StoredSpan> {
  const { status, ...span } = anchored;
  return { ...span, anchor: status };
}
