// What the story says happens: the vocabulary of occurrences (meetings, visits, talks …) and of
// the claims articles make about them, shared by the extraction from text (ingest/find-claims.ts),
// the story layer that stores and matches them, and the schema that serves them.
import type { TimePrecision } from './ingest/dates.ts';
import type { ParticipantType } from './registry.ts';

export const OCCURRENCE_KINDS = ['MEETING', 'VISIT', 'TALKS', 'CALL', 'SIGNING', 'OTHER'] as const;
export type OccurrenceKind = (typeof OCCURRENCE_KINDS)[number];

/** Where an occurrence stands; it only moves forward (see {@link STATUS_ORDER}). */
export const OCCURRENCE_STATUSES = [
  'EXPECTED',
  'ANNOUNCED',
  'CONFIRMED',
  'OCCURRED',
  'POSTPONED',
  'CANCELLED',
] as const;
export type OccurrenceStatus = (typeof OCCURRENCE_STATUSES)[number];

/** How an article puts what it says happens. */
export const CLAIM_MODALITIES = [
  'PLANNED',
  'EXPECTED',
  'CONFIRMED',
  'REPORTED',
  'DENIED',
  'POSTPONED',
  'CANCELLED',
] as const;
export type ClaimModality = (typeof CLAIM_MODALITIES)[number];

export const CLAIM_RANKS = ['PREFERRED', 'NORMAL', 'DEPRECATED'] as const;
export type ClaimRank = (typeof CLAIM_RANKS)[number];

export const PARTICIPANT_ROLES = ['INITIATOR', 'COUNTERPART', 'HOST', 'GUEST'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** A span of days, as precise as the text allows (both ends included). */
export interface TimeRange {
  from: Date;
  to: Date;
  precision: TimePrecision;
}

/** The exact words a claim rests on, with context to find them again (W3C TextQuoteSelector). */
export interface TextQuote {
  /** Offsets in the body, or in the headline when `inHeadline`. */
  start: number;
  end: number;
  exact: string;
  /** Up to 32 characters before and after `exact`. */
  prefix: string;
  suffix: string;
  inHeadline: boolean;
}

/** One claim found in an article's text, before anything is written. */
export interface ClaimDraft {
  kind: OccurrenceKind;
  /** CAMEO: 036 intent to meet, 042 visit, 043 host, 044 meet at a third place; null if none fits. */
  cameoCode: string | null;
  modality: ClaimModality;
  /** Known leaders and organizations taking part, in text order, each once. */
  participants: { type: ParticipantType; id: number }[];
  when: TimeRange | null;
  place: string | null;
  /** The known summit it is part of, if the clause names one. */
  partOf: { type: 'Summit'; id: number } | null;
  /** Index into the analysis' attributions of the sentence's source; null: the article's voice. */
  attribution: number | null;
  evidence: TextQuote;
  /** 0 to 1. */
  confidence: number;
}

/**
 * How far along each status is. Claims move an occurrence only to a later status; editors may
 * set any. A postponed occurrence can still take place (OCCURRED) or be called off.
 */
export const STATUS_ORDER: Record<OccurrenceStatus, number> = {
  EXPECTED: 0,
  ANNOUNCED: 1,
  CONFIRMED: 2,
  POSTPONED: 3,
  OCCURRED: 4,
  CANCELLED: 4,
};
