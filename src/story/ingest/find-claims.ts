// Claims about occurrences (meetings, visits, talks, calls, signings) found in an article's text,
// and which of them describe the same occurrence. Pure and offline, like the rest of the analysis:
// the rules are in the comments of each step and in tests/fixtures/ingest/README.md ("Claims").

export { clusterClaims, compatible } from './claim-clusters.ts';

import type { ClaimDraft, ClaimModality, OccurrenceKind, TextQuote } from '../occurrences.ts';
import type { Analysis, ArticleText } from './analyze.ts';
import { inheritHeadlineSource, inheritTrip } from './claim-clusters.ts';
import { changeOf, modalityAt, nounStands } from './claim-modality.ts';
import { ownSource, sentenceSources, speaksForState } from './claim-sources.ts';
import {
  type Clause,
  clausesOf,
  headlineRefs,
  placeIn,
  type Ref,
  sentencesOf,
  type Trigger,
  triggersIn,
} from './claim-text.ts';
import { whenOf } from './claim-when.ts';
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
  published: string;
}

const TWO_LEADERS =
  /\b(?:the|both)\s+(?:two\s+)?(?:leaders|presidents|men|heads of state)\b|\bthe pair\b/;
const CHANGED_LATER =
  /,\s+(?:were|was|has been|have been|had been)\s+(postponed|delayed|put off|cancell?ed|called off|scrapped)\b/;
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
  const published = article.publishedAt.toISOString().slice(0, 10);
  const sources: Source[] = [
    {
      text: article.headline,
      folded: foldForClaims(article.headline),
      inHeadline: true,
      refs: headlineRefs(article, analysis, bodyRefs, options.known),
      times: findTimeExpressions(article.headline, article.publishedAt),
      attributions: analysis.attributions.flatMap((a, i) => (a.inHeadline ? [i] : [])),
      published,
    },
    {
      text: article.body,
      folded: foldForClaims(article.body),
      inHeadline: false,
      refs: bodyRefs,
      times: analysis.timeExpressions,
      attributions: analysis.attributions.flatMap((a, i) => (a.inHeadline ? [] : [i])),
      published,
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

/**
 * The folded text the claim rules read, with "May" the month or the name ("Theresa May will
 * host", "visited Sochi in May and") kept apart from "may" the condition. Same length, so
 * offsets hold.
 */
function foldForClaims(text: string): string {
  return fold(text).replace(/\bmay\b/g, (word, at: number) => (text[at] === 'M' ? 'mai' : word));
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
  // "a summit hosted by Macron": hosting a gathering is no visit ("Erdoğan … was welcomed by
  // Putin" is one).
  if (
    trigger.host &&
    /^\s+by\b/.test(folded.slice(trigger.end, trigger.end + 4)) &&
    !/\b(?:was|were|is|are|been|being)\s+$/.test(folded.slice(clause.start, trigger.start))
  )
    return undefined;
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
  // "Talks between Netanyahu and Putin, which were to focus on Syria, were postponed as well":
  // the verb after a relative clause is the noun's.
  const later =
    clauses[index + 1]?.lead === 'which'
      ? CHANGED_LATER.exec(text.slice(clause.end, sentence.end))
      : null;
  if (trigger.form === 'noun' && modality === 'REPORTED' && later)
    modality = changeOf(later[1] as string);
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
    when: whenOf(source, sentence, clauses, index, trigger, found.modality),
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
  // "at a summit hosted by Macron and attended by Merkel": who hosts or attends is not a party.
  const by = /\b(?:hosted|attended|chaired|organi[sz]ed|brokered|mediated)\s+by\b/.exec(
    source.folded.slice(trigger.end, clause.end),
  );
  if (by) refs = refs.filter((r) => r.start < trigger.end + by.index);
  if (/\bbetween$/.test(word)) refs = refs.filter((r) => r.start >= trigger.end);
  // A trip to a place is the traveller's alone ("Modi will travel to Wuhan to meet Xi", "Kim
  // arrives in Russia ahead of summit with Putin"); "visit Xi" and "a visit by Kishida" say who.
  if (visit && refs.some((r) => r.start < trigger.start)) {
    const next = source.refs.find((r) => r.start >= trigger.end);
    const toPerson =
      /^visit/.test(word) &&
      next?.type === 'Leader' &&
      /^\s*$/.test(text.slice(trigger.end, next.start));
    if (!toPerson) refs = refs.filter((r) => r.start < trigger.start);
  } else if (visit && /^\s+by\s+$/.test(text.slice(trigger.end, trigger.end + 4))) {
    refs = refs.filter((r) => r.start === trigger.end + 4);
  }
  let borrowed = false;
  // No subject in the clause ("when he arrived", "and was to hold talks"): the sentence's.
  const subject = refs.filter((r) => r.start < trigger.start);
  if (subject.length === 0 && index > 0 && !/\bbetween$/.test(word)) {
    for (let i = index - 1; i >= 0; i--) {
      const previous = clauses[i] as Clause;
      // Its subject: "Modi held talks with Putin …, then flew to Kabul" is Modi's trip.
      const verb = triggersIn(source.folded, previous.start, previous.end)[0];
      const all = leadersOf(within(previous));
      const subjects = verb ? all.filter((r) => r.end <= verb.start) : [];
      const before = subjects.length ? subjects : all;
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
    // No claim of two yet ("Putin arrived to see Kim. The two leaders held talks"): the last two
    // leaders named before.
    const named: Participant[] = [];
    for (const r of source.refs.filter((r) => r.type === 'Leader' && r.end <= scope).reverse()) {
      if (scope - r.end > 300 || named.length === 2) break;
      if (!named.some((p) => p.id === r.id)) named.push({ type: 'Leader', id: r.id });
    }
    if (named.length === 2) return { list: named.reverse(), borrowed: true };
  }
  return list.length >= needed ? { list, borrowed } : undefined;
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
