import { badInput } from '../core/errors.ts';
import type { NodeType } from '../core/global-id.ts';
import type { FieldChange } from './changes.ts';
import {
  articleLabel,
  leaderLabel,
  membershipLabel,
  participationLabel,
  summitLabel,
} from './labels.ts';

/** What the story layer knows of one editable field, named as the API names it. */
export interface FieldRule {
  /** A link to another entity, stored as that entity's row id in `column`; given as a global ID. */
  references?: { type: NodeType; column: string };
  /** May be null: left out on creation, or cleared by a patch. */
  nullable?: boolean;
  /** What a creation stores when the field is left out; computed from the other fields if a function. */
  default?: unknown;
}

/** The editing rules of one model: its fields, how a row must hang together, and its labels. */
export interface ModelRules {
  type: NodeType;
  /** Editable fields by API name, in the order events list them. */
  fields: Record<string, FieldRule>;
  /** Refuses a row (in column terms, as it would be after the write) that does not hang together. */
  validate?: (row: Record<string, unknown>) => void;
  /** Names an update for readers (`SUMMIT_RESCHEDULED`, …), or null. */
  label?: (changes: FieldChange[]) => string | null;
}

/** Refuses `end` before `start`; either may be absent. */
function dateOrder(startField: string, endField: string) {
  return (row: Record<string, unknown>) => {
    const start = row[startField];
    const end = row[endField];
    if (start instanceof Date && end instanceof Date && end < start) {
      throw badInput(`"${endField}" must not be before "${startField}".`, { field: endField });
    }
  };
}

/** A precision that follows its date: DAY when a date is given, none without one. */
const precisionOf = (dateField: string) => (row: Record<string, unknown>) =>
  row[dateField] ? 'DAY' : null;

const Leader: ModelRules = {
  type: 'Leader',
  fields: {
    slug: {},
    name: {},
    aliases: { default: [] },
    title: {},
    country: {},
    description: { default: '' },
  },
  label: leaderLabel,
};

const Organization: ModelRules = {
  type: 'Organization',
  fields: {
    slug: {},
    name: {},
    acronym: { nullable: true },
    kind: {},
    description: { default: '' },
    memberStates: { default: [] },
  },
};

const Summit: ModelRules = {
  type: 'Summit',
  fields: {
    slug: {},
    name: {},
    organizer: {
      references: { type: 'Organization', column: 'organizerId' },
      nullable: true,
    },
    city: {},
    country: {},
    startsOn: {},
    startsOnPrecision: { default: 'DAY' },
    endsOn: { nullable: true },
    endsOnPrecision: { nullable: true, default: precisionOf('endsOn') },
    status: {},
    description: { default: '' },
  },
  validate: dateOrder('startsOn', 'endsOn'),
  label: summitLabel,
};

const Article: ModelRules = {
  type: 'Article',
  fields: {
    slug: {},
    headline: {},
    summary: { default: '' },
    body: { default: '' },
    source: {},
    url: { nullable: true },
    publishedAt: {},
  },
  label: articleLabel,
};

const Membership: ModelRules = {
  type: 'Membership',
  fields: {
    leader: { references: { type: 'Leader', column: 'leaderId' } },
    organization: { references: { type: 'Organization', column: 'organizationId' } },
    role: {},
    startedOn: { nullable: true },
    startedOnPrecision: { nullable: true, default: precisionOf('startedOn') },
    endedOn: { nullable: true },
    endedOnPrecision: { nullable: true, default: precisionOf('endedOn') },
  },
  validate: dateOrder('startedOn', 'endedOn'),
  label: membershipLabel,
};

const Participation: ModelRules = {
  type: 'Participation',
  fields: {
    leader: { references: { type: 'Leader', column: 'leaderId' } },
    summit: { references: { type: 'Summit', column: 'summitId' } },
    status: {},
    note: { default: '' },
  },
  label: participationLabel,
};

/** The rules of every editable model. */
export const MODELS: Record<NodeType, ModelRules> = {
  Leader,
  Organization,
  Summit,
  Article,
  Membership,
  Participation,
};

/** Whether a creation must give `field` (not nullable, no default). */
export function isRequired(rule: FieldRule): boolean {
  return !rule.nullable && rule.default === undefined;
}
