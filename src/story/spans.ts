import { badInput } from '../errors.ts';

/** The most places one mention may point at in an article's body. */
export const MAX_SPANS_PER_MENTION = 100;

/** A stretch of a body, with the text found there. */
export interface BodySpan {
  start: number;
  end: number;
  text: string;
}

/**
 * Checks the spans an editor gave for a mention and returns them in body order with their text.
 * At most {@link MAX_SPANS_PER_MENTION}; each must be non-empty, inside the body, and apart from
 * the others, so that together they never store more text than the body holds.
 * Throws BAD_USER_INPUT naming the first span that fails.
 */
export function mentionSpans(
  body: string,
  spans: readonly { start: number; end: number }[] | null | undefined,
): BodySpan[] {
  if (!spans?.length) return [];
  if (spans.length > MAX_SPANS_PER_MENTION) {
    throw badInput(
      `A mention may have at most ${MAX_SPANS_PER_MENTION} spans; ${spans.length} were given.`,
      { argument: 'spans', max: MAX_SPANS_PER_MENTION },
    );
  }
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  let previousEnd = 0;
  return sorted.map(({ start, end }) => {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end)) {
      throw badInput(`The span ${start}–${end} is empty or reversed; start must be below end.`);
    }
    if (end > body.length) {
      throw badInput(
        `The span ${start}–${end} is outside the article body (${body.length} characters).`,
      );
    }
    if (start < previousEnd) {
      throw badInput(`The span ${start}–${end} overlaps another span of the same mention.`);
    }
    previousEnd = end;
    return { start, end, text: body.slice(start, end) };
  });
}
