// What the matcher knows (the story's leaders, organizations and summits, as it needs them) and
// what it finds: the vocabulary shared by the analysis, its worker threads and the store.
import type { MentionType } from '../registry.ts';
import type { Span } from './text.ts';

/** The entity types an article can be linked to: the registry's mentionable types. */
export type EntityType = MentionType;

/** How a mention was found; EDITOR is for links made by hand. */
export type MatchedBy = 'NAME' | 'ALIAS' | 'ACRONYM' | 'EDITOR';

/** A leader as the matcher needs it. */
export interface KnownLeader {
  id: number;
  name: string;
  aliases: readonly string[];
  country: string;
}

/** An organization as the matcher needs it. */
export interface KnownOrganization {
  id: number;
  name: string;
  acronym: string | null;
}

/** A summit as the matcher needs it. */
export interface KnownSummit {
  id: number;
  name: string;
  organizerId: number | null;
  city: string;
  startsOn: Date;
}

/** Everything the story knows, to match an article against. */
export interface KnownEntities {
  leaders: readonly KnownLeader[];
  organizations: readonly KnownOrganization[];
  summits: readonly KnownSummit[];
}

/** One entity an article names, with every place it names it, in text order. */
export interface FoundMention {
  type: EntityType;
  id: number;
  matchedBy: MatchedBy;
  spans: Span[];
}
