import { badInput } from '../core/errors.ts';
import type { FieldChange } from './changes.ts';
import {
  articleLabel,
  leaderLabel,
  membershipLabel,
  occurrenceLabel,
  participationLabel,
  summitLabel,
} from './labels.ts';

// The entity registry: everything the story layer knows of one entity type, declared once in its
// entry below. The lists the rest of the code needs (the types with global IDs, the editing rules,
// the links stored on each event, the mention tables, the types an article can mention or a
// proposal can become) are all derived from ENTITIES. Adding a type is one entry here (and its
// Prisma model) plus its own file in src/schema/.

/** What the story layer knows of one editable field, named as the API names it. */
export interface FieldRule<Type extends string = NodeType> {
  /** A link to another entity, stored as that entity's row id in `column`; given as a global ID. */
  references?: { type: Type; column: string };
  /** May be null: left out on creation, or cleared by a patch. */
  nullable?: boolean;
  /** What a creation stores when the field is left out; computed from the other fields if a function. */
  default?: unknown;
}

/**
 * One kind of entity linked to a row, as stored in each event's `relatedIds`: the values of
 * `column` in the rows of the relation `via`, or of the row's own `column` when `via` is absent.
 */
export interface RelatedLink<Type extends string = NodeType> {
  type: Type;
  via?: string;
  column: string;
}

/** How an article's mention of this type is stored. */
export interface MentionTable {
  /** The Prisma model of the mention rows, such as `leaderMention`. */
  table: string;
  /** The column holding the mentioned row's id. */
  key: string;
  /** The relation on Article that lists these mentions. */
  onArticle: string;
  /** The field a LINKED event of the article reports the link under. */
  field: string;
}

/**
 * An entity type: its Prisma model, its editing rules, its links and its labels. `Type` is the
 * name of another entity type (plain strings while the registry itself is being declared).
 */
