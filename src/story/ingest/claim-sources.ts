// Who a sentence's claims come from (tests/fixtures/ingest/README.md, "source"): the sentence's own
// sayer, else the speaker of a quotation it belongs to, else, for "he said", the person last
// quoted in the paragraph. The headline's source is its outlet or "state media".
import type { Analysis } from './analyze.ts';
import type { Sentence } from './claim-text.ts';
import { fold } from './text.ts';

/** The text a claim is read from, with the indexes of the attributions found in it. */
export interface SourcedText {
  text: string;
  inHeadline: boolean;
  attributions: number[];
}

/** A pronoun that reports: "he said", "she added", "he also told reporters". */
const PRONOUN_SAYS =
  /\b(?:he|she)\s+(?:\p{L}+ly\s+|also\s+|later\s+|then\s+)?(?:said|says|added|adds|told|tells|stated|confirmed|noted|insisted|replied|wrote)\b/u;

/** The source of each sentence's claims, by the sentence's index: an attribution index or null. */
export function sentenceSources(
  source: SourcedText,
  sentences: readonly Sentence[],
  analysis: Analysis,
): (number | null)[] {
  if (source.inHeadline) return sentences.map(() => source.attributions[0] ?? null);
  const own = sentences.map((sentence) => attributionOf(source, sentence, analysis));
  return sentences.map((sentence, index) => {
    const found = own[index] ?? null;
    if (found !== null) return found;
    // “Putin will travel to Pyongyang. The invitation was accepted,” Ushakov said: the speaker
    // after the quotation speaks for each of its sentences.
    const quote = analysis.quotes.find(
      (q) =>
        q.start <= sentence.start + 1 && q.end > sentence.end && q.end <= sentence.paragraph.end,
    );
    if (quote) {
      const speaker = source.attributions.find((i) => {
        const span = analysis.attributions[i]?.span;
        return span !== undefined && span.start >= quote.end && span.start - quote.end <= 40;
      });
      if (speaker !== undefined) return speaker;
    }
    // "He said the two leaders will meet again": the person quoted last in the paragraph.
    if (PRONOUN_SAYS.test(fold(source.text.slice(sentence.start, sentence.end)))) {
      const earlier = source.attributions.filter((i) => {
        const a = analysis.attributions[i];
        return (
          a !== undefined &&
          a.span.end <= sentence.start &&
          a.span.start >= sentence.paragraph.start &&
          (a.source.kind === 'OFFICIAL' || a.source.kind === 'OTHER')
        );
      });
      return earlier.at(-1) ?? null;
    }
    return null;
  });
}

/** The sentence's own source: "according to X" first, else a sayer whose verb reports a claim. */
function attributionOf(
  source: SourcedText,
  sentence: { start: number; end: number },
  analysis: Analysis,
): number | null {
  const inside = source.attributions.filter((i) => {
    const span = analysis.attributions[i]?.span;
    return span !== undefined && span.start >= sentence.start && span.end <= sentence.end;
  });
  const according = inside.find((i) =>
    /according to\s+(?:the\s+|an?\s+)?$/i.test(
      source.text.slice(
        Math.max(0, (analysis.attributions[i]?.span.start ?? 0) - 20),
        analysis.attributions[i]?.span.start,
      ),
    ),
  );
  if (according !== undefined) return according;
  // "Xi announced his flagship initiative": a verb with a thing for object reports nothing.
  const reporting = inside.filter((i) => {
    const span = analysis.attributions[i]?.span as { end: number };
    const after = fold(source.text.slice(span.end, span.end + 60));
    const object =
      /^\s+(?:\p{L}+ly\s+)?(?:announced|unveiled|confirmed|denied)\s+(?:his|her|its|their|the|a|an)\s+((?:[\p{L}-]+\s*){1,3})/u.exec(
        after,
      );
    return !object || /\b(?:meeting|visit|trip|talks|call|summit)\b/.test(object[1] as string);
  });
  return reporting[0] ?? null;
}
