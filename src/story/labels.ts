import type { FieldChange } from './changes.ts';

/**
 * Every label the story log gives a change, decided here (a creation's fixed label, such as
 * ARTICLE_PUBLISHED, is written in the type's registry entry). A label names the most
 * meaningful thing that happened, for a reader skimming the feed: when a summit opens and its
 * dates are corrected in the same edit, it opened.
 */

const SUMMIT_STATUS: Record<string, string> = {
  CONFIRMED: 'SUMMIT_CONFIRMED',
  IN_PROGRESS: 'SUMMIT_OPENED',
  CONCLUDED: 'SUMMIT_CONCLUDED',
  POSTPONED: 'SUMMIT_POSTPONED',
  CANCELLED: 'SUMMIT_CANCELLED',
};

const PARTICIPATION_STATUS: Record<string, string> = {
  EXPECTED: 'PARTICIPATION_EXPECTED',
  CONFIRMED: 'PARTICIPATION_CONFIRMED',
  ATTENDED: 'LEADER_ATTENDED',
  WITHDRAWN: 'PARTICIPATION_WITHDRAWN',
};

const OCCURRENCE_STATUS: Record<string, string> = {
  CONFIRMED: 'OCCURRENCE_CONFIRMED',
  OCCURRED: 'OCCURRENCE_OCCURRED',
  POSTPONED: 'OCCURRENCE_POSTPONED',
  CANCELLED: 'OCCURRENCE_CANCELLED',
};

const changed = (changes: FieldChange[], ...fields: string[]) =>
  changes.find((change) => fields.includes(change.field));

/** A summit's change: a new status says more than new dates (a postponement moves dates too). */
export function summitLabel(changes: FieldChange[]): string | null {
  const status = changed(changes, 'status');
  if (status) return SUMMIT_STATUS[String(status.after)] ?? null;
  return changed(changes, 'startsOn', 'endsOn') ? 'SUMMIT_RESCHEDULED' : null;
}

/**
 * An occurrence's change: a new status says more than a new `when`, as for summits, and a new
 * `when` more than a new list of participants.
 */
export function occurrenceLabel(changes: FieldChange[]): string | null {
  const status = changed(changes, 'status');
  if (status) return OCCURRENCE_STATUS[String(status.after)] ?? null;
  if (changed(changes, 'when')) return 'OCCURRENCE_RESCHEDULED';
  return changed(changes, 'participants') ? 'OCCURRENCE_PARTICIPANTS_CHANGED' : null;
}

/** A participation created or changed: named after its (new) status. */
export function participationLabel(changes: FieldChange[]): string | null {
  const status = changed(changes, 'status');
  return status ? (PARTICIPATION_STATUS[String(status.after)] ?? null) : null;
}

/** A leader's change: a new office is news, a new alias is not. */
export function leaderLabel(changes: FieldChange[]): string | null {
  return changed(changes, 'title') ? 'LEADER_TITLE_CHANGED' : null;
}

/** An article's change: a new headline or body is a revision; metadata is not. */
export function articleLabel(changes: FieldChange[]): string | null {
  return changed(changes, 'headline', 'body') ? 'ARTICLE_REVISED' : null;
}

/**
 * A revision of an article's text: one event, labelled CORRECTION_ISSUED when it publishes a
 * correction note (the note is in its `changes`, under `correction`), else ARTICLE_REVISED.
 */
export function revisionLabel(correction: string | null): string {
  return correction ? 'CORRECTION_ISSUED' : 'ARTICLE_REVISED';
}

/** A membership's change: an end date means the seat was given up. */
export function membershipLabel(changes: FieldChange[]): string | null {
  return changed(changes, 'endedOn')?.after ? 'MEMBERSHIP_ENDED' : null;
}

/** An article newly linked to something it mentions: `LEADER_MENTIONED` and the like. */
export function mentionLabel(type: string): string {
  return `${type.toUpperCase()}_MENTIONED`;
}
