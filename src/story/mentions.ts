import type { TextSpan } from '../schema/scalars.ts';

const WORD = /[\p{L}\p{N}]/u;

/**
 * Finds where any of `names` occurs in `text` as whole words, longest name first so that
 * "Xi Jinping" is one span rather than "Xi" plus a stray "Jinping". Spans never overlap and come
 * in text order.
 */
export function findSpans(text: string, names: readonly string[]): TextSpan[] {
  const spans: TextSpan[] = [];
  const taken = new Uint8Array(text.length);
  const unique = [...new Set(names.filter((name) => name.trim().length > 0))];
  unique.sort((a, b) => b.length - a.length);
  for (const name of unique) {
    for (let start = text.indexOf(name); start !== -1; start = text.indexOf(name, start + 1)) {
      const end = start + name.length;
      const before = text[start - 1];
      const after = text[end];
      if ((before && WORD.test(before)) || (after && WORD.test(after))) continue;
      if (taken.subarray(start, end).some(Boolean)) continue;
      taken.fill(1, start, end);
      spans.push({ start, end, text: name });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}
