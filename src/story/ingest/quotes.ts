/** Words a text puts in quotation marks, without the marks. */
export interface Quote {
  text: string;
  start: number;
  end: number;
}

/** The most quotes one article gives; a text of nothing but quotation marks stops there. */
export const MAX_QUOTES = 500;

const PAIRS: [string, string][] = [
  ['\u201c', '\u201d'], // “ ”
  ['\u00ab', '\u00bb'], // « »
  ['\u2018', '\u2019'], // ‘ ’
];

/**
 * Finds quoted passages: curly double quotes, guillemets, straight double quotes taken in pairs
 * within a paragraph, and single curly quotes whose closing mark is not an apostrophe. Nested
 * quotes stay inside the outer one.
 */
export function findQuotes(text: string): Quote[] {
  const found: Quote[] = [];
  // Which quote (its number, from 1) covers each character: a quote inside one already found is
  // nested, found in constant time rather than by comparing with every quote.
  const coveredBy = new Uint32Array(text.length + 1);
  const add = (start: number, end: number) => {
    if (found.length >= MAX_QUOTES) return;
    const inner = text.slice(start, end);
    const trimmedStart = start + (inner.length - inner.trimStart().length);
    const trimmedEnd = end - (inner.length - inner.trimEnd().length);
    if (trimmedEnd <= trimmedStart) return;
    const outer = coveredBy[trimmedStart] ?? 0;
    if (outer !== 0 && coveredBy[trimmedEnd - 1] === outer) {
      const q = found[outer - 1];
      if (q && q.start <= trimmedStart && trimmedEnd <= q.end) return;
    }
    coveredBy.fill(found.length + 1, trimmedStart, trimmedEnd);
    found.push({
      text: text.slice(trimmedStart, trimmedEnd),
      start: trimmedStart,
      end: trimmedEnd,
    });
  };
  for (const [open, close] of PAIRS) {
    for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, at + 1)) {
      let end = text.indexOf(close, at + 1);
      // A closing single quote followed by a letter is an apostrophe ("Russia’s"): look further.
      while (close === '\u2019' && end !== -1 && /\p{L}/u.test(text[end + 1] ?? '')) {
        end = text.indexOf(close, end + 1);
      }
      // No closing mark after this one: none after any later opening mark either.
      if (end === -1) break;
      if (text.slice(at, end).includes('\n\n')) continue;
      add(at + 1, end);
      at = end;
    }
  }
  for (const paragraph of text.matchAll(/[^\n]+/g)) {
    const marks = [...paragraph[0].matchAll(/"/g)].map((m) => paragraph.index + m.index);
    for (let i = 0; i + 1 < marks.length; i += 2)
      add((marks[i] as number) + 1, marks[i + 1] as number);
  }
  return found.sort((a, b) => a.start - b.start);
}
