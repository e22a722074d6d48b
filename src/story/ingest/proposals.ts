import nlp from 'compromise';
import { fold, type Span, spanOf, TITLE_WORDS } from './text.ts';

/** What an unknown name looks like. */
export type ProposalKind = 'PERSON' | 'ORGANIZATION' | 'EVENT' | 'PLACE';

/** A name the story does not know yet, with every place the text uses it. */
export interface Proposal {
  text: string;
  kind: ProposalKind;
  spans: Span[];
}

const PARTICLES = new Set([
  'da',
  'de',
  'di',
  'du',
  'van',
  'von',
  'der',
  'bin',
  'al',
  'la',
  'le',
  'dos',
  'das',
  'of',
  'for',
  'and',
]);
/** Words in front of a name that say who the person is, not what they are called. */
const TITLE_LIKE = new Set([
  ...TITLE_WORDS,
  'prime',
  'vice',
  'deputy',
  'foreign',
  'crown',
  'supreme',
  'defence',
  'defense',
  'finance',
  'trade',
]);
const LEADING_STOP =
  /^(the|a|an|on|in|at|but|and|after|before|when|while|as|meanwhile|earlier|later|both|his|her|their|its|this|that|these|those|for|with|by|from|to|if|since|during|under|over|speaking|asked|separately|however|also|yet|still|officials?|analysts?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)$/;
const ORG_ENDINGS =
  /^(union|organi[sz]ation|bank|council|party|ministry|forum|alliance|fund|agency|association|group|committee|commission|institute|university|corporation|company|federation|league|movement|front|assembly|parliament|congress|bureau|office|court|army|navy|force|forces|treaty|pact|community|initiative|partnership|development|cooperation|secretariat)$/;
const PLACE_ENDINGS =
  /^(centre|center|park|square|palace|hall|airport|stadium|street|avenue|estate|auditorium|island|bridge|port|river|sea|ocean|mountains?|valley|desert)$/;
const EVENT_ENDINGS =
  /^(summit|conference|games|olympics|talks|dialogue|meeting|expo|festival|war|crisis|declaration|accords?)$/;
