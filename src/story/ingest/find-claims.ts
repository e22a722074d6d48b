// Claims about occurrences (meetings, visits, talks, calls, signings) found in an article's text,
// and which of them describe the same occurrence. Pure and offline, like the rest of the analysis:
// the rules are in the comments of each step and in tests/fixtures/ingest/README.md ("Claims").

export { clusterClaims, compatible } from './claim-clusters.ts';

import type { ClaimDraft, ClaimModality, OccurrenceKind, TextQuote } from '../occurrences.ts';
import type { Analysis, ArticleText } from './analyze.ts';
import { inheritHeadlineSource, inheritTrip } from './claim-clusters.ts';
import { sentenceSources, speaksForState } from './claim-sources.ts';
import {
  type Clause,
  clausesOf,
  headlineRefs,
  modalityAt,
  nounStands,
  placeIn,
  type Ref,
  sentencesOf,
  type Trigger,
  triggersIn,
} from './claim-text.ts';
import { findTimeExpressions, type TimeExpression } from './dates.ts';
import type { KnownEntities } from './known.ts';
import { fold } from './text.ts';

type Participant = ClaimDraft['participants'][number];
/** One of the two texts a claim can come from, with what the analysis found in it. */
interface Source {
  text: string;
  folded: string;
  inHeadline: boolean;
  refs: Ref[];
  times: TimeExpression[];
  attributions: number[];
}

const TWO_LEADERS =
  /\b(?:the|both)\s+(?:two\s+)?(?:leaders|presidents|men|heads of state|sides)\b|\bthe pair\b/;
// "officials said on Friday", "the presidency said in a statement on Monday": the day a source
// spoke, not the occurrence's.
const SAID_BEFORE =
  /\b(?:said|says|say|told|tells|reported|reports|announced|stated|confirmed|added|denied|denies|wrote)\b(?:\s+\S+){0,2}\s+(?:(?:in|at|during|to)\s+(?:a|an|the|his|her|its|their)\s+(?:[\p{L}-]+\s+){0,2}(?:statement|briefing|conference|interview|post|message|speech|call)\s+)?(?:on\s+)?$/u;
const SAYS_BETWEEN =
  /\b(?:said|says|told|wrote|writes|announced|stated|added|confirmed|denied|denies)\b/;
const SAME_DAY = /\b(?:the same day|that same day|that day|later that day)\b/;
const MEETS = new Set<OccurrenceKind>(['MEETING', 'TALKS']);

/**
 * Finds the claims an article makes about occurrences, in text order (the headline first): each
 * trigger word ("meet", "hold talks", "visit", "host", "call", "sign" …) with the clause's linked
 * leaders and organizations, the modality its verb phrase gives, its time, place, summit and
 * source. Questions and conditions ("if", "would", "could") give none. Headline names are matched
 * with the names the body's mentions use, or with `options.known` when given.
 */
