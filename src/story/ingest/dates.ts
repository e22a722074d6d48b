import * as chrono from 'chrono-node';
import {
  addDays,
  type Interval,
  inRange,
  interval,
  iso,
  MONTHS,
  monday,
  monthEnd,
  NUMBERS,
  nearestYear,
  PART,
  PARTS,
  utc,
  WEEKDAYS,
  yearOf,
} from './calendar.ts';
import { sentenceAround } from './text.ts';

/** How exactly a time expression is known. */
export type TimePrecision = 'DAY' | 'WEEK' | 'MONTH' | 'PART_OF_YEAR' | 'YEAR' | 'DECADE';

/** A phrase that names a time, with the days it can mean (both ends inclusive, YYYY-MM-DD). */
export interface TimeExpression {
  text: string;
  start: number;
  end: number;
  from: string;
  to: string;
  precision: TimePrecision;
}

const FUTURE =
  /\b(will|'ll|shall|(?:is|are|was|were) (?:due )?to|is due|are due|due to|expected to|set to|plans? to|planned|scheduled|going to|would|upcoming|next|opens|closes|ends|starts|begins|runs|resumes|takes place|is held)\b/gi;
const PAST =
  /\b(said|says|told|was|were|had|has|have|did|met|held|went|came|made|took|gave|spoke|began|became|brought|fell|flew|got|joined|left|led|rose|sat|saw|sent|spent|stood|won|wrote|\w{3,}ed)\b/gi;

/**
 * Which way a phrase at `at` looks from publication: the verb that governs it is taken to be the
 * nearest tense marker before it in its clause (commas and semicolons end clauses), else the
 * nearest after it, else the nearest anywhere in the sentence. Present-tense schedule verbs
 * ("opens", "closes") point ahead.
 */
function tenseAround(text: string, at: number): 'future' | 'past' | undefined {
  const sentence = sentenceAround(text, at);
  const markers: { at: number; end: number; tense: 'future' | 'past' }[] = [];
  const body = text.slice(sentence.start, sentence.end);
  for (const match of body.matchAll(FUTURE)) {
    markers.push({
      at: sentence.start + match.index,
      end: sentence.start + match.index + match[0].length,
      tense: 'future',
    });
  }
  for (const match of body.matchAll(PAST)) {
    // "scheduled", "planned", "expected" look past but point ahead; they are in FUTURE already.
    if (/^(scheduled|planned|expected|is|are)$/i.test(match[1] as string)) continue;
    const start = sentence.start + match.index;
    // "was to" is a plan: the FUTURE marker at the same place wins.
    if (markers.some((m) => m.at === start)) continue;
    markers.push({ at: start, end: start + match[0].length, tense: 'past' });
  }
  let clauseStart = at;
  while (clauseStart > sentence.start && !/[,;:\u2014]/.test(text[clauseStart - 1] as string))
    clauseStart--;
  let clauseEnd = at;
  while (clauseEnd < sentence.end && !/[,;:\u2014]/.test(text[clauseEnd] as string)) clauseEnd++;
  const before = markers
    .filter((m) => m.at >= clauseStart && m.end <= at)
    .sort((a, b) => b.at - a.at);
  if (before[0]) return before[0].tense;
  const after = markers.filter((m) => m.at > at && m.at < clauseEnd).sort((a, b) => a.at - b.at);
  if (after[0]) return after[0].tense;
  markers.sort((a, b) => Math.abs(a.at - at) - Math.abs(b.at - at));
  return markers[0]?.tense;
}

/** The day named by a weekday, around `published`, as the tense (or `qualifier`) says. */
function weekday(
  day: number,
  published: Date,
  qualifier: string | undefined,
  tense: 'future' | 'past' | undefined,
): Interval {
  const back = (published.getUTCDay() - day + 7) % 7; // days since the last such day (0: today)
  const ahead = (day - published.getUTCDay() + 7) % 7; // days until the next one (0: today)
  let offset: number;
  if (qualifier === 'last') offset = -(back === 0 ? 7 : back);
  else if (qualifier === 'next') offset = ahead === 0 ? 7 : ahead;
  else if (qualifier === 'this') offset = ((day + 6) % 7) - ((published.getUTCDay() + 6) % 7);
  else if (tense === 'future') offset = ahead;
  else if (tense === 'past') offset = -back;
  else offset = back <= ahead ? -back : ahead;
  const date = addDays(published, offset);
  return interval(date, date, 'DAY');
}

function relativePeriod(
  unit: 'week' | 'month' | 'year',
  which: string,
  published: Date,
): Interval | undefined {
  const year = published.getUTCFullYear();
  const month = published.getUTCMonth();
  const yesterday = addDays(published, -1);
  const tomorrow = addDays(published, 1);
  if (unit === 'week') {
    const start = monday(published);
    const end = addDays(start, 6);
    switch (which) {
      case 'this':
        return interval(start, end, 'WEEK');
      case 'earlier this':
        return published.getTime() === start.getTime()
          ? undefined
          : interval(start, yesterday, 'WEEK');
      case 'later this':
        return published.getTime() === end.getTime() ? undefined : interval(tomorrow, end, 'WEEK');
      case 'next':
        return interval(addDays(start, 7), addDays(end, 7), 'WEEK');
      case 'last':
        return interval(addDays(start, -7), addDays(end, -7), 'WEEK');
      case 'past':
        return interval(addDays(published, -7), published, 'WEEK');
    }
  }
  if (unit === 'month') {
    switch (which) {
      case 'this':
        return interval(utc(year, month, 1), monthEnd(year, month), 'MONTH');
      case 'earlier this':
        return published.getUTCDate() === 1
          ? undefined
          : interval(utc(year, month, 1), yesterday, 'MONTH');
      case 'later this':
        return interval(tomorrow, monthEnd(year, month), 'MONTH');
      case 'next':
        return interval(utc(year, month + 1, 1), monthEnd(year, month + 1), 'MONTH');
      case 'last':
        return interval(utc(year, month - 1, 1), monthEnd(year, month - 1), 'MONTH');
      case 'past':
        return interval(addDays(published, -30), published, 'MONTH');
    }
  }
  if (unit === 'year') {
    switch (which) {
      case 'this':
        return interval(utc(year, 0, 1), utc(year, 11, 31), 'YEAR');
      case 'earlier this':
        return interval(utc(year, 0, 1), yesterday, 'PART_OF_YEAR');
      case 'later this':
        return interval(tomorrow, utc(year, 11, 31), 'PART_OF_YEAR');
      case 'next':
        return interval(utc(year + 1, 0, 1), utc(year + 1, 11, 31), 'YEAR');
      case 'last':
        return interval(utc(year - 1, 0, 1), utc(year - 1, 11, 31), 'YEAR');
      case 'past':
        return interval(addDays(published, -365), published, 'YEAR');
    }
  }
  return undefined;
}

interface Rule {
  pattern: RegExp;
  /** Returns the meaning, or undefined to leave the phrase out. */
  resolve(match: RegExpExecArray, published: Date, text: string): Interval | undefined;
  /** Which capture group is the expression (the whole match when absent). */
  group?: number;
}

const MONTH = MONTHS.map((m) => m[0]?.toUpperCase() + m.slice(1)).join('|');
const WEEKDAY = WEEKDAYS.map((d) => d[0]?.toUpperCase() + d.slice(1)).join('|');

const RULES: Rule[] = [
  {
    // "on 27 and 28 April", "27-28 April 2018": both days, of the year nearest publication.
    pattern: new RegExp(
      `\\b(\\d{1,2})\\s*(?:and|to|-|–)\\s*(\\d{1,2})\\s+(${MONTH})(?:\\s+(\\d{4}))?\\b`,
      'g',
    ),
    resolve: (m, published) => {
      const month = MONTHS.indexOf((m[3] as string).toLowerCase());
      const [first, last] = [Number(m[1]), Number(m[2])];
      const year = m[4] ? Number(m[4]) : nearestYear(month, published);
      if (first >= last || last > monthEnd(year, month).getUTCDate()) return undefined;
      return interval(utc(year, month, first), utc(year, month, last), 'DAY');
    },
  },
  {
    pattern: /\b(today|yesterday|tomorrow|last night|tonight)\b/gi,
    resolve: (m, published) => {
      const word = (m[1] as string).toLowerCase();
      if (word === 'last night') return interval(addDays(published, -1), published, 'DAY');
      const offset = word === 'yesterday' ? -1 : word === 'tomorrow' ? 1 : 0;
      const date = addDays(published, offset);
      return interval(date, date, 'DAY');
    },
  },
  {
    pattern: new RegExp(`\\b(?:(last|next|this)\\s+)?(${WEEKDAY})\\b`, 'g'),
    resolve: (m, published, text) =>
      weekday(
        WEEKDAYS.indexOf((m[2] as string).toLowerCase()),
        published,
        m[1]?.toLowerCase(),
        tenseAround(text, m.index),
      ),
  },
  {
    // "this weekend", "last weekend": the Saturday and Sunday of that week
    pattern: /\b(this|next|last|the)\s+weekend\b/gi,
    resolve: (m, published) => {
      const shift = { this: 0, the: 0, next: 7, last: -7 }[(m[1] as string).toLowerCase()] ?? 0;
      const saturday = addDays(monday(published), 5 + shift);
      return interval(saturday, addDays(saturday, 1), 'DAY');
    },
  },
  {
    pattern: /\b(earlier this|later this|this|next|last|past)\s+(week|month|year)\b/gi,
    resolve: (m, published) =>
      relativePeriod(
        (m[2] as string).toLowerCase() as 'week',
        (m[1] as string).toLowerCase().replace(/\s+/g, ' '),
        published,
      ),
  },
  {
    // "two years ago", "three weeks ago", "a month ago"
    pattern:
      /\b(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(day|week|month|year)s?\s+ago\b/gi,
    resolve: (m, published) => {
      const count = NUMBERS[(m[1] as string).toLowerCase()] ?? Number(m[1]);
      const unit = (m[2] as string).toLowerCase();
      if (unit === 'day') {
        const date = addDays(published, -count);
        return interval(date, date, 'DAY');
      }
      if (unit === 'week') {
        const start = monday(addDays(published, -7 * count));
        return interval(start, addDays(start, 6), 'WEEK');
      }
      if (unit === 'month') {
        const y = published.getUTCFullYear();
        const mo = published.getUTCMonth() - count;
        return interval(utc(y, mo, 1), monthEnd(y, mo), 'MONTH');
      }
      const year = published.getUTCFullYear() - count;
      return interval(utc(year, 0, 1), utc(year, 11, 31), 'YEAR');
    },
  },
  {
    // "early 2020", "the first half of 2023", "spring 2024", "early last year", "mid-2019"
    pattern: new RegExp(
      `\\b(${PART})(?:\\s+|-)(?:of\\s+)?(\\d{4}|(?:this|last|next|the) year)\\b`,
      'gi',
    ),
    resolve: (m, published) => {
      const part = PARTS[(m[1] as string).toLowerCase().replace(/\s+/g, ' ')];
      const year = yearOf((m[2] as string).toLowerCase().replace(/\s+/g, ' '), published);
      if (!part || year === undefined) return undefined;
      return interval(utc(year, part[0], 1), monthEnd(year, part[1]), 'PART_OF_YEAR');
    },
  },
  {
    // "early September", "mid-July", "late October 2023": a third of a month
    pattern: new RegExp(`\\b(early|mid|late)(?:\\s+|-)(${MONTH})(?:,?\\s+(\\d{4}))?\\b`, 'gi'),
    resolve: (m, published, text) => {
      const month = MONTHS.indexOf((m[2] as string).toLowerCase());
      const year = m[3] ? Number(m[3]) : nearestYear(month, published, tenseAround(text, m.index));
      const last = monthEnd(year, month).getUTCDate();
      const third = (m[1] as string).toLowerCase();
      const [from, to] = third === 'early' ? [1, 10] : third === 'mid' ? [11, 20] : [21, last];
      return interval(utc(year, month, from), utc(year, month, to), 'MONTH');
    },
  },
  {
    // "in September", "September 2022", "last March". A bare "May" or "March" is too often a
    // verb, so a month alone needs a preposition or a year next to it.
    pattern: new RegExp(
      `\\b(?:(in|since|until|till|by|during|from|through|throughout|before|after|last|next|this|of)\\s+)?(${MONTH})(?:,?\\s+(\\d{4}))?\\b(?!\\s*\\d)`,
      'g',
    ),
    group: 0,
    resolve: (m, published, text) => {
      const lead = m[1]?.toLowerCase();
      if (!lead && !m[3]) return undefined;
      const month = MONTHS.indexOf((m[2] as string).toLowerCase());
      let year = m[3] ? Number(m[3]) : nearestYear(month, published, tenseAround(text, m.index));
      if (!m[3] && lead === 'last') {
        year = published.getUTCFullYear() - (month >= published.getUTCMonth() ? 1 : 0);
      }
      if (!m[3] && lead === 'next') {
        year = published.getUTCFullYear() + (month <= published.getUTCMonth() ? 1 : 0);
      }
      if (!m[3] && lead === 'this') year = published.getUTCFullYear();
      return interval(utc(year, month, 1), monthEnd(year, month), 'MONTH');
    },
  },
  {
    pattern: /\b(?:the\s+)?((?:1[89]|20)\d0)s\b/g,
    resolve: (m) => {
      const start = Number(m[1]);
      return interval(utc(start, 0, 1), utc(start + 9, 11, 31), 'DECADE');
    },
  },
  {
    // A year on its own: not an amount ("2,022"), a price or part of a longer number.
    pattern: /(?<![\d$€£.,/-])\b((?:1[89]|20)\d\d)\b(?![\d%]|,\d|s\b|-\d)/g,
    resolve: (m) => {
      const year = Number(m[1]);
      return interval(utc(year, 0, 1), utc(year, 11, 31), 'YEAR');
    },
  },
];

/** Words that lead into a date but are not part of it. */
const LEADING = /^(?:on|from|by|until|till|since|in|before|after|during|through|of)\s+/i;
const NAMES_A_DATE = new RegExp(
  `(${MONTH}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)|\\d{4}-\\d{2}-\\d{2}`,
  'i',
);

function fromChrono(text: string, published: Date): (Interval & { start: number; end: number })[] {
  const found: (Interval & { start: number; end: number })[] = [];
  for (const result of chrono.strict.parse(text, { instant: published, timezone: 0 })) {
    let phrase = result.text;
    let start = result.index;
    const lead = LEADING.exec(phrase);
    if (lead) {
      phrase = phrase.slice(lead[0].length);
      start += lead[0].length;
    }
    // Numbers alone ("7/11") are too often something else; keep dates that name a month.
    if (!NAMES_A_DATE.test(phrase) || !result.start.isCertain('day')) continue;
    const day = (component: chrono.ParsedComponents) =>
      utc(component.get('year') ?? 0, (component.get('month') ?? 1) - 1, component.get('day') ?? 1);
    const from = day(result.start);
    const to = result.end ? day(result.end) : from;
    if (to < from) continue;
    found.push({ start, end: start + phrase.length, from, to, precision: 'DAY' });
  }
  return found;
}

/**
 * Finds the phrases of `text` that name a time and resolves each against `publishedAt`: explicit
 * dates through chrono, weekdays by the tense of their sentence, weeks, months, parts of years,
 * years and decades by our own rules. A phrase that can mean several days stays an interval; a
 * phrase that can not be pinned down is left out rather than guessed.
 */
export function findTimeExpressions(text: string, publishedAt: Date): TimeExpression[] {
  const published = utc(
    publishedAt.getUTCFullYear(),
    publishedAt.getUTCMonth(),
    publishedAt.getUTCDate(),
  );
  const candidates: (Interval & { start: number; end: number })[] = fromChrono(text, published);
  for (const rule of RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const found = rule.resolve(match as RegExpExecArray, published, text);
      if (!found) continue;
      let start = match.index;
      let phrase = match[0];
      const lead = LEADING.exec(phrase);
      if (lead) {
        phrase = phrase.slice(lead[0].length);
        start += lead[0].length;
      }
      candidates.push({ ...found, start, end: start + phrase.length });
    }
  }
  // Longest phrase wins: "Wednesday, September 14" over "Wednesday", "early 2020" over "2020".
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  // Which characters a kept phrase covers: a phrase is short, so checking its own characters
  // keeps this linear where comparing with every kept phrase would not be.
  const covered = new Uint8Array(text.length);
  const kept: typeof candidates = [];
  // A resolution outside the years the API accepts ("next year" in an article of 9999) is
  // dropped: the analysis never returns a date the API would refuse as input.
  for (const candidate of candidates.filter(inRange)) {
    if (covered.subarray(candidate.start, candidate.end).includes(1)) continue;
    covered.fill(1, candidate.start, candidate.end);
    kept.push(candidate);
  }
  return kept
    .sort((a, b) => a.start - b.start)
    .map((c) => ({
      text: text.slice(c.start, c.end),
      start: c.start,
      end: c.end,
      from: iso(c.from),
      to: iso(c.to),
      precision: c.precision,
    }));
}
