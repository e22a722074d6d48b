// When a claim says its occurrence happens (tests/fixtures/ingest/README.md, `from..to`): the
// clause's time phrase, not the day a source spoke; "the same day"; the time of the clause a
// "when", "which" or "and" clause hangs on; for a change of plan, the day it was due.
import type { ClaimDraft, ClaimModality } from '../occurrences.ts';
import { addDays, iso, WEEKDAYS } from './calendar.ts';
import { type Clause, type Trigger, triggersIn } from './claim-text.ts';
import type { TimeExpression } from './dates.ts';

/** The text a claim is read from, with its time expressions. */
interface TimedText {
  text: string;
  folded: string;
  times: TimeExpression[];
  /** The publication day, as time expressions write days (YYYY-MM-DD). */
  published: string;
}

// "officials said on Friday", "the presidency said in a statement on Monday": the day a source
// spoke, not the occurrence's.
const SAID_BEFORE =
  /\b(?:said|says|say|told|tells|reported|reports|announced|stated|confirmed|added|denied|denies|wrote)\b(?:\s+\S+){0,2}\s+(?:(?:in|at|during|to)\s+(?:a|an|the|his|her|its|their)\s+(?:[\p{L}-]+\s+){0,2}(?:statement|briefing|conference|interview|post|message|speech|call)\s+)?(?:on\s+)?$/u;
/** Words before the day an occurrence was due: "set for 12 June", "due to begin on 2 September". */
const DUE = /\b(?:due|set|scheduled|planned|slated)\b(?:\s+[\p{L}-]+){0,3}\s+(?:for|on|in)\s+$/u;
const SAYS_BETWEEN =
  /\b(?:said|says|told|wrote|writes|announced|stated|added|confirmed|denied|denies)\b/;
const SAME_DAY = /\b(?:the same day|that same day|that day|later that day)\b/;

/** The clause's time: its first time expression, "the same day", or a "when" clause's sentence. */
export function whenOf(
  source: TimedText,
  sentence: { start: number; end: number; paragraph: { start: number; end: number } },
  clauses: Clause[],
  index: number,
  trigger: Trigger,
  modality: ClaimModality,
): ClaimDraft['when'] {
  const changed = modality === 'CANCELLED' || modality === 'POSTPONED';
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
  // "visited Sochi in May and travelled to Vladivostok in September": a clause's second trigger
  // takes the time after it, if it has one.
  const second = triggersIn(source.folded, clause.start, trigger.start).length > 0;
  let found =
    (second ? timeIn({ start: trigger.end, end: clause.end }) : undefined) ?? timeIn(clause);
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
  // "when he arrived", "who … landed in", "arrived on Monday … and held talks": at the time of
  // the clause they hang on.
  if (!found && /^(?:when|who|which|and)$/.test(clause.lead) && index > 0)
    found = timeIn(clauses[index - 1] as Clause);
  // "called off his meeting with Kim, which had been set for 12 June": a change is dated by the
  // day the occurrence was due, not the day it was called off.
  if (changed) {
    const due = source.times.find(
      (t) =>
        t.start >= sentence.start &&
        t.end <= sentence.end &&
        DUE.test(source.folded.slice(Math.max(sentence.start, t.start - 40), t.start)),
    );
    // "a meeting that had been set for Saturday", cancelled on a Thursday: the Saturday to come.
    if (due) found = ahead(due, source.published);
    else if (found && found.end <= trigger.start) found = undefined;
  }
  if (!found) return null;
  // "Lukashenko to hold talks with Putin in Sochi on Monday": a plan's weekday is one to come.
  if (modality === 'PLANNED' || modality === 'EXPECTED') found = ahead(found, source.published);
  return {
    from: new Date(`${found.from}T00:00:00Z`),
    to: new Date(`${found.to}T00:00:00Z`),
    precision: found.precision,
  };
}

/** A bare weekday ("Saturday") before publication, moved to the same day of the week to come. */
function ahead(time: TimeExpression, published: string): TimeExpression {
  if (!WEEKDAYS.includes(time.text.toLowerCase()) || time.from >= published) return time;
  const next = (day: string) => iso(addDays(new Date(`${day}T00:00:00Z`), 7));
  return { ...time, from: next(time.from), to: next(time.to) };
}
