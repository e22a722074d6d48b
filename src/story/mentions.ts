import { badInput } from '../core/errors.ts';
import { type StoredSpan, storedSpan } from './anchors.ts';
import { type Span, wholeWordOffsets } from './ingest/text.ts';

/** A span as an editor gives it: the text is taken from the body. */
export type SpanInput = Pick<Span, 'start' | 'end'>;

/** The most spans one mention may carry: an article naming someone a hundred times is plenty. */
export const MAX_SPANS_PER_MENTION = 100;

/**
 * Checks an editor's spans against the article body and fills in their text and context (so a
 * revision can find them again), in text order.
 * BAD_USER_INPUT for too many spans, a span outside the body or empty, or spans that overlap.
 */
export function checkSpans(body: string, spans: readonly SpanInput[]): StoredSpan[] {
  if (spans.length > MAX_SPANS_PER_MENTION) {
    throw badInput(`A mention takes at most ${MAX_SPANS_PER_MENTION} spans.`, {
      max: MAX_SPANS_PER_MENTION,
    });
  }
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let previousEnd = 0;
  return sorted.map((span) => {
    if (!(span.start >= 0 && span.end > span.start && span.end <= body.length)) {
      throw badInput(`The span ${span.start}–${span.end} is outside the article body.`);
    }
    if (span.start < previousEnd) {
      throw badInput(`The span ${span.start}–${span.end} overlaps the one before it.`);
    }
    previousEnd = span.end;
    return storedSpan(body, span.start, span.end);
  });
}

/** Spans found in `body`, each with its words and context: a revision finds them again by those. */
export const withContext = (body: string, spans: readonly SpanInput[]): StoredSpan[] =>
  spans.map(({ start, end }) => storedSpan(body, start, end));

/** Whether stored spans stand where `checked` do, their context and anchor aside. */
export const samePlaces = (stored: unknown, checked: readonly SpanInput[]) =>
  JSON.stringify(((stored ?? []) as SpanInput[]).map(({ start, end }) => [start, end])) ===
  JSON.stringify(checked.map(({ start, end }) => [start, end]));

/**
 * Finds where any of `names` occurs in `text` as whole words, longest name first so that
 * "Xi Jinping" is one span rather than "Xi" plus a stray "Jinping". Spans never overlap and come
 * in text order.
 */
export function findSpans(text: string, names: readonly string[]): Span[] {
  const spans: Span[] = [];
  const taken = new Uint8Array(text.length);
  const unique = [...new Set(names.filter((name) => name.trim().length > 0))];
  unique.sort((a, b) => b.length - a.length);
  for (const name of unique) {
    for (const start of wholeWordOffsets(text, name)) {
      const end = start + name.length;
      if (taken.subarray(start, end).some(Boolean)) continue;
      taken.fill(1, start, end);
      spans.push({ start, end, text: name });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}