export interface EntitySpec<Type extends string = NodeType> {
  /** The Prisma delegate's name on the client, such as `leader`. */
  model: string;
  /** Editable fields by API name, in the order events list them. */
  fields: Record<string, FieldRule<Type>>;
  /** Refuses a row (in column terms, as it would be after the write) that does not hang together. */
  validate?: (row: Record<string, unknown>) => void;
  /** Names an update for readers (`SUMMIT_RESCHEDULED`, …), or null. */
  label?: (changes: FieldChange[]) => string | null;
  /** The label of its creation, when one says more than CREATED. */
  createdLabel?: string;
  /** What each of its events lists as linked, besides its mentions (derived from `mentions`). */
  related: RelatedLink<Type>[];
  /** Present when an article can mention it (and so a proposal can become one). */
  mentions?: MentionTable;
  /** Set on the type that does the mentioning: what it mentions is what it is linked to. */
  mentioning?: true;
  /**
   * Fields whose new value is a revision of the text (story/revise.ts): an update that changes
   * one re-anchors spans, analyses the text again and stores a revision.
   */
  revisedBy?: readonly string[];
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

/** The mention table of a type whose model is `model`. */
const mentionTable = (model: string, field: string): MentionTable => ({
  table: `${model}Mention`,
  key: `${model}Id`,
  onArticle: `${model}Mentions`,
  field,
});

const ENTRIES = {
  Leader: {
    model: 'leader',
    fields: {
      slug: {},
      name: {},
      aliases: { default: [] },
      title: {},
      country: {},
      description: { default: '' },
    },
    label: leaderLabel,
    related: [
      { type: 'Organization', via: 'memberships', column: 'organizationId' },
      { type: 'Summit', via: 'participations', column: 'summitId' },
    ],
    mentions: mentionTable('leader', 'leaders'),
  },
  Organization: {
    model: 'organization',
    fields: {
      slug: {},
      name: {},
      acronym: { nullable: true },
      kind: {},
      description: { default: '' },
      memberStates: { default: [] },
    },
    related: [
      { type: 'Leader', via: 'memberships', column: 'leaderId' },
      { type: 'Summit', via: 'summits', column: 'id' },
    ],
    mentions: mentionTable('organization', 'organizations'),
  },
  Summit: {
    model: 'summit',
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
    related: [
      { type: 'Organization', column: 'organizerId' },
      { type: 'Leader', via: 'participations', column: 'leaderId' },
    ],
    mentions: mentionTable('summit', 'summits'),
  },
  Article: {
    model: 'article',
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
    createdLabel: 'ARTICLE_PUBLISHED',
    related: [],
    mentioning: true,
    revisedBy: ['headline', 'body'],
  },
  Membership: {
    model: 'membership',
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
    createdLabel: 'MEMBERSHIP_ADDED',
    related: [
      { type: 'Leader', column: 'leaderId' },
      { type: 'Organization', column: 'organizationId' },
    ],
  },
  Participation: {
    model: 'participation',
    fields: {
      leader: { references: { type: 'Leader', column: 'leaderId' } },
      summit: { references: { type: 'Summit', column: 'summitId' } },
      status: {},
      note: { default: '' },
    },
    label: participationLabel,
    related: [
      { type: 'Leader', column: 'leaderId' },
      { type: 'Summit', column: 'summitId' },
    ],
  },
  Occurrence: {
    model: 'occurrence',
    // What its events list, by API name; written by story/occurrence-writes.ts, not createRow.
    fields: {
      slug: {},
      kind: {},
      cameoCode: { nullable: true },
      status: {},
      when: { nullable: true },
      place: { nullable: true },
      partOf: { nullable: true },
      participants: {},
    },
    label: occurrenceLabel,
    related: [
      { type: 'Leader', via: 'participants', column: 'leaderId' },
      { type: 'Organization', via: 'participants', column: 'organizationId' },
      { type: 'Summit', column: 'partOfSummitId' },
      { type: 'Occurrence', column: 'partOfOccurrenceId' },
    ],
  },
  Claim: {
    model: 'claim',
    // Written by story/claims.ts; only `occurrence` and `rank` change afterwards.
    fields: {
      article: { references: { type: 'Article', column: 'articleId' } },
      occurrence: { references: { type: 'Occurrence', column: 'occurrenceId' }, nullable: true },
      kind: {},
      modality: {},
      when: { nullable: true },
      place: { nullable: true },
      rank: { default: 'NORMAL' },
    },
    createdLabel: 'CLAIM_RECORDED',
    related: [
      { type: 'Article', column: 'articleId' },
      { type: 'Occurrence', column: 'occurrenceId' },
      { type: 'Leader', via: 'participants', column: 'leaderId' },
      { type: 'Organization', via: 'participants', column: 'organizationId' },
      { type: 'Summit', column: 'partOfSummitId' },
      { type: 'Occurrence', column: 'partOfOccurrenceId' },
    ],
  },
} as const satisfies Record<string, EntitySpec<string>>;

/** The types that take part in occurrences and claims, with the participant rows' column of each. */
export const PARTICIPANT_COLUMNS = { Leader: 'leaderId', Organization: 'organizationId' } as const;
/** A type that can take part in an occurrence. */
export type ParticipantType = keyof typeof PARTICIPANT_COLUMNS;
/** What an occurrence (or a claim) can be part of, with the column that holds the link. */
export const PART_OF_COLUMNS = {
  Summit: 'partOfSummitId',
  Occurrence: 'partOfOccurrenceId',
} as const;
/** A type an occurrence can be part of. */
export type PartOfType = keyof typeof PART_OF_COLUMNS;

/** The entity types: the object types that have global IDs, and so can be fetched through `node`. */
export type NodeType = keyof typeof ENTRIES;
/** Every entity type, in the order of the registry. */
export const NODE_TYPES = Object.keys(ENTRIES) as NodeType[];

/** The types an article can mention (and that an open proposal can become). */
export type MentionType = {
  [T in NodeType]: (typeof ENTRIES)[T] extends { mentions: MentionTable } ? T : never;
}[NodeType];
/** Every type an article can mention, in registry order (the order links are written in). */
export const MENTION_TYPES = NODE_TYPES.filter(
  (type): type is MentionType => 'mentions' in ENTRIES[type],
);

/** The mention table of a type an article can mention. */
export const mentionsOf = (type: MentionType): MentionTable => ENTRIES[type].mentions;

/** Every entity type's entry, with the links that follow from mentions filled in. */
export const ENTITIES: Record<NodeType, EntitySpec> = Object.fromEntries(
  NODE_TYPES.map((type) => {
    const entry = ENTRIES[type] as EntitySpec;
    const related: RelatedLink[] =
      'mentioning' in entry
        ? MENTION_TYPES.map((mentioned) => ({
            type: mentioned,
            via: mentionsOf(mentioned).onArticle,
            column: mentionsOf(mentioned).key,
          }))
        : entry.mentions
          ? [...entry.related, { type: 'Article', via: 'mentions', column: 'articleId' }]
          : [...entry.related];
    return [type, { ...entry, related }];
  }),
) as Record<NodeType, EntitySpec>;

/** The Prisma delegate of an entity type on a client or transaction, typed as the caller needs it. */
export function modelOf<Delegate>(client: object, type: NodeType): Delegate {
  return (client as Record<string, Delegate>)[ENTITIES[type].model] as Delegate;
}

/** Whether a creation must give `field` (not nullable, no default). */
export function isRequired(rule: FieldRule): boolean {
  return !rule.nullable && rule.default === undefined;
}