const DEMONYM =
  /^(chinese|russian|indian|uzbek|kazakh|turkish|pakistani|iranian|brazilian|african|american|u\.?s\.?|british|french|german|japanese|indonesian|ukrainian|belarusian|kyrgyz|tajik|mongolian|saudi|egyptian|ethiopian|emirati|argentine|canadian|italian|australian|korean|vietnamese|thai|filipino|mexican|chilean|peruvian|polish|lithuanian|swedish|finnish|norwegian|danish|dutch|belgian|spanish|hungarian|georgian|armenian|azerbaijani|turkmen|afghan|south|north|kremlin|white|house|eu|european|[\p{L}-]+'s?)$/u;
/** An acronym with a number or a plus: "G20", "BRICS+", "P5", "C5+1". */
const NUMBERED_ACRONYM =
  /^(?=[\p{Lu}\p{N}+-]*\p{Lu})(?=[\p{Lu}\p{N}+-]*(?:\p{N}|\+))[\p{Lu}\p{N}+-]{2,10}$/u;
const PLACE_CUE = /\b(in|to|from|at|near|visit|visited|visiting|outside|across|toward|towards)\s+$/;

type Token = { text: string; start: number; end: number };

/** The most words a proposed name may have: "Organisation for Economic Co-operation and Development" has six. */
export const MAX_NAME_WORDS = 10;

/**
 * Proposes the names a text uses that match no known entity: capitalised runs of words, with
 * titles and nationalities stripped, classified by their last word (an organization, an event),
 * by compromise's tags and by context (a title in front means a person, "in" a place). Later
 * uses of a person's surname and of an acronym given in parentheses join the same proposal.
 * `taken` are spans already explained (known entities, news outlets): nothing in them is proposed.
 */
export function findProposals(
  text: string,
  taken: readonly { start: number; end: number }[],
): Proposal[] {
  // compromise tags each distinct candidate alone, and only when the rules can not decide:
  // parsing a whole long article with it costs seconds, a few short names milliseconds.
  const cache = new Map<string, { person: boolean; place: boolean; organization: boolean }>();
  const tagsOf = (name: string) => {
    let tags = cache.get(name);
    if (!tags) {
      const doc = nlp(name);
      tags = {
        person: doc.has('#Person'),
        place: doc.has('#Place'),
        organization: doc.has('#Organization'),
      };
      cache.set(name, tags);
    }
    return tags;
  };

  const proposals = new Map<string, Proposal>();
  const surnames = new Map<string, string>(); // folded surname or acronym → proposal key
  // Where each proposal already has a span: a name used thousands of times stays linear.
  const starts = new Map<string, Set<number>>();
  const add = (kind: ProposalKind, span: Span, key = fold(span.text)) => {
    const proposal = proposals.get(key) ?? { text: span.text, kind, spans: [] };
    const seen = starts.get(key) ?? new Set<number>();
    if (!seen.has(span.start)) {
      seen.add(span.start);
      proposal.spans.push(span);
    }
    starts.set(key, seen);
    proposals.set(key, proposal);
    return key;
  };

  // "Tokayev and Mirziyoyev" is two people; "Belt and Road Initiative" is one body.
  const runs = capitalisedRuns(text, taken).flatMap((run) => {
    const lastWord = fold(run.at(-1)?.text ?? '');
    if (ORG_ENDINGS.test(lastWord) || EVENT_ENDINGS.test(lastWord)) return [run];
    const parts: Token[][] = [[]];
    for (const token of run) {
      if (token.text === 'and') parts.push([]);
      else parts.at(-1)?.push(token);
    }
    return parts.filter((part) => part.length > 0);
  });
  // "California Governor Gavin Newsom": a title inside a run splits it into what comes before
  // (a place, a body) and the person after it.
  const titleAt = (run: Token[]) => {
    for (let i = run.length - 2; i > 0; i--) {
      if (
        TITLE_LIKE.has(fold(run[i]?.text ?? '')) &&
        !TITLE_LIKE.has(fold(run[i + 1]?.text ?? ''))
      ) {
        return i;
      }
    }
    return -1;
  };
  const split = runs.flatMap((run) => {
    const at = titleAt(run);
    const lastWord = fold(run.at(-1)?.text ?? '');
    if (at <= 0 || ORG_ENDINGS.test(lastWord) || EVENT_ENDINGS.test(lastWord)) return [run];
    let head = at;
    while (head > 0 && TITLE_LIKE.has(fold(run[head - 1]?.text ?? ''))) head--;
    return head > 0 ? [run.slice(0, head), run.slice(head)] : [run];
  });
  for (const run of split) {
    // "African Union", "European Council": a body's name keeps its nationality.
    const lastOfRun = fold(run.at(-1)?.text ?? '');
    const body = ORG_ENDINGS.test(lastOfRun) || EVENT_ENDINGS.test(lastOfRun);
    // Strip what stands in front of the name: sentence openers, nationalities, titles.
    let from = 0;
    const previousWord = /([\p{L}-]+),?\s+$/u.exec(
      text.slice(Math.max(0, (run[0]?.start ?? 0) - 20), run[0]?.start),
    )?.[1];
    let titled = previousWord !== undefined && TITLE_LIKE.has(fold(previousWord));
    while (from < run.length) {
      const word = fold(run[from]?.text ?? '').replace(/\.$/, '');
      if (TITLE_LIKE.has(word)) titled = true;
      else if (titled && (word === 'of' || word === 'state' || word === 'affairs')) {
        // "Secretary of State", "Minister of Foreign Affairs"
      } else if (
        !(LEADING_STOP.test(word) || (DEMONYM.test(word) && from + 1 < run.length && !body))
      ) {
        break;
      }
      from++;
    }
    let tokens = run.slice(from);
    while (tokens.length && PARTICLES.has(fold(tokens.at(-1)?.text ?? '')))
      tokens = tokens.slice(0, -1);
    const first = tokens[0];
    const last = tokens.at(-1);
    if (!first || !last) continue;
    const span = spanOf(text, first.start, last.end);
    span.text = span.text.replace(/['’]s$/, '');
    span.end = span.start + span.text.length;
    if (span.text.length < 2) continue;
    const lastWord = fold(last.text).replace(/['’]s$/, '');
    const before = fold(text.slice(Math.max(0, span.start - 12), span.start));

    const joined = surnames.get(fold(span.text));
    if (tokens.length === 1 && joined) {
      add(proposals.get(joined)?.kind ?? 'PERSON', span, joined);
      continue;
    }
    let kind: ProposalKind | undefined;
    if (PLACE_ENDINGS.test(lastWord) && tokens.length > 1) kind = 'PLACE';
    else if (EVENT_ENDINGS.test(lastWord) && tokens.length > 1) kind = 'EVENT';
    else if (ORG_ENDINGS.test(lastWord) && tokens.length > 1) kind = 'ORGANIZATION';
    else if (tokens.length > 1 && tagsOf(span.text).organization) kind = 'ORGANIZATION';
    else if (titled || (tokens.length > 1 && tagsOf(span.text).person)) kind = 'PERSON';
    else if (PLACE_CUE.test(before) || tagsOf(span.text).place) kind = 'PLACE';
    else if (
      tokens.length > 1 &&
      /^\s+(?:said|says|told|added)\b/.test(text.slice(span.end, span.end + 8))
    )
      kind = 'PERSON';
    // "G20", "BRICS+", "P5", "the Group of 20": a grouping named by a number is an organization.
    if (
      (tokens.length === 1 && NUMBERED_ACRONYM.test(span.text)) ||
      (tokens.length > 1 &&
        /^of$/i.test(tokens.at(-2)?.text ?? '') &&
        /^\p{N}+$/u.test(lastWord)) ||
      // "Group of Seven", "League of Arab States": a body's head word first.
      (tokens.length > 2 &&
        tokens[1]?.text === 'of' &&
        ORG_ENDINGS.test(fold(first.text)) &&
        !TITLE_LIKE.has(fold(first.text)))
    )
      kind = 'ORGANIZATION';
    if (!kind) continue;
    // A whole run of acronyms ("CSTO") is an organization, whatever the tagger thinks.
    if (tokens.length === 1 && /^\p{Lu}{2,}$/u.test(span.text) && kind === 'PLACE')
      kind = 'ORGANIZATION';
    const key = add(kind, span);
    if (kind === 'PERSON' && tokens.length > 1) surnames.set(lastWord, key);
    const acronym = /^\s*\(([\p{Lu}\p{N}&-]{2,10}\+?)\)/u.exec(text.slice(span.end, span.end + 16));
    if (acronym && kind === 'ORGANIZATION') {
      const at = text.indexOf(acronym[1] as string, span.end);
      add(kind, spanOf(text, at, at + (acronym[1] as string).length), key);
      surnames.set(fold(acronym[1] as string), key);
    }
  }
  // "G20 … the Group of 20 (G20)": uses of the acronym before its long form join the long form.
  for (const [short, key] of surnames) {
    const alone = proposals.get(short);
    const long = proposals.get(key);
    if (!alone || !long || short === key || alone.kind !== 'ORGANIZATION') continue;
    const seen = new Set(long.spans.map((span) => span.start));
    long.spans.push(...alone.spans.filter((span) => !seen.has(span.start)));
    proposals.delete(short);
  }
  return [...proposals.values()]
    .map((p) => ({ ...p, spans: p.spans.sort((a, b) => a.start - b.start) }))
    .sort((a, b) => (a.spans[0]?.start ?? 0) - (b.spans[0]?.start ?? 0));
}

/** Runs of capitalised words (with name particles inside), split by anything already taken. */
function capitalisedRuns(
  text: string,
  taken: readonly { start: number; end: number }[],
): Token[][] {
  const runs: Token[][] = [];
  let run: Token[] = [];
  let lastEnd = -1;
  // A run longer than any name (a title in capitals, a text without punctuation) names nothing.
  const flush = () => {
    if (run.length && run.length <= MAX_NAME_WORDS) runs.push(run);
    run = [];
  };
  // Which characters are taken, so each word is checked against its own characters only.
  const blockedAt = new Uint8Array(text.length);
  for (const span of taken) blockedAt.fill(1, span.start, span.end);
  for (const match of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}.'’-]*/gu)) {
    let word = match[0];
    // A full stop ends a sentence unless it ends an initial or an abbreviation ("U.S.").
    const stop =
      word.endsWith('.') && !/^(?:\p{Lu}\.)+$/u.test(word) && !/^(?:Mr|Mrs|Ms|Dr|St)\.$/.test(word);
    if (stop) word = word.slice(0, -1);
    // "BRICS+", "C5+1": the plus belongs to the acronym.
    const plus = /^\+(?:\p{N}+)?/u.exec(text.slice(match.index + word.length));
    if (plus && !stop && /^[\p{Lu}\p{N}]+$/u.test(word)) word += plus[0];
    const token = { text: word, start: match.index, end: match.index + word.length };
    const gap = text.slice(lastEnd, token.start);
    // "the Group of 20": a number after "of" goes on with the name.
    const counted = /^\p{N}+$/u.test(word) && run.length > 1 && run.at(-1)?.text === 'of';
    const capital = /^\p{Lu}/u.test(word) || counted;
    const particle = PARTICLES.has(word) && run.length > 0;
    const blocked = blockedAt.subarray(token.start, token.end).includes(1);
    if (lastEnd >= 0 && !/^[ \t]+$/.test(gap)) flush();
    if (blocked || (!capital && !particle)) flush();
    else run.push(token);
    lastEnd = token.end;
    if (stop) {
      flush();
      lastEnd = -1;
    }
  }
  flush();
  return runs;
}
