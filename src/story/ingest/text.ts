/** A stretch of the analysed text: `text === body.slice(start, end)`. */
export interface Span {
  start: number;
  end: number;
  text: string;
}

const WORD = /[\p{L}\p{N}]/u;

/** Whether `char` is part of a word (a letter or a digit in any script). */
export function isWordChar(char: string | undefined): boolean {
  return char !== undefined && WORD.test(char);
}

/**
 * Lowercases `text`, strips diacritics and turns curly apostrophes into straight ones, one
 * character for one character, so that an offset into the result is an offset into `text`.
 * This is what makes matching case- and diacritics-insensitive without losing positions.
 */
export function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\u2019' || char === '\u2018' || char === '\u02bc') {
      out += "'";
      continue;
    }
    const code = char.charCodeAt(0);
    // Surrogate halves and plain ASCII pass through (ASCII only needs lowercasing).
    if (code < 128) out += char.toLowerCase();
    else if (code >= 0xd800 && code <= 0xdfff) out += char;
    else out += (char.normalize('NFD')[0] ?? char).toLowerCase()[0] ?? char;
  }
  return out;
}

/** Whether `text[start, end)` stands as whole words (no letter or digit touches either end). */
export function isWholeWord(text: string, start: number, end: number): boolean {
  return !isWordChar(text[start - 1]) && !isWordChar(text[end]);
}

/** Every start offset of `needle` in `haystack` where it stands as whole words. */
export function wholeWordOffsets(haystack: string, needle: string): number[] {
  const found: number[] = [];
  if (!needle) return found;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    if (isWholeWord(haystack, at, at + needle.length)) found.push(at);
  }
  return found;
}

/** The span of `text` from `start` to `end`. */
export function spanOf(text: string, start: number, end: number): Span {
  return { start, end, text: text.slice(start, end) };
}

/** Whether two spans share at least one character. */
export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }) {
  return a.start < b.end && b.start < a.end;
}

/** Start and end of the sentence around `at` (split on . ! ? and line breaks). */
export function sentenceAround(text: string, at: number): { start: number; end: number } {
  const first = Math.max(0, at - MAX_SENTENCE_REACH);
  const last = Math.min(text.length, at + MAX_SENTENCE_REACH);
  let start = at;
  while (start > first && !/[.!?\n]/.test(text[start - 1] as string)) start--;
  let end = at;
  while (end < last && !/[.!?\n]/.test(text[end] as string)) end++;
  return { start, end };
}

/**
 * How far from a phrase its sentence is looked for, each way, in characters. Real sentences are
 * far shorter; a text without punctuation would otherwise make every phrase read all of it, and
 * the analysis grow with the square of the text.
 */
export const MAX_SENTENCE_REACH = 400;

/** Words that stand before a person's name as a title (folded). */
export const TITLE_WORDS = new Set([
  'president',
  'premier',
  'chancellor',
  'minister',
  'king',
  'queen',
  'emir',
  'prince',
  'sheikh',
  'chairman',
  'secretary',
  'secretary-general',
  'leader',
  'mr',
  'mrs',
  'ms',
  'dr',
  'general',
  'counterpart',
  'spokesman',
  'spokeswoman',
  'spokesperson',
  'envoy',
  'ambassador',
  'governor',
  'mayor',
  'senator',
  'sultan',
]);
