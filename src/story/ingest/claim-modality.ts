// How a claim's words put it (tests/fixtures/ingest/README.md, MODALITY): the verb phrase around a
// trigger, and whether a noun trigger ("the expected meeting") stands for an occurrence at all.
import type { ClaimModality } from '../occurrences.ts';
import { changedPhrase, type Trigger } from './claim-text.ts';

const TRIP_CHANGED = new RegExp(`${changedPhrase('trip|visit|travel|journey')}\\s+to\\s+$`, 'u');

/** What a change of plan does, from its verb ("postpones", "called off"): POSTPONED or CANCELLED. */
export function changeOf(verb: string): 'POSTPONED' | 'CANCELLED' {
  return /^(?:postpon|delay|put)/.test(verb) ? 'POSTPONED' : 'CANCELLED';
}

const MODAL_ADJECTIVE =
  /\b(expected|likely|potential|possible|proposed|planned|upcoming|scheduled|anticipated|mooted)\s+(?:[\p{L}-]+\s+){0,2}$/u;

/** How the verb phrase before a trigger puts it; undefined: a question or a condition, no claim. */
export function modalityAt(
  folded: string,
  clause: { start: number; end: number },
  trigger: Trigger,
  options: { headline: boolean; question: boolean },
): { modality: ClaimModality; cueStart: number } | undefined {
  const before = folded.slice(clause.start, trigger.start);
  const near = before.slice(-48);
  const nearStart = trigger.start - near.length;
  const after = folded.slice(trigger.end, clause.end).slice(0, 60);
  const word = folded.slice(trigger.start, trigger.end);
  const cue = (pattern: RegExp) => {
    const match = pattern.exec(near);
    return match ? nearStart + match.index : undefined;
  };
  if (options.question || /\b(?:if|unless|whether)\b/.test(before)) return undefined;
  const adjective = trigger.form === 'noun' ? cue(MODAL_ADJECTIVE) : undefined;
  const conditional = /\b(?:would|could|might|may|should)\b/;
  if (
    adjective === undefined &&
    /\b(?:would|could|might|may|should)\b(?:\s+[\p{L}'-]+){0,3}\s*$/u.test(near)
  )
    return undefined;
  // "A visit to the region would also recall …": a noun in a hypothetical.
  if (adjective === undefined && trigger.form === 'noun' && conditional.test(after))
    return undefined;
  const passive = (words: string) =>
    new RegExp(
      `^(?:\\s+[\\p{L}'-]+){0,6}?\\s+(?:was|were|has been|have been|had been|is|are|been)\\s+(?:${words})\\b`,
      'u',
    );
  // The change trigger ("called off a visit"), not a call ("called Albanese").
  if (
    /^(?:cancel|call(?:s|ed|ing)? off|scrap)/.test(word) ||
    passive('cancell?ed|called off|scrapped').test(after)
  )
    return { modality: 'CANCELLED', cueStart: trigger.start };
  if (/^(?:postpon|delay|put)/.test(word) || passive('postponed|delayed|put off').test(after))
    return { modality: 'POSTPONED', cueStart: trigger.start };
  // A headline drops the auxiliary: "Erdoğan's White House visit postponed".
  const bare = options.headline
    ? /^\s+(postponed|delayed|put off|cancell?ed|called off|scrapped)\b/.exec(after)
    : null;
  if (bare) return { modality: changeOf(bare[1] as string), cueStart: trigger.start };
  // "Netanyahu postpones Moscow trip to meet Putin": what the trip was for is changed with it.
  const change = TRIP_CHANGED.exec(before);
  if (change) return { modality: changeOf(change[0]), cueStart: trigger.start };
  // "The Kremlin denied on Monday that Putin had held a call": a denial governs its whole clause.
  const denial = /\b(?:denied|denies|deny|denying)\b/.exec(before);
  if (denial) return { modality: 'DENIED', cueStart: clause.start + denial.index };
  const denied = cue(
    /\b(?:denied|denies|deny|ruled out|rules out|will not|won't|would not|did not|didn't|does not|doesn't|do not|don't|is not|isn't|are not|aren't|not|never|no longer)\b(?:\s+[\p{L}'-]+){0,3}\s*$/u,
  );
  if (denied !== undefined) return { modality: 'DENIED', cueStart: denied };
  // "there were no concrete plans yet for a phone call".
  const none = cue(
    /\bno\s+(?:[\p{L}-]+\s+){0,2}(?:plans?|intention|agreement)\b(?:\s+[\p{L}'-]+){0,3}\s*$/u,
  );
  if (none !== undefined) return { modality: 'DENIED', cueStart: none };
  if (adjective !== undefined) {
    const which = MODAL_ADJECTIVE.exec(near)?.[1];
    const planned = which === 'planned' || which === 'scheduled' || which === 'upcoming';
    return { modality: planned ? 'PLANNED' : 'EXPECTED', cueStart: adjective };
  }
  // "A return visit by Kishida to Seoul is likely later in the year".
  if (
    trigger.form === 'noun' &&
    /^(?:\s+[\p{L}'’-]+){0,5}?\s+(?:is|are|was|were|looks|seems)\s+(?:now\s+|also\s+)?(?:likely|expected|possible|probable)\b/u.test(
      after,
    )
  )
    return { modality: 'EXPECTED', cueStart: trigger.start };
  const expected =
    cue(/\b(?:expected|likely|tipped|poised)\s+to\s+(?:[\p{L}-]+\s+){0,3}$/u) ??
    // "Erdoğan expected Putin to visit Turkey".
    cue(/\b(?:expected|expects|expect)\s+(?:[\p{L}'’-]+\s+){1,3}?to\s+(?:[\p{L}-]+\s+){0,2}$/u);
  if (expected !== undefined) return { modality: 'EXPECTED', cueStart: expected };
  const planned = cue(
    /\b(?:will|'ll|shall|plans?|planned|planning|set|due|scheduled|going|intends?|(?:is|are|was|were) to)\b(?:\s+[\p{L}'-]+){0,4}\s*$/u,
  );
  if (planned !== undefined) return { modality: 'PLANNED', cueStart: planned };
  // A headline's "Xi and Putin to meet" is a plan, and so is what it is for ("Modi to travel to
  // Wuhan for informal talks with Xi").
  if (options.headline && /\bto\s+$/.test(near))
    return { modality: 'PLANNED', cueStart: trigger.start - 3 };
  if (options.headline && trigger.form === 'noun' && /(?:^|\s)to\s+\p{L}+\b/u.test(before))
    return { modality: 'PLANNED', cueStart: trigger.start };
  if (
    trigger.form === 'noun' &&
    /\b(?:will|'ll|next|upcoming)\b/.test(folded.slice(clause.start, clause.end))
  )
    return { modality: 'PLANNED', cueStart: trigger.start };
  const perfect = cue(/\b(?:has|have|had)\s+(?:[\p{L}-]+\s+)?$/u);
  return { modality: 'REPORTED', cueStart: perfect ?? trigger.start };
}

/** Whether a noun trigger stands for an occurrence: qualified, or with who takes part. */
export function nounStands(
  folded: string,
  clause: { start: number },
  trigger: Trigger,
  headline: boolean,
): boolean {
  const before = folded.slice(Math.max(clause.start, trigger.start - 48), trigger.start);
  const word = folded.slice(trigger.start, trigger.end);
  if (/\b(?:with|between|to)$/.test(word)) return true;
  // "a return visit by Kishida".
  if (/^\s+by\s/.test(folded.slice(trigger.end, trigger.end + 4))) return true;
  // "the state visit had been cancelled": a change of plan makes it one.
  const after = folded.slice(trigger.end, trigger.end + 60);
  if (
    /^(?:\s+[\p{L}'-]+){0,4}?\s+(?:cancell?ed|called off|postponed|scrapped|put off)\b/u.test(after)
  )
    return true;
  if (MODAL_ADJECTIVE.test(before)) return true;
  if (/\b(?:their|of)\s+(?:[\p{L}-]+\s+){0,2}$/u.test(before)) return true;
  // "held a phone call", "pay a state visit", "is on a two-day state visit": a light verb or
  // "on" makes the noun an act.
  if (
    /\b(?:held|hold|holds|had|has|have|made|make|makes|pay|pays|paid|on)\s+(?:a|an|his|her|their)\s+(?:[\p{L}-]+\s+){0,2}$/u.test(
      before,
    )
  )
    return true;
  return headline;
}
