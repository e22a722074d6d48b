// The calendar arithmetic behind time expressions: UTC days (years below 100 kept as written),
// the range of days the API accepts, weeks from Monday, month ends, parts of a year, and which
// year a month or a "this/last/next year" most likely means.
import type { TimePrecision } from './dates.ts';

export const DAY_MS = 86_400_000;
export const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];
export const NUMBERS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/** A UTC day. `Date.UTC` reads years 0-99 as 1900-1999; `setUTCFullYear` keeps them as written. */
export const utc = (year: number, month: number, day: number) => {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date;
};
/** The days the API accepts (`Date` and `DateTime` take years 0001 to 9999). */
export const FIRST_DAY = utc(1, 0, 1).getTime();
export const LAST_DAY = utc(9999, 11, 31).getTime();
export const inRange = (interval: { from: Date; to: Date }) =>
  interval.from.getTime() >= FIRST_DAY && interval.to.getTime() <= LAST_DAY;
export const iso = (date: Date) => date.toISOString().slice(0, 10);
export const addDays = (date: Date, days: number) => new Date(date.getTime() + days * DAY_MS);
export const monthEnd = (year: number, month: number) => utc(year, month + 1, 0);
/** Monday of the ISO week holding `date`. */
export const monday = (date: Date) => addDays(date, -((date.getUTCDay() + 6) % 7));

export type Interval = { from: Date; to: Date; precision: TimePrecision };
export const interval = (from: Date, to: Date, precision: TimePrecision): Interval => ({
  from,
  to,
  precision,
});

/** Parts of a year, as months (0-based, inclusive). */
export const PARTS: Record<string, [number, number]> = {
  early: [0, 3],
  'the start of': [0, 2],
  'the beginning of': [0, 2],
  mid: [4, 7],
  'the middle of': [4, 7],
  late: [8, 11],
  'the end of': [9, 11],
  'the first half of': [0, 5],
  'the second half of': [6, 11],
  'the first quarter of': [0, 2],
  'the second quarter of': [3, 5],
  'the third quarter of': [6, 8],
  'the fourth quarter of': [9, 11],
  spring: [2, 4],
  summer: [5, 7],
  autumn: [8, 10],
  fall: [8, 10],
};
export const PART = Object.keys(PARTS)
  .sort((a, b) => b.length - a.length)
  .map((part) => part.replace(/ /g, '\\s+'))
  .join('|');

/**
 * The year a month without one means: the last such month for a sentence in the past tense, the
 * next one for the future, otherwise the occurrence nearest to publication.
 */
export function nearestYear(month: number, published: Date, tense?: 'future' | 'past'): number {
  const year = published.getUTCFullYear();
  const diff = month - published.getUTCMonth();
  if (tense === 'past') return diff > 0 ? year - 1 : year;
  if (tense === 'future') return diff < 0 ? year + 1 : year;
  if (diff > 6) return year - 1;
  if (diff < -6) return year + 1;
  return year;
}

export function yearOf(word: string, published: Date): number | undefined {
  const year = published.getUTCFullYear();
  if (/^\d{4}$/.test(word)) return Number(word);
  if (word === 'this year' || word === 'the year') return year;
  if (word === 'last year') return year - 1;
  if (word === 'next year') return year + 1;
  return undefined;
}
