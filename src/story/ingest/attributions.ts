import { WEEKDAYS } from './calendar.ts';
import { fold, type Span, spanOf } from './text.ts';

/** What kind of source a claim is attributed to. */
export type SourceKind = 'NEWS_AGENCY' | 'STATE_MEDIA' | 'GOVERNMENT' | 'OFFICIAL' | 'OTHER';

/** "according to Tass", "the White House said": who the article says a claim comes from. */
export interface Attribution {
  source: { name: string; kind: SourceKind };
  span: Span;
  /** True when the phrase is in the headline: `span` then indexes the headline, not the body. */
  inHeadline: boolean;
}

const STATE_MEDIA = [
  'tass',
  'ria novosti',
  'ria',
  'xinhua',
  'cctv',
  'cgtn',
  'global times',
  "people's daily",
  'china daily',
  'kcna',
  'irna',
  'sputnik',
  'rt',
  'press tv',
  'anadolu',
  'anadolu agency',
  'rossiya 24',
  'channel one',
];
const NEWS_AGENCIES = [
  'reuters',
  'associated press',
  'ap',
  'afp',
  'agence france-presse',
  'bloomberg',
  'interfax',
  'kyodo',
  'kyodo news',
  'yonhap',
  'press trust of india',
  'pti',
  'dpa',
  'efe',
  'ansa',
  'bernama',
  'antara',
];
export const GOVERNMENT_WORDS =
  /\b(white house|kremlin|blue house|kantei|downing street|elysee|state department|pentagon|ministry|ministries|government|cabinet|embassy|presidency|administration|state council|foreign office|chancellery|secretariat|(?:his|her|president's|prime minister's|presidential) office|royal household|palace)\b/;
const OFFICIAL_WORDS =
  /\b(spokes(?:man|woman|person)|officials?|minister|ambassador|aide|adviser|advisor|envoy|secretary|diplomats?|president|premier|chancellor|prime minister|sherpa|press secretary)\b/;
const STATE_MEDIA_WORDS =
  /\bstate(?:-run|-owned|-controlled)?\s+(?:media|television|tv|broadcaster|news agency|news|outlets?|press)\b/;

/** Words a source phrase may contain besides capitalised names. */
const SOURCE_WORD =
  /^(?:state(?:-run|-owned|-controlled)?|presidential|royal|household|his|her|minister|prime|deputy|public|media|television|tv|broadcaster|news|agency|officials?|spokes(?:man|woman|person)|ministry|presidency|office|palace|administration|embassy|cabinet|council|security|foreign|defence|defense|senior|government|press|secretary|diplomats?|ambassador|aide|envoy|adviser|the|of|for|'s|s)$/;
// Past and present forms: "officials say" and "the Kremlin confirms" report as "said" does
// (not "states" or "claims", which are nouns as often: "the United States").
const SAY =
  'said|says|say|reported|reports|announced|announces|told|tells|stated|confirmed|confirms|quoted|cited|added|adds|claimed|insisted|insists|denied|denies|wrote|replied|responded';
/** Capitalised words that open a sentence or name a time rather than a source. */
const NOT_SOURCE =
  /^(?:on|in|at|but|and|however|meanwhile|later|earlier|separately|also|then|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|he|she|they|it|we|i|this|that|which|who)$/;

/** Classifies a source by its name, with the leaders the story knows counting as officials. */
export function sourceKind(name: string, leaderNames: readonly string[] = []): SourceKind {
  const folded = fold(name);
  if (
    STATE_MEDIA_WORDS.test(folded) ||
    STATE_MEDIA.some((n) => new RegExp(`\\b${n}$`).test(folded))
  )
    return 'STATE_MEDIA';
  if (NEWS_AGENCIES.some((n) => new RegExp(`^(?:the )?${n}$`).test(folded))) return 'NEWS_AGENCY';
  if (OFFICIAL_WORDS.test(folded)) return 'OFFICIAL';
  if (GOVERNMENT_WORDS.test(folded)) return 'GOVERNMENT';
  if (leaderNames.some((leader) => fold(leader) === folded)) return 'OFFICIAL';
  if (
    /^(?:the )?(?:beijing|moscow|washington|kyiv|new delhi|tokyo|london|paris|berlin|ankara|tehran)$/.test(
      folded,
    )
  )
    return 'GOVERNMENT';
  return 'OTHER';
}

type Token = { text: string; start: number; end: number };
const tokens = (text: string): Token[] =>
  [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}.'’&-]*/gu)].map((m) => ({
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));

