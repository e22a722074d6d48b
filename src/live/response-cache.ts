// Answers kept per instance and dropped by the story log. A query's answer is stored under its
// text, operation name, variables and the viewer's role (never a token), tagged with the entity
// types its selection can reach, or, for a lookup of single entities, with their IDs. Each time
// the instance's feed reads committed events, every answer tagged with an event's entity or
// anything the event lists as related (by type or by ID) is dropped before anything else runs,
// so no answer outlives a change its instance has read (whichever instance made it). Storing is refused if any event was read while the answer was
// computed: it may have been read from the rows before that event. Size is bounded in bytes,
// least recently used first; there is no expiry, because nothing but the log changes an answer.
import {
  type DocumentNode,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isNonNullType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { StoryEvent } from '../generated/prisma/client.ts';
import { decodeGlobalId, NODE_TYPES } from '../story/global-id.ts';

/** Tag of answers that read the log itself (`storyEvents`, `history`): every event drops them. */
const LOG_TYPE = 'StoryEvent';
/**
 * An `asOf` snapshot's type. A snapshot at a named position never changes, but one asked for by
 * time can resolve to the head, which every event moves: its answers are dropped like the log's.
 */
const SNAPSHOT_TYPE = 'StorySnapshot';

/** One answer as it is kept. */
export interface Answer {
  /** The response body, `storyCursor` included. */
  body: Buffer;
  /** The operation's name, for the request log. */
  operation: string;
}

interface Entry extends Answer {
  key: string;
  /** The query text, counted in `texts` while the entry is kept. */
  text: string;
  tags: readonly string[];
}

/** The object types a document's selection can reach, abstract types expanded; per document. */
const reachable = new WeakMap<DocumentNode, readonly string[]>();
export function selectedTypes(schema: GraphQLSchema, document: DocumentNode): readonly string[] {
  let types = reachable.get(document);
  if (!types) {
    const found = new Set<string>();
    const info = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(info, {
        [Kind.FIELD]() {
          const type = info.getType();
          const named = type && getNamedType(type);
          if (!named) return;
          if (isObjectType(named)) {
            found.add(named.name);
            // A type whose fields read entities it does not select (the timeline's entries) is
            // tagged with every type, so any event drops answers that show it.
            if (named.extensions?.readsEveryType) for (const type of NODE_TYPES) found.add(type);
          } else if (isAbstractType(named))
            for (const possible of schema.getPossibleTypes(named)) found.add(possible.name);
        },
      }),
    );
    types = [...found];
    reachable.set(document, types);
  }
  return types;
}

/**
 * A document whose root fields all look up one entity of one type, and whose selection reaches
 * no other entity type: its answer depends on those entities alone (their own events, and the
 * link events that list them as related), so it can be tagged with their IDs instead of their
 * type. Per document; undefined for any other document.
 */
const singles = new WeakMap<DocumentNode, { type: string; keys: string[] } | null>();
function singleLookups(schema: GraphQLSchema, document: DocumentNode) {
  let single = singles.get(document);
  if (single === undefined) {
    single = null;
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const fields = schema.getQueryType()?.getFields() ?? {};
    const types = new Set<string>();
    const keys: string[] = [];
    let plain = operations.length === 1;
    for (const selection of operations[0]?.selectionSet.selections ?? []) {
      if (selection.kind !== Kind.FIELD || selection.directives?.length) plain = false;
      else if (selection.name.value !== '__typename') {
        const type = fields[selection.name.value]?.type;
        const object = type && (isNonNullType(type) ? type.ofType : type);
        if (!object || !isObjectType(object)) plain = false;
        else types.add(object.name);
        keys.push(selection.alias?.value ?? selection.name.value);
      }
    }
    const [type] = types;
    const reached = selectedTypes(schema, document).filter((t) => NODE_TYPES.includes(t as never));
    if (plain && type && types.size === 1 && reached.length === 1 && reached[0] === type)
      single = { type, keys };
    singles.set(document, single);
  }
  return single ?? undefined;
}

/**
 * The tags of an answer: the types its selection reaches, except that a document of single
 * lookups (above) whose answer names each entity by its `id` is tagged with those entities.
 */
export function answerTags(
  schema: GraphQLSchema,
  document: DocumentNode,
  data: unknown,
): readonly string[] {
  const types = selectedTypes(schema, document);
  if (types.includes(SNAPSHOT_TYPE)) return [...types, LOG_TYPE];
  const single = singleLookups(schema, document);
  if (!single) return types;
  const ids: string[] = [];
  for (const key of single.keys) {
    const value = (data as Record<string, { id?: unknown } | null> | null)?.[key];
    // Not found (a creation could change that), or no `id` asked: the whole type it is.
    if (typeof value?.id !== 'string') return types;
    try {
      const { typename, id } = decodeGlobalId(value.id);
      if (typename !== single.type) return types;
      ids.push(`${typename}:${id}`);
    } catch {
      return types;
    }
  }
  return [...types.filter((type) => type !== single.type), ...ids];
}

