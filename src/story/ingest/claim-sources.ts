// Who a sentence's claims come from (tests/fixtures/ingest/README.md, "source"): the sentence's own
// sayer, else the speaker of a quotation it belongs to, else, for "he said", the person last
// quoted in the paragraph. The headline's source is its outlet or "state media". Which clauses a
// source speaks for (ownSource) and whether it speaks for a state (speaksForState) are here too.
import type { Analysis } from './analyze.ts';
import { GOVERNMENT_WORDS } from './attributions.ts';
import type { Clause, Sentence } from './claim-text.ts';
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
      /^\s+(?:\p{L}+ly\s+)?(?:announced|unveiled|confirmed|denied)\s+(?!that\b|on\b|in\b|at\b|late\b|last\b|this\b|earlier\b)(?:(?:his|her|its|their|the|a|an|new)\s+)?((?:[\p{L}'’-]+\s*){1,3})/u.exec(
        after,
      );
    // "The Kremlin confirmed the date …, saying the two leaders will hold talks" reports them.
    const saying = /,\s+saying\b/.test(fold(source.text.slice(span.end, sentence.end)));
    return (
      !object || saying || /\b(?:meeting|visit|trip|talks|call|summit)\b/.test(object[1] as string)
    );
  });
  return reporting[0] ?? null;
}

/** A title that makes the person after it speak for a state ("Kremlin spokesman Dmitry Peskov"). */
const TITLE =
  'spokes(?:man|woman|person)|minister|secretary|adviser|advisor|aide|ambassador|envoy|president|premier|chancellor|sherpa|chief of staff';

/**
 * Whether a source speaks for a state (tests/fixtures/ingest/README.md, CONFIRMED): an institution
 * ("the Kremlin"), a linked leader, or one person with a title ("Kremlin spokesman Dmitry Peskov",
 * later "Peskov"). Unnamed "officials", a bare "the adviser", news agencies and state media do not.
 */
export function speaksForState(index: number, analysis: Analysis, body: string): boolean {
  const said = analysis.attributions[index];
  if (!said) return false;
  const { kind, name } = said.source;
  if (kind === 'GOVERNMENT') return true;
  // "Albanese said": a leader the body links.
  const linked = analysis.mentions.some(
    (m) =>
      m.type === 'Leader' &&
      !said.inHeadline &&
      m.spans.some((s) => s.start <= said.span.start && said.span.end <= s.end),
  );
  if (linked) return true;
  const folded = fold(name);
  if (kind === 'OFFICIAL') {
    if (/\b(?:officials|diplomats|sources|aides|advisers|ministers)\b/.test(folded)) return false;
    // "a spokesperson for the Chinese foreign ministry", "the Kremlin's spokesman": its voice.
    if (GOVERNMENT_WORDS.test(folded)) return true;
    // "Foreign Secretary Vinay Kwatra": a person with a name, not "a senior Ukrainian official".
    return name
      .split(/\s+/)
      .some((w) => /^\p{Lu}/u.test(w) && !TITLE_WORD.test(fold(w)) && !NATIONALITY.test(w));
  }
  if (kind !== 'OTHER' || !/^\p{Lu}[\p{L}'’-]+$/u.test(name)) return false;
  // "Peskov said" after "Kremlin spokesman Dmitry Peskov", "Secretary of State Antony Blinken" or
  // "Dmitry Peskov, the Kremlin's spokesman": a person the article gave a title.
  const who = escapeRegExp(name);
  const titled = new RegExp(
    `\\b(?i:${TITLE})\\s+(?:(?:\\p{Lu}[\\p{L}'’.-]*|of|for|the)\\s+){0,4}${who}\\b|\\b${who},\\s+(?:(?:the|a|an|[\\p{L}'’-]+)\\s+){0,4}?(?i:${TITLE})\\b`,
    'u',
  );
  return titled.test(body);
}

const TITLE_WORD =
  /^(?:foreign|prime|deputy|vice|senior|chief|press|state|security|national|defen[cs]e|interior|finance|trade|minister|secretary|spokes(?:man|woman|person)|president|premier|chancellor|adviser|advisor|aide|ambassador|envoy|general|the|a|an)$/;
/** "Ukrainian", "Chinese", "Turkish", "Israeli": where someone is from, not who they are. */
const NATIONALITY = /^\p{Lu}\p{Ll}+(?:ian|ean|an|ese|ish|i|ic)$/u;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const SUBORDINATE_LEAD =
  /^(?:after|before|since|when|while|because|although|though|until|whereas|where)$/;

/**
 * The sentence's source for the claim in clause `index`: a closing ", X said." speaks for every
 * clause; otherwise not for a clause that "but" sets against the source's ("Kishida will not
 * travel, officials said, but Modi will go ahead with his visit"), nor from inside a subordinate
 * clause, nor from a later clause whose words follow it ("…, and Trump told reporters that …").
 */
export function ownSource(
  context: { attribution: number | null; analysis: Analysis; body: string },
  clauses: Clause[],
  index: number,
  inHeadline: boolean,
): number | null {
  const said =
    context.attribution === null ? undefined : context.analysis.attributions[context.attribution];
  if (!said || inHeadline || said.inHeadline) return context.attribution;
  const at = clauses.findIndex((c) => c.start <= said.span.start && said.span.start < c.end);
  if (at < 0 || at === index) return context.attribution;
  // "…, the White House said." speaks for the whole sentence.
  const rest = context.body.slice(said.span.end, (clauses.at(-1) as Clause).end);
  if (/^\s+\S+(?:\s+[\p{L}\d'’]+){0,5}\s*[.!?"”]*\s*$/u.test(rest)) return context.attribution;
  // "…days before Washington announced sanctions": a source in a subordinate clause speaks for it.
  if (SUBORDINATE_LEAD.test((clauses[at] as Clause).lead)) return null;
  // "Trump welcomed Moon on Tuesday, and Trump told reporters that …", "Modi had called Sharif, and
  // Indian officials said the stopover …": a source whose words follow it speaks for them, not for
  // what came before.
  if (
    at > index &&
    ((clauses[at] as Clause).lead === 'and' ||
      /^\s+(?:\p{L}+ly\s+)?\p{L}+(?:\s+\p{L}+){0,5}?\s+that\b/u.test(rest.slice(0, 70)))
  )
    return null;
  const [from, to] = at < index ? [at + 1, index] : [index + 1, at];
  const contrast = clauses
    .slice(from, to + 1)
    .some((c) => /^(?:but|while|whereas|although|though|yet)$/.test(c.lead));
  return contrast ? null : context.attribution;
}