export function findClaims(
  article: ArticleText,
  analysis: Analysis,
  options: { known?: KnownEntities } = {},
): ClaimDraft[] {
  const bodyRefs: Ref[] = analysis.mentions
    .flatMap((m) => m.spans.map((s) => ({ type: m.type, id: m.id, start: s.start, end: s.end })))
    .sort((a, b) => a.start - b.start);
  const sources: Source[] = [
    {
      text: article.headline,
      folded: fold(article.headline),
      inHeadline: true,
      refs: headlineRefs(article, analysis, bodyRefs, options.known),
      times: findTimeExpressions(article.headline, article.publishedAt),
      attributions: analysis.attributions.flatMap((a, i) => (a.inHeadline ? [i] : [])),
    },
    {
      text: article.body,
      folded: fold(article.body),
      inHeadline: false,
      refs: bodyRefs,
      times: analysis.timeExpressions,
      attributions: analysis.attributions.flatMap((a, i) => (a.inHeadline ? [] : [i])),
    },
  ];
  const claims: ClaimDraft[] = [];
  for (const source of sources) {
    const sentences = sentencesOf(source.text);
    const sayers = sentenceSources(source, sentences, analysis);
    sentences.forEach((sentence, at) => {
      const clauses = clausesOf(source.text, sentence);
      const question = /\?["”’]?\s*$/.test(source.text.slice(sentence.start, sentence.end));
      const attribution = sayers[at] ?? null;
      clauses.forEach((clause, index) => {
        for (const trigger of triggersIn(source.folded, clause.start, clause.end)) {
          const claim = claimAt(source, sentence, clauses, index, trigger, claims, {
            question,
            attribution,
            analysis,
            body: article.body,
          });
          if (claim) claims.push(claim);
        }
      });
    });
  }
  inheritTrip(claims);
  inheritHeadlineSource(claims);
  return claims;
}

function claimAt(
  source: Source,
  sentence: { start: number; end: number; paragraph: { start: number; end: number } },
  clauses: Clause[],
  index: number,
  trigger: Trigger,
  earlier: readonly ClaimDraft[],
  context: { question: boolean; attribution: number | null; analysis: Analysis; body: string },
): ClaimDraft | undefined {
  const clause = clauses[index] as Clause;
  const { folded, text, inHeadline } = source;
  // A trigger inside a summit's name ("the APEC meeting") names the summit, not an encounter.
  const summits = source.refs.filter((r) => r.type === 'Summit');
  if (summits.some((s) => s.start <= trigger.start && trigger.end <= s.end)) return undefined;
  // "the G20 leaders' meeting", "as G20 leaders meet" name the summit; "the two leaders held
  // talks" is an encounter.
  const lead = folded.slice(Math.max(0, trigger.start - 16), trigger.start);
  if (/\b(?:leaders'?|summit)\s+$/.test(lead) && !/\b(?:two|both)\s+leaders\s+$/.test(lead))
    return undefined;
  const orgBefore = source.refs.some(
    (r) => r.type !== 'Leader' && /^\s+$/.test(text.slice(r.end, trigger.start)),
  );
  if (trigger.form === 'noun' && orgBefore) return undefined;
  if (trigger.form === 'noun' && !nounStands(folded, clause, trigger, inHeadline)) return undefined;
  // "called" is a call only when a leader follows ("called Putin").
  const word = folded.slice(trigger.start, trigger.end);
  if (trigger.kind === 'CALL' && /^call(?:s|ed|ing)?$/.test(word)) {
    const next = source.refs.find((r) => r.type === 'Leader' && r.start > trigger.end);
    if (!next || !/^\s+$/.test(text.slice(trigger.end, next.start))) return undefined;
  }
  const found = modalityAt(folded, clause, trigger, {
    headline: inHeadline,
    question: context.question,
  });
  if (!found) return undefined;

  const participants = participantsOf(source, clauses, index, trigger, earlier);
  if (!participants) return undefined;
  const partOf = summits.find((s) => s.start >= clause.start && s.end <= clause.end);
  let modality: ClaimModality = found.modality;
  const attribution = ownSource(context, clauses, index, inHeadline);
  const said = attribution === null ? undefined : context.analysis.attributions[attribution];
  // What a state's voice says will happen or happened is confirmed; hedges and changes stay.
  if (
    attribution !== null &&
    (modality === 'PLANNED' || modality === 'REPORTED') &&
    speaksForState(attribution, context.analysis, context.body)
  )
    modality = 'CONFIRMED';
  if (said && (said.source.kind === 'GOVERNMENT' || said.source.kind === 'OFFICIAL')) {
    const near = fold(
      `${text.slice(said.span.start - 12, said.span.start)}|${text.slice(said.span.end, said.span.end + 14)}`,
    );
    if (
      /(?:confirmed|announced)\s+(?:by\s+)?\||\|\s*(?:\p{L}+ly\s+)?(?:confirmed|announced)\b/u.test(
        near,
      )
    ) {
      if (modality === 'PLANNED' || modality === 'EXPECTED' || modality === 'REPORTED')
        modality = 'CONFIRMED';
    }
  }
  const mentioned = (start: number, end: number) =>
    source.refs.some((r) => r.type !== 'Summit' && r.start < end && start < r.end);
  const place = placeIn(text, clause, trigger.end, mentioned);
  const cueStart = found.cueStart >= clause.start ? found.cueStart : trigger.start;
  return {
    kind: trigger.kind,
    cameoCode: cameo(trigger, found.modality, place !== null || partOf !== undefined),
    modality,
    participants: participants.list,
    when: whenOf(source, sentence, clauses, index, trigger),
    place,
    partOf: partOf ? { type: 'Summit', id: partOf.id } : null,
    attribution,
    evidence: quote(text, cueStart, trigger.end, inHeadline),
    confidence: Math.max(
      0.3,
      0.9 -
        (participants.borrowed ? 0.15 : 0) -
        (inHeadline ? 0.1 : 0) -
        (trigger.form === 'noun' ? 0.1 : 0),
    ),
  };
}

/**
 * The sentence's source, unless "but" sets the claim's clause against the source's: "Kishida will
 * not travel, officials said, but Modi will go ahead with his visit" is the article's own voice.
 */
function ownSource(
  context: { attribution: number | null; analysis: Analysis },
  clauses: Clause[],
  index: number,
  inHeadline: boolean,
): number | null {
  const said =
    context.attribution === null ? undefined : context.analysis.attributions[context.attribution];
  if (!said || inHeadline || said.inHeadline) return context.attribution;
  const at = clauses.findIndex((c) => c.start <= said.span.start && said.span.start < c.end);
  if (at < 0 || at === index) return context.attribution;
  const [from, to] = at < index ? [at + 1, index] : [index + 1, at];
  const contrast = clauses
    .slice(from, to + 1)
    .some((c) => /^(?:but|while|whereas|although|though|yet)$/.test(c.lead));
  return contrast ? null : context.attribution;
}

/** Who takes part: the clause's linked names, or the sentence's subject, or "the two leaders". */
function participantsOf(
  source: Source,
  clauses: Clause[],
  index: number,
  trigger: Trigger,
  earlier: readonly ClaimDraft[],
): { list: Participant[]; borrowed: boolean } | undefined {
  const clause = clauses[index] as Clause;
  const { text } = source;
  const eligible = (r: Ref) =>
    r.type === 'Leader' ||
    (r.type === 'Organization' &&
      !source.refs.some((s) => s.type === 'Summit' && s.start <= r.start && r.end <= s.end) &&
      !/^['’]s\b/.test(text.slice(r.end, r.end + 3)) &&
      !/\bof\s+(?:the\s+)?$/i.test(text.slice(Math.max(0, r.start - 8), r.start)));
  const within = (c: { start: number; end: number }) =>
    source.refs.filter((r) => r.start >= c.start && r.end <= c.end && eligible(r));
  const leadersOf = (refs: Ref[]) => refs.filter((r) => r.type === 'Leader');
  const word = source.folded.slice(trigger.start, trigger.end);
  const visit = trigger.kind === 'VISIT' && !trigger.host;
  // A visit is made by leaders: "he unveiled the initiative on a trip to Kazakhstan" is his.
  let refs = visit ? leadersOf(within(clause)) : within(clause);
  if (/\bbetween$/.test(word)) refs = refs.filter((r) => r.start >= trigger.end);
  // "Kim arrives in Russia ahead of summit with Putin": who travels is the subject, not whom a
  // later meeting is with ("arrived in Pyongyang to see Kim" is still a visit to Kim).
  if (/^(?:arriv|land|travel|fl[yio])/.test(word) && refs.some((r) => r.start < trigger.start)) {
    const later = /\b(?:ahead of|before|after|following)\b/.exec(
      source.folded.slice(trigger.end, clause.end),
    );
    if (later) refs = refs.filter((r) => r.start < trigger.end + later.index);
  }
  let borrowed = false;
  // No subject in the clause ("when he arrived", "and was to hold talks"): the sentence's.
  const subject = refs.filter((r) => r.start < trigger.start);
  if (subject.length === 0 && index > 0 && !/\bbetween$/.test(word)) {
    for (let i = index - 1; i >= 0; i--) {
      const before = leadersOf(within(clauses[i] as Clause));
      if (before.length) {
        refs = [...before, ...refs];
        borrowed = true;
        break;
      }
    }
  }
  if (trigger.host && !refs.some((r) => r.type === 'Leader' && r.start > trigger.end))
    return undefined;
  const list: Participant[] = [];
  for (const r of refs) {
    if (r.type === 'Summit' || list.some((p) => p.type === r.type && p.id === r.id)) continue;
    list.push({ type: r.type, id: r.id });
  }
  const needed = visit ? 1 : 2;
  // "The two leaders held talks and then signed a treaty": a clause without a subject of its
  // own is about the two leaders of the clause it continues.
  const scope = subject.length === 0 && !borrowed ? (clauses[0] as Clause).start : clause.start;
  if (list.length < needed && TWO_LEADERS.test(source.folded.slice(scope, clause.end))) {
    const previous = [...earlier].reverse().find((c) => c.participants.length >= 2);
    if (previous) return { list: [...previous.participants], borrowed: true };
  }
  return list.length >= needed ? { list, borrowed } : undefined;
}

/** The clause's time: its first time expression, "the same day", or a "when" clause's sentence. */
function whenOf(
  source: Source,
  sentence: { paragraph: { start: number; end: number } },
  clauses: Clause[],
  index: number,
  trigger: Trigger,
): ClaimDraft['when'] {
  const clause = clauses[index] as Clause;
  const timeIn = (c: { start: number; end: number }) =>
    source.times.find(
      (t) =>
        t.start >= c.start &&
        t.end <= c.end &&
        // "today's era" names no day of the occurrence; "Wednesday's meeting" does.
        (!/^['’]s\b/.test(source.text.slice(t.end, t.end + 3)) ||
          (t.precision === 'DAY' && !/^(?:today|yesterday|tomorrow)$/i.test(t.text))) &&
        !SAID_BEFORE.test(source.folded.slice(Math.max(c.start, t.start - 40), t.start)),
    );
  let found = timeIn(clause);
  // "In a message late on Tuesday, Trump wrote that he was postponing …": the day he wrote.
  if (
    found &&
    found.end <= trigger.start &&
    SAYS_BETWEEN.test(source.folded.slice(found.end, trigger.start))
  )
    found = source.times.find((t) => t.start >= trigger.end && t.end <= clause.end);
  // "from Tuesday to Friday": both ends.
  const until =
    found &&
    /^\s*(?:to|until|through|till|and)\s+$/.exec(source.folded.slice(found.end, found.end + 10));
  const end =
    until && found
      ? source.times.find(
          (t) => t.start === (found as TimeExpression).end + (until[0] as string).length,
        )
      : undefined;
  if (
    found &&
    end &&
    /\bfrom\s+$/.test(source.folded.slice(Math.max(0, found.start - 6), found.start)) &&
    end.to >= found.from
  )
    found = { ...found, to: end.to, end: end.end };
  const same = SAME_DAY.exec(source.folded.slice(clause.start, clause.end));
  if (!found && same) {
    found = source.times
      .filter(
        (t) =>
          t.precision === 'DAY' &&
          t.start >= sentence.paragraph.start &&
          t.end <= clause.start + same.index,
      )
      .at(-1);
  }
  // "when he arrived", "who … landed in": at the time of the clause they hang on.
  if (!found && /^(?:when|who|which)$/.test(clause.lead) && index > 0)
    found = timeIn(clauses[index - 1] as Clause);
  if (!found) return null;
  return {
    from: new Date(`${found.from}T00:00:00Z`),
    to: new Date(`${found.to}T00:00:00Z`),
    precision: found.precision,
  };
}

function cameo(trigger: Trigger, modality: ClaimModality, located: boolean): string | null {
  if (trigger.kind === 'VISIT') return trigger.host ? '043' : '042';
  if (trigger.kind === 'SIGNING') return '057';
  if (!MEETS.has(trigger.kind)) return null;
  if (modality === 'PLANNED' || modality === 'EXPECTED') return '036';
  if ((modality === 'REPORTED' || modality === 'CONFIRMED') && located) return '044';
  return null;
}

function quote(text: string, start: number, end: number, inHeadline: boolean): TextQuote {
  return {
    start,
    end,
    exact: text.slice(start, end),
    prefix: text.slice(Math.max(0, start - 32), start),
    suffix: text.slice(end, end + 32),
    inHeadline,
  };
}
