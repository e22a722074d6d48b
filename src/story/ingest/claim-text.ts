// The text side of claim extraction (see find-claims.ts): sentences and clauses, the trigger words
// of occurrences and the place a clause names (the modality their verb phrase gives is in
// claim-modality.ts).
import type { OccurrenceKind } from '../occurrences.ts';
import type { Analysis, ArticleText } from './analyze.ts';
import type { EntityType, KnownEntities } from './known.ts';
import { findMentions } from './matching.ts';
import { fold, wholeWordOffsets } from './text.ts';

/** A linked name in the headline or the body. */
export interface Ref {
  type: EntityType;
  id: number;
  start: number;
  end: number;
}

/** A stretch of the text, with the paragraph around it. */
export interface Sentence {
  start: number;
  end: number;
  paragraph: { start: number; end: number };
}

/** Part of a sentence that says one thing: split at semicolons, dashes and subordinate clauses. */
export interface Clause {
  start: number;
  end: number;
  /** The clause's first word, folded: "when", "after", "and" … say how it hangs on the one before. */
  lead: string;
}

const ABBREVIATION = /(?:\b(?:\p{Lu}\.)+|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Jr|No))$/u;

/** The sentences of `text`, split at . ! ? (not after initials or titles) and at line breaks. */
export function sentencesOf(text: string): Sentence[] {
  const found: Sentence[] = [];
  for (const paragraph of text.matchAll(/[^\n]+/g)) {
    const base = paragraph.index;
    const para = { start: base, end: base + paragraph[0].length };
    let start = base;
    for (const stop of paragraph[0].matchAll(/[.!?]["”’)]?(?=\s|$)/g)) {
      const end = base + stop.index + stop[0].length;
      if (stop[0][0] === '.' && ABBREVIATION.test(text.slice(start, base + stop.index))) continue;
      if (text.slice(start, end).trim()) found.push({ start, end, paragraph: para });
      start = end;
    }
    if (text.slice(start, para.end).trim()) found.push({ start, end: para.end, paragraph: para });
  }
  return found.map((s) => {
    const lead = text.slice(s.start, s.end).length - text.slice(s.start, s.end).trimStart().length;
    return { ...s, start: s.start + lead };
  });
}

const SUBORDINATE =
  'after|before|since|when|while|because|although|though|until|during|whereas|where';
const CLAUSE_BREAKS = [
  /\s*[;:\u2014\u2013]\s*/g,
  new RegExp(
    `,\\s+(?=(?:and|but|while|when|where|which|who|whose|whom|as|after|before|since|although|though|because|with|according to|until|then|${SUBORDINATE})\\b)`,
    'gi',
  ),
  new RegExp(`\\s+(?=(?:${SUBORDINATE})\\b)`, 'gi'),
  /\s+(?=and\s+(?:was|were|is|are|will|has|had|have|did|then|later|also)\b)/gi,
];

/** The clauses of one sentence, in order. */
export function clausesOf(text: string, sentence: { start: number; end: number }): Clause[] {
  const body = text.slice(sentence.start, sentence.end);
  const cuts = new Map<number, number>(); // where a break starts → where the next clause starts
  for (const pattern of CLAUSE_BREAKS) {
    for (const match of body.matchAll(pattern)) {
      if (match.index > 0) cuts.set(match.index, match.index + match[0].length);
    }
  }
  const clauses: Clause[] = [];
  let start = 0;
  for (const [at, next] of [...cuts].sort((a, b) => a[0] - b[0])) {
    if (at < start) continue;
    if (at > start) clauses.push(clause(text, sentence.start + start, sentence.start + at));
    start = next;
  }
  if (start < body.length) clauses.push(clause(text, sentence.start + start, sentence.end));
  return clauses;
}

function clause(text: string, start: number, end: number): Clause {
  const lead = /^[\s,]*([\p{L}']+)/u.exec(fold(text.slice(start, end)))?.[1] ?? '';
  return { start, end, lead };
}

/** A word or phrase that names an occurrence. */
export interface Trigger {
  kind: OccurrenceKind;
  /** A verb ("met", "will travel to") or a noun ("the expected meeting", "a visit to"). */
  form: 'verb' | 'noun';
  /** "host", "welcome": the subject receives the others (CAMEO 043). */
  host: boolean;
  start: number;
  end: number;
}

interface TriggerRule {
  kind: OccurrenceKind;
  form: 'verb' | 'noun' | 'either';
  host?: boolean;
  pattern: RegExp;
}

/** A verb that cancels or postpones, up to three words, then one of `nouns` (a pattern's source). */
export function changedPhrase(nouns: string): string {
  return `\\b(?:cancel(?:s|led|ed|ling|ing)?|call(?:s|ed|ing)? off|postpon(?:es?|ed|ing)|scrap(?:s|ped|ping)?|delay(?:s|ed|ing)?|put(?:s|ting)? off)\\s+(?:[\\p{L}'’-]+\\s+){0,3}?(?:${nouns})\\b`;
}

const changed = (nouns: string) => new RegExp(changedPhrase(nouns), 'gu');

// Longer phrases first: "held talks" is one trigger, not "talks" again.
const TRIGGER_RULES: TriggerRule[] = [
  {
    kind: 'TALKS',
    form: 'verb',
    pattern: /\b(?:hold|holds|held|holding)\s+(?:[\p{L}-]+\s+){0,2}?talks(?:\s+with)?\b/gu,
  },
  {
    kind: 'CALL',
    form: 'noun',
    pattern: /\b(?:phone|telephone|video)\s+(?:call|conversation)s?(?:\s+(?:with|between))?\b/g,
  },
  {
    kind: 'CALL',
    form: 'verb',
    pattern:
      /\b(?:spoke|speak|speaks|spoken|talked|talks?)\s+(?:(?:to|with)\s+(?:[\p{L}'’-]+\s+){1,4}?)?(?:by|on the|over the)\s+(?:tele)?phone\b/gu,
  },
  { kind: 'CALL', form: 'noun', pattern: /\bcalls?\s+with\b/g },
  // "called off a state visit to Denmark", "postpones Germany trip", "postponing his meeting
  // with …", "cancels Biden's Amman meeting": the change and what it changes, as one trigger.
  {
    kind: 'VISIT',
    form: 'verb',
    pattern: changed('trip|visit|travel|journey'),
  },
  { kind: 'MEETING', form: 'verb', pattern: changed('meeting|summit') },
  { kind: 'TALKS', form: 'verb', pattern: changed('talks') },
  { kind: 'VISIT', form: 'noun', pattern: /\b(?:trip|journey)s?\s+to\b/g },
  {
    kind: 'VISIT',
    form: 'verb',
    pattern:
      /\b(?:travel|travels|travelled|traveled|travelling|traveling|fly|flies|flew|flown)(?:\s+(?:on|back|out|straight|directly|home))?\s+to\b/g,
  },
  {
    kind: 'VISIT',
    form: 'verb',
    pattern:
      /\b(?:arrive|arrives|arrived|arriving|land|lands|landed|landing)(?:\s+(?:late|early|safely|\p{L}+ly))?\s+in\b/gu,
  },
  { kind: 'VISIT', form: 'either', pattern: /\b(?:visit|visits|visited|visiting)(?:\s+to)?\b/g },
  {
    kind: 'VISIT',
    form: 'verb',
    host: true,
    pattern: /\b(?:host|hosts|hosted|hosting|welcome|welcomes|welcomed|welcoming)\b/g,
  },
  { kind: 'MEETING', form: 'verb', pattern: /\b(?:meet|meets|met)(?:\s+with)?\b/g },
  { kind: 'MEETING', form: 'noun', pattern: /\bmeetings?(?:\s+(?:with|between))?\b/g },
  { kind: 'TALKS', form: 'noun', pattern: /\btalks(?:\s+(?:with|between))?\b/g },
  { kind: 'SIGNING', form: 'verb', pattern: /\b(?:sign|signs|signed|signing)\b/g },
  { kind: 'CALL', form: 'verb', pattern: /\b(?:call|calls|called|calling)\b/g },
];

/** Words before a noun that make "visit" one ("a visit", "Xi's visit"). */
const NOUN_BEFORE =
  /(?:\b(?:a|an|the|his|her|their|its|this|that|first|second|state|official|planned|expected|potential|possible|proposed|upcoming|\d{4})|'s)\s+$/;

/** The triggers in `folded[start, end)`, in text order, none inside another. */
export function triggersIn(folded: string, start: number, end: number): Trigger[] {
  const text = folded.slice(start, end);
  const taken = new Uint8Array(text.length);
  const found: Trigger[] = [];
  for (const rule of TRIGGER_RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const from = match.index;
      const to = from + match[0].length;
      if (taken.subarray(from, to).includes(1)) continue;
      let form = rule.form;
      if (form === 'either') {
        const verbal = /^visit(?:s|ed|ing)$/.test(match[0].split(/\s/)[0] as string);
        form =
          !verbal && NOUN_BEFORE.test(text.slice(Math.max(0, from - 30), from)) ? 'noun' : 'verb';
        if (
          !verbal &&
          form === 'verb' &&
          !/\b(?:to|will|'ll|would|could|not|also|did)\s+$/.test(text.slice(0, from))
        )
          form = 'noun';
      }
      taken.fill(1, from, to);
      found.push({
        kind: rule.kind,
        form,
        host: rule.host ?? false,
        start: start + from,
        end: start + to,
      });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

const PLACE_STOP =
  /^(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|The|A|An|His|Her|Their)$/;

/** The place a clause names: the capitalised name after "in" or "to", nearest after the trigger. */
export function placeIn(
  text: string,
  clause: { start: number; end: number },
  triggerEnd: number,
  blocked: (start: number, end: number) => boolean,
): string | null {
  const candidates: { at: number; name: string }[] = [];
  const body = text.slice(clause.start, clause.end);
  for (const match of body.matchAll(/\b(?:in|to)\s+(\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)*)/gu)) {
    const name = match[1] as string;
    const at = clause.start + match.index + match[0].length - name.length;
    if (PLACE_STOP.test(name.split(/\s+/)[0] as string)) continue;
    if (blocked(at, at + name.length)) continue;
    candidates.push({ at, name: name.replace(/['’]s$/, '') });
  }
  const after = candidates.find((c) => c.at >= triggerEnd - 3);
  return (after ?? candidates.at(-1))?.name ?? null;
}

/** Names in the headline, matched with the names the body's mentions use (or the known story). */
export function headlineRefs(
  article: ArticleText,
  analysis: Analysis,
  bodyRefs: Ref[],
  known: KnownEntities | undefined,
): Ref[] {
  const headline = fold(article.headline);
  const names: { type: EntityType; id: number; needle: string }[] = [];
  for (const m of analysis.mentions) {
    for (const span of m.spans) names.push({ type: m.type, id: m.id, needle: fold(span.text) });
  }
  // "SCO summit" in the headline: the summit whose name in the body holds that organization's.
  for (const summit of bodyRefs.filter((r) => r.type === 'Summit')) {
    for (const org of bodyRefs.filter((r) => r.type === 'Organization')) {
      if (org.start >= summit.start && org.end <= summit.end) {
        const name = fold(article.body.slice(org.start, org.end));
        names.push({ type: 'Summit', id: summit.id, needle: `${name} summit` });
      }
    }
  }
  names.sort((a, b) => b.needle.length - a.needle.length);
  const refs: Ref[] = [];
  const taken = new Set<string>();
  for (const name of names) {
    for (const start of wholeWordOffsets(headline, name.needle)) {
      const end = start + name.needle.length;
      const key = `${name.type}:${start}`;
      if (
        taken.has(key) ||
        refs.some((r) => r.type === name.type && r.start < end && start < r.end)
      )
        continue;
      taken.add(key);
      refs.push({ type: name.type, id: name.id, start, end });
    }
  }
  if (known && refs.length === 0) {
    for (const m of findMentions(article.headline, known, { publishedAt: article.publishedAt })) {
      for (const s of m.spans) refs.push({ type: m.type, id: m.id, start: s.start, end: s.end });
    }
  }
  return refs.sort((a, b) => a.start - b.start);
}