const belongs = (token: Token) =>
  /^\p{Lu}/u.test(token.text) || SOURCE_WORD.test(fold(token.text).replace(/'s$/, ''));

/** Trims a run of tokens to the source it names: no leading article or trailing glue word. */
function trimSource(run: Token[]): Token[] {
  let from = 0;
  let to = run.length;
  while (from < to && NOT_SOURCE.test(fold(run[from]?.text ?? ''))) from++;
  while (from < to && /^(the|a|an)$/.test(fold(run[from]?.text ?? ''))) from++;
  while (to > from && /^(of|for|the|'s|s)$/.test(fold(run[to - 1]?.text ?? ''))) to--;
  return run.slice(from, to);
}

/** The source named just before `at` (the subject of "said"), if any. */
function sourceBefore(text: string, at: number): Token[] {
  const window = text.slice(Math.max(0, at - 120), at);
  const offset = Math.max(0, at - 120);
  const cut = Math.max(window.lastIndexOf(','), window.lastIndexOf('.'), window.lastIndexOf(';'));
  const all = tokens(window.slice(cut + 1)).map((t) => ({
    ...t,
    start: t.start + offset + cut + 1,
    end: t.end + offset + cut + 1,
  }));
  const run: Token[] = [];
  // "Japarov later told", "The Kremlin on Monday denied": an adverb or a day between the subject
  // and the verb.
  for (;;) {
    const last = all.at(-1)?.text ?? '';
    if (
      /^(?:\p{Ll}+ly|later|also|then|earlier|again|previously|once|too|has|have|had)$/u.test(last)
    )
      all.pop();
    else if (
      /^\p{Lu}/u.test(last) &&
      WEEKDAYS.includes(last.toLowerCase()) &&
      all.at(-2)?.text === 'on'
    )
      all.splice(-2, 2);
    else break;
  }
  // "officials from the three countries said", "diplomats in Damascus said": people, then where
  // they are from.
  let end = all.length;
  for (let i = all.length - 2; i >= Math.max(0, all.length - 7); i--) {
    const head = fold(all[i]?.text ?? '');
    if (!/^(?:from|in|at|of|for)$/.test(fold(all[i + 1]?.text ?? ''))) continue;
    if (
      !/^(?:officials|diplomats|sources|aides|spokes(?:man|woman|person)|office|ministry|embassy)$/.test(
        head,
      )
    )
      continue;
    if (all.slice(i + 2).every((t) => belongs(t) || PLACE_WORD.test(fold(t.text)))) end = i + 1;
    break;
  }
  for (let i = all.length - 1; i >= 0 && run.length < 8; i--) {
    const token = all[i] as Token;
    if (i >= end) {
      run.unshift(token);
      continue;
    }
    if (!belongs(token)) break;
    run.unshift(token);
  }
  return trimSource(run);
}

/** Words that may follow "officials from" besides names: "the three countries". */
const PLACE_WORD =
  /^(?:two|three|four|both|several|countries|sides|governments|capitals|delegations?|region)$/;

/** The words between the two commas before `at`, if they name a source ("X, a spokesman, said"). */
function apposition(text: string, at: number): Token[] {
  const comma = text.lastIndexOf(',', at);
  const opening = text.lastIndexOf(',', comma - 1);
  if (comma < 0 || opening < 0 || comma - opening > 80) return [];
  const run = tokens(text.slice(opening + 1, comma)).map((t) => ({
    ...t,
    start: t.start + opening + 1,
    end: t.end + opening + 1,
  }));
  if (!run.every(belongs)) return [];
  // "Pakistan's foreign secretary, Aizaz Chaudhry, told": a name whose title comes first is the
  // title and the name.
  const title = TITLE_FIRST.exec(text.slice(Math.max(0, opening - 60), opening));
  const name = trimSource(run);
  if (title && name.length && name.every((t) => /^\p{Lu}/u.test(t.text))) {
    const start = opening - (title[1] as string).length;
    return [{ text: title[1] as string, start, end: opening }, ...name];
  }
  return name;
}

/** A title that ends where a sentence or a clause begins: "the national security adviser". */
const TITLE_FIRST =
  /(?:^|[.;:!?]\s+|,\s+|\n)((?:[Tt]he\s+)?(?:[\p{L}'’-]+\s+){0,3}?(?:spokes(?:man|woman|person)|minister|secretary|adviser|advisor|aide|ambassador|envoy|chief of staff)(?:\s+(?:in|to|at)\s+\p{Lu}[\p{L}-]*)?)$/u;

/** The source named just after `at` ("according to …", "…, said Dmitry Peskov"). */
function sourceAfter(text: string, at: number, mustEnd = false): Token[] {
  const window = text.slice(at, at + 120);
  const stop = window.search(/[,.;:()"“”\n]/);
  const run: Token[] = [];
  for (const token of tokens(stop === -1 ? window : window.slice(0, stop))) {
    // "according to a senior official": the article opens the source (trimSource drops it).
    const opening = run.length === 0 && /^(?:a|an)$/i.test(token.text);
    if ((!belongs(token) && !opening) || run.length >= 8) break;
    run.push({ ...token, start: token.start + at, end: token.end + at });
  }
  // After an inverted "said", the source ends the clause: "…, said Dmitry Peskov."
  const last = run.at(-1);
  if (mustEnd && last && !/^\s*(?:[.,;\n]|$)/.test(text.slice(last.end, last.end + 2))) return [];
  return trimSource(run);
}

function attribution(
  text: string,
  run: Token[],
  inHeadline: boolean,
  leaderNames: readonly string[],
): Attribution | undefined {
  const first = run[0];
  const last = run.at(-1);
  if (!first || !last) return undefined;
  // A run of lower-case words alone ("the government") names a source only with a key word.
  const span = spanOf(text, first.start, last.end);
  const name = span.text.replace(/[’']s$/, '');
  const kind = sourceKind(name, leaderNames);
  if (!/\p{Lu}/u.test(name) && kind === 'OTHER') return undefined;
  return { source: { name, kind }, span: { ...span, text: span.text }, inHeadline };
}

/**
 * Finds who the text attributes claims to: "according to X", "X said/reported/told …",
 * "…, said X" and, in a headline, a bare agency or "state media". Each source is classified as a
 * news agency, state media, a government body, an official or other.
 */
export function findAttributions(
  body: string,
  options: { headline?: string; leaderNames?: readonly string[] } = {},
): Attribution[] {
  const leaderNames = options.leaderNames ?? [];
  const found: Attribution[] = [];
  const add = (item: Attribution | undefined) => {
    if (!item) return;
    if (
      found.some(
        (f) =>
          f.inHeadline === item.inHeadline &&
          f.span.start < item.span.end &&
          item.span.start < f.span.end,
      )
    )
      return;
    found.push(item);
  };
  for (const match of body.matchAll(/\baccording to\s+/gi)) {
    add(attribution(body, sourceAfter(body, match.index + match[0].length), false, leaderNames));
  }
  for (const match of body.matchAll(new RegExp(`[,”"]\\s*(?:${SAY})\\s+`, 'g'))) {
    add(
      attribution(body, sourceAfter(body, match.index + match[0].length, true), false, leaderNames),
    );
  }
  for (const match of body.matchAll(new RegExp(`\\s(?:${SAY})\\b`, 'g'))) {
    const before = sourceBefore(body, match.index);
    // "The host, Lithuanian President Gitanas Nausėda, said": the subject is the apposition.
    const appositive = before.length === 0 && /,\s*$/.test(body.slice(0, match.index + 1));
    add(attribution(body, appositive ? apposition(body, match.index) : before, false, leaderNames));
  }
  const headline = options.headline ?? '';
  const outlets = [...STATE_MEDIA, ...NEWS_AGENCIES].filter((n) => n.length > 2);
  const HEADLINE_SOURCE = new RegExp(
    `(?:\\b[\\p{L}-]+(?:'s)?\\s+){0,3}${STATE_MEDIA_WORDS.source}|\\b(?:${outlets.join('|')})\\b`,
    'giu',
  );
  const foldedHeadline = fold(headline);
  for (const match of foldedHeadline.matchAll(HEADLINE_SOURCE)) {
    let start = match.index;
    // Keep the capitalised words in front ("North Korean state media") but not a verb or a
    // preposition: cut after the last word before "state" that is not capitalised.
    for (const word of match[0].matchAll(/[\p{L}-]+(?:'s)?\s+(?=[\s\S]*state)/gu)) {
      if (!/^\p{Lu}/u.test(headline[match.index + word.index] ?? ''))
        start = match.index + word.index + word[0].length;
    }
    const span = spanOf(headline, start, match.index + match[0].length);
    add({ source: { name: span.text, kind: sourceKind(span.text) }, span, inHeadline: true });
  }
  // The subject of a headline's verb of saying, from the `words` at `at`.
  const sayer = (words: string, at: number) => {
    const run = tokens(words).map((t) => ({ ...t, start: t.start + at, end: t.end + at }));
    return run.every(belongs)
      ? attribution(headline, trimSource(run), true, leaderNames)
      : undefined;
  };
  // "Erdoğan's White House visit postponed, Turkish officials say": a headline's closing sayer.
  const closing = new RegExp(`,\\s+((?:[\\p{L}'’.-]+\\s+){1,4}?)(?:${SAY})\\s*$`, 'u').exec(
    headline,
  );
  if (closing) {
    const said = sayer(
      closing[1] as string,
      closing.index + closing[0].indexOf(closing[1] as string),
    );
    if (said && said.source.kind !== 'OTHER') add(said);
  }
  // "Kremlin denies Putin held phone call with Trump": a headline that opens with a government
  // and a verb of saying ("Assad says" is a leader speaking of himself, not a source).
  const opener = new RegExp(`^((?:[\\p{L}'’.-]+\\s+){1,4}?)(?:${SAY})\\b`, 'u').exec(headline);
  const opening = opener && sayer(opener[1] as string, 0);
  if (opening?.source.kind === 'GOVERNMENT') add(opening);
  return found.sort(
    (a, b) => Number(b.inHeadline) - Number(a.inHeadline) || a.span.start - b.span.start,
  );
}