/**
 * What an event can change answers about: its entity and its related entities, by type and by
 * ID, and the log.
 */
export function eventTags(event: StoryEvent): string[] | 'all' {
  const tags = [event.entityType, `${event.entityType}:${event.entityId}`, LOG_TYPE];
  for (const related of event.relatedIds) {
    try {
      const { typename, id } = decodeGlobalId(related);
      tags.push(typename, `${typename}:${id}`);
    } catch {
      // Not an ID this version can read: what it names is unknown, so nothing is kept.
      return 'all';
    }
  }
  return tags;
}

/** The cache of one instance. */
export class ResponseCache {
  readonly #entries = new Map<string, Entry>();
  readonly #tagged = new Map<string, Set<Entry>>();
  /** Entries kept per query text: a request for any other text can not be a hit. */
  readonly #texts = new Map<string, number>();
  #bytes = 0;
  #generation = 0;
  /** The latest commit announced to this instance. */
  #announced = 0;
  /** Answers served from the cache, answers looked up and not found, and entries dropped by events. */
  hits = 0;
  misses = 0;
  invalidations = 0;

  /**
   * @param maxBytes the most the stored bodies may add up to
   * @param head how far the instance's feed has read the log
   */
  constructor(
    readonly maxBytes: number,
    private readonly head: () => number = () => Number.MAX_SAFE_INTEGER,
  ) {}

  /** The key of an answer: never a token, only the role that decides what a viewer may see. */
  static key(text: string, operationName: unknown, variables: unknown, role: string): string {
    return JSON.stringify([text, operationName ?? null, variables ?? {}, role]);
  }

  get entries(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Take before computing an answer and hand to {@link store}: it says whether events came in. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * A commit was announced (by this instance, or by another through Redis) that the feed has not
   * read yet: until it has, nothing is answered from memory, so a client reading right after its
   * own write does not get an answer from before it.
   */
  announced(sequence: number): void {
    this.#announced = Math.max(this.#announced, sequence);
  }

  /**
   * Whether any answer to this query text is kept (for any variables or role): checked before a
   * request's token is verified and its key built, which a text never kept does not need.
   */
  holds(text: string): boolean {
    return this.#texts.has(text);
  }

  /** The stored answer, which becomes the most recently used; counts a hit or a miss. */
  lookup(key: string): Answer | undefined {
    const entry = this.head() >= this.#announced ? this.#entries.get(key) : undefined;
    if (!entry) {
      this.misses += 1;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.hits += 1;
    return entry;
  }

  /**
   * Keeps an answer computed since `generation` was read, unless an event was read meanwhile (or
   * the body alone is over a quarter of the budget). `tags` are the types its selection reaches
   * ({@link selectedTypes}). Returns whether it was kept.
   */
  store(
    key: string,
    answer: { text: string; body: string; operation: string; tags: readonly string[] },
    generation: number,
  ): boolean {
    if (generation !== this.#generation) return false;
    const body = Buffer.from(answer.body);
    if (body.length > this.maxBytes / 4) return false;
    const existing = this.#entries.get(key);
    if (existing) this.#drop(existing);
    while (this.#bytes + body.length > this.maxBytes) {
      const oldest = this.#entries.values().next().value as Entry;
      this.#drop(oldest);
    }
    const entry: Entry = { ...answer, key, body };
    this.#entries.set(key, entry);
    this.#bytes += body.length;
    this.#texts.set(entry.text, (this.#texts.get(entry.text) ?? 0) + 1);
    for (const tag of entry.tags) {
      let set = this.#tagged.get(tag);
      if (!set) {
        set = new Set();
        this.#tagged.set(tag, set);
      }
      set.add(entry);
    }
    return true;
  }

  /** Drops every answer these committed events can have changed; the feed calls it as it reads. */
  apply(events: readonly StoryEvent[]): void {
    this.#generation += 1;
    if (this.#entries.size === 0) return;
    for (const event of events) {
      const tags = eventTags(event);
      if (tags === 'all') {
        for (const entry of this.#entries.values()) if (this.#drop(entry)) this.invalidations += 1;
        return;
      }
      for (const tag of tags) {
        const set = this.#tagged.get(tag);
        if (!set) continue;
        for (const entry of set) if (this.#drop(entry)) this.invalidations += 1;
      }
    }
  }

  /** Removes an entry; false if it was already gone. */
  #drop(entry: Entry): boolean {
    if (this.#entries.get(entry.key) !== entry) return false;
    this.#entries.delete(entry.key);
    this.#bytes -= entry.body.length;
    const count = (this.#texts.get(entry.text) ?? 1) - 1;
    if (count === 0) this.#texts.delete(entry.text);
    else this.#texts.set(entry.text, count);
    for (const tag of entry.tags) {
      const set = this.#tagged.get(tag);
      set?.delete(entry);
      if (set?.size === 0) this.#tagged.delete(tag);
    }
    return true;
  }
}
