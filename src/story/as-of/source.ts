// Where `asOf` gets the story at a position: the nearest checkpoint at or below it, and the
// events after that checkpoint folded in. Checkpoints sit every `every` events; the instance keeps
// the last `keep` it used in memory, with the pages of events after them, and stores each one it
// builds in `StoryCheckpoint`, so a fresh instance reads one row instead of replaying the log.
// Events never change once committed, so neither do checkpoints or pages.
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { MODELS } from '../../infra/datamodel.ts';
import { DEFAULT_AS_OF } from '../../infra/limit-defaults.ts';
import { applyEvent, copyTables, type FoldEvent } from './fold.ts';
import { emptyTables, type StoryAsOf, TABLE_NAMES, type TableName, type Tables } from './tables.ts';

/** How an instance checkpoints the log. */
export interface AsOfSettings {
  /** A checkpoint every this many events (AS_OF_CHECKPOINT_EVERY). */
  every: number;
  /** Checkpoints (and pages of events) kept in memory, least recently used dropped (AS_OF_CHECKPOINTS). */
  keep: number;
}

export { DEFAULT_AS_OF };

const EVENTS = `
SELECT e.sequence, e.kind, e."entityType", e."entityId", e."entityVersion", e.changes,
  e."occurredAt", d.detail
FROM "StoryEvent" e LEFT JOIN "StoryEventDetail" d ON d.sequence = e.sequence
WHERE e.sequence > $1 AND e.sequence <= $2
ORDER BY e.sequence`;

/** A small least-recently-used map. */
class Lru<V> {
  readonly #map = new Map<number, V>();
  constructor(readonly size: number) {}
  get(key: number): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }
  set(key: number, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.size) this.#map.delete(this.#map.keys().next().value as number);
  }
  get count(): number {
    return this.#map.size;
  }
}

/** One instance's checkpoints of one database. */
export class AsOfCache {
  readonly #checkpoints: Lru<Tables>;
  /** The events after each checkpoint, up to the next: `every` of them once the page is full. */
  readonly #pages: Lru<FoldEvent[]>;
  readonly #building = new Map<number, Promise<Tables>>();
  /** Checkpoints rebuilt from the log (not found in memory or stored): for tests and metrics. */
  built = 0;

  constructor(
    readonly db: PrismaClient,
    readonly settings: AsOfSettings = DEFAULT_AS_OF,
  ) {
    this.#checkpoints = new Lru(settings.keep);
    this.#pages = new Lru(settings.keep);
  }

  /** How many checkpoints and pages of events are in memory. */
  get held(): { checkpoints: number; pages: number } {
    return { checkpoints: this.#checkpoints.count, pages: this.#pages.count };
  }

  /**
   * The story once event `sequence` had committed (0: before the first event). The caller has
   * checked that it is within the log. The tables are shared: read them, never change them.
   */
  async at(sequence: number): Promise<StoryAsOf> {
    const base = sequence - (sequence % this.settings.every);
    const checkpoint = await this.#checkpoint(base);
    const events = await this.#events(base, sequence);
    let tables = checkpoint;
    if (events.length > 0) {
      tables = copyTables(checkpoint);
      for (const event of events) applyEvent(tables, event);
    }
    const occurredAt =
      events.at(-1)?.occurredAt ??
      (sequence === 0
        ? null
        : ((await this.db.storyEvent.findUnique({ where: { sequence } }))?.occurredAt ?? null));
    return { sequence, occurredAt, tables };
  }

  /** The events in (base, sequence], from the page in memory when it has them. */
  async #events(base: number, sequence: number): Promise<FoldEvent[]> {
    if (sequence === base) return [];
    const page = this.#pages.get(base);
    if (page && (page.at(-1)?.sequence ?? base) >= sequence) {
      return page.slice(0, sequence - base);
    }
    const end = base + this.settings.every;
    // A whole page when the log has it: the next read at a nearby position finds it in memory.
    const rows = await this.#read(base, end);
    if (rows.length > 0) this.#pages.set(base, rows);
    return rows.filter((event) => event.sequence <= sequence);
  }

  async #read(after: number, upTo: number): Promise<FoldEvent[]> {
    return this.db.$queryRawUnsafe<FoldEvent[]>(EVENTS, after, upTo);
  }

  /** The tables at `base`, a multiple of `every`. */
  async #checkpoint(base: number): Promise<Tables> {
    if (base === 0) return emptyTables();
    const held = this.#checkpoints.get(base);
    if (held) return held;
    let building = this.#building.get(base);
    if (!building) {
      building = this.#load(base).finally(() => this.#building.delete(base));
      this.#building.set(base, building);
    }
    return building;
  }

  /** Reads the stored checkpoint, or builds it from the nearest one below (storing each one). */
  async #load(base: number): Promise<Tables> {
    const stored = await this.db.storyCheckpoint.findFirst({
      where: { sequence: { lte: base } },
      orderBy: { sequence: 'desc' },
    });
    let at = stored?.sequence ?? 0;
    let tables = stored ? fromJson(stored.tables) : emptyTables();
    if (at === base) {
      this.#checkpoints.set(base, tables);
      return tables;
    }
    while (at < base) {
      // The next multiple of `every` (a checkpoint stored under another setting may sit between).
      const next = Math.min(base, at - (at % this.settings.every) + this.settings.every);
      const events = await this.#read(at, next);
      tables = copyTables(tables);
      for (const event of events) applyEvent(tables, event);
      at = next;
      this.built += 1;
      await this.db.storyCheckpoint.createMany({
        data: [{ sequence: at, tables: toJson(tables) }],
        skipDuplicates: true,
      });
    }
    this.#checkpoints.set(base, tables);
    return tables;
  }
}

/** The tables as a checkpoint row stores them: each table's rows as an array. */
function toJson(tables: Tables): Prisma.InputJsonValue {
  return Object.fromEntries(
    TABLE_NAMES.map((name) => [name, [...(tables[name] as Map<string, object>).entries()]]),
  ) as Prisma.InputJsonValue;
}

const dateColumns = (table: TableName) =>
  [...(MODELS.get(`${table[0]?.toUpperCase()}${table.slice(1)}`)?.values() ?? [])]
    .filter((field) => field.type === 'DateTime')
    .map((field) => field.name);

function fromJson(json: Prisma.JsonValue): Tables {
  const stored = json as Record<string, [string, Record<string, unknown>][]>;
  const tables = emptyTables();
  for (const name of TABLE_NAMES) {
    const dates = dateColumns(name);
    const map = tables[name] as Map<string, Record<string, unknown>>;
    for (const [key, row] of stored[name] ?? []) {
      for (const column of dates) {
        if (typeof row[column] === 'string') row[column] = new Date(row[column] as string);
      }
      map.set(key, row);
    }
  }
  return tables;
}

const caches = new WeakMap<PrismaClient, AsOfCache>();

/** The instance's checkpoints of `db`, made with `settings` on first use. */
export function asOfCache(db: PrismaClient, settings?: AsOfSettings): AsOfCache {
  let cache = caches.get(db);
  if (!cache || (settings && cache.settings !== settings)) {
    cache = new AsOfCache(db, settings);
    caches.set(db, cache);
  }
  return cache;
}

/**
 * The story as it stood once event `sequence` had committed (0: before the first event).
 * The caller has checked that `sequence` is within the log (0 ≤ sequence ≤ head).
 */
export function storyAsOf(db: PrismaClient, sequence: number): Promise<StoryAsOf> {
  return asOfCache(db).at(sequence);
}
