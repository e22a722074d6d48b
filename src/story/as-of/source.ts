// Where `asOf` gets the story at a position: the nearest checkpoint at or below it, and the
// events after that checkpoint folded in. Checkpoints sit every `every` events; the instance keeps
// those it used last in memory, with the pages of events after them, within `cacheMb`, and stores
// each one it builds in `StoryCheckpoint`, so a fresh instance reads one row instead of replaying
// the log.
// Events never change once committed, so neither do checkpoints or pages.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { MODELS } from '../../infra/datamodel.ts';
import { DEFAULT_AS_OF } from '../../infra/limit-defaults.ts';
import { applyEvent, copyTables, type FoldEvent } from './fold.ts';
import { emptyTables, type StoryAsOf, TABLE_NAMES, type TableName, type Tables } from './tables.ts';

/** How an instance checkpoints the log. */
export interface AsOfSettings {
  /** A checkpoint every this many events (AS_OF_CHECKPOINT_EVERY). */
  every: number;
  /** The most checkpoints and pages of events in memory may take, in MiB (AS_OF_CACHE_MB). */
  cacheMb: number;
}

export { DEFAULT_AS_OF };

/**
 * What a checkpoint held in memory is counted as: this many times its stored JSON. Its rows as
 * JavaScript objects take about five times their JSON on V8 (measured by the benchmark, which
 * checks the bound); a page of events is counted the same way.
 */
export const MEMORY_PER_JSON_BYTE = 6;

const EVENTS = `
SELECT e.sequence, e.kind, e."entityType", e."entityId", e."entityVersion", e.changes,
  e."occurredAt", d.detail, octet_length(e.changes::text) + coalesce(octet_length(d.detail::text), 0) AS bytes
FROM "StoryEvent" e LEFT JOIN "StoryEventDetail" d ON d.sequence = e.sequence
WHERE e.sequence > $1 AND e.sequence <= $2
ORDER BY e.sequence`;

/** The stored checkpoint at or below $1, as text: one JSON.parse, no driver conversion. */
const STORED = `
SELECT sequence, tables::text AS json FROM "StoryCheckpoint"
WHERE sequence <= $1 ORDER BY sequence DESC LIMIT 1`;

const STORE = `
INSERT INTO "StoryCheckpoint" (sequence, tables) VALUES ($1, $2::jsonb) ON CONFLICT DO NOTHING`;

/** A least-recently-used map whose entries have a cost; the oldest go while over the budget. */
class Lru<V> {
  readonly #map = new Map<string, { value: V; cost: number }>();
  #total = 0;
  constructor(readonly budget: number) {}
  get(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (entry) {
      this.#map.delete(key);
      this.#map.set(key, entry);
    }
    return entry?.value;
  }
  set(key: string, value: V, cost: number): void {
    const old = this.#map.get(key);
    if (old) this.#total -= old.cost;
    this.#map.delete(key);
    this.#map.set(key, { value, cost });
    this.#total += cost;
    // The newest entry stays even alone over the budget: the read in progress needs it.
    while (this.#total > this.budget && this.#map.size > 1) {
      const [oldest, entry] = this.#map.entries().next().value as [string, { cost: number }];
      this.#map.delete(oldest);
      this.#total -= entry.cost;
    }
  }
  held(prefix: string): number {
    return [...this.#map.keys()].filter((key) => key.startsWith(prefix)).length;
  }
  get total(): number {
    return this.#total;
  }
}

type LoggedEvent = FoldEvent & { bytes: number };

/** One instance's checkpoints of one database. */
export class AsOfCache {
  /** Checkpoints (`c:<sequence>`) and the pages of events after them (`p:<sequence>`). */
  readonly #memory: Lru<Tables | LoggedEvent[]>;
  readonly #building = new Map<number, Promise<Tables>>();
  /** Checkpoints rebuilt from the log (not found in memory or stored): for tests and metrics. */
  built = 0;

  constructor(
    readonly db: PrismaClient,
    readonly settings: AsOfSettings = DEFAULT_AS_OF,
  ) {
    this.#memory = new Lru(settings.cacheMb * 1024 * 1024);
  }

  /** What is in memory: checkpoints, pages, and the bytes they are counted as. */
  get held(): { checkpoints: number; pages: number; bytes: number } {
    return {
      checkpoints: this.#memory.held('c:'),
      pages: this.#memory.held('p:'),
      bytes: this.#memory.total,
    };
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
    const page = this.#memory.get(`p:${base}`) as LoggedEvent[] | undefined;
    if (page && (page.at(-1)?.sequence ?? base) >= sequence) {
      return page.slice(0, sequence - base);
    }
    // A whole page when the log has it: the next read at a nearby position finds it in memory.
    const rows = await this.#read(base, base + this.settings.every);
    const bytes = rows.reduce((sum, event) => sum + Number(event.bytes), 0);
    if (rows.length > 0) this.#memory.set(`p:${base}`, rows, bytes * MEMORY_PER_JSON_BYTE);
    return rows.filter((event) => event.sequence <= sequence);
  }

  #read(after: number, upTo: number): Promise<LoggedEvent[]> {
    return this.db.$queryRawUnsafe<LoggedEvent[]>(EVENTS, after, upTo);
  }

  /** The tables at `base`, a multiple of `every`. */
  async #checkpoint(base: number): Promise<Tables> {
    if (base === 0) return emptyTables();
    const held = this.#memory.get(`c:${base}`) as Tables | undefined;
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
    const [stored] = await this.db.$queryRawUnsafe<{ sequence: number; json: string }[]>(
      STORED,
      base,
    );
    let at = stored?.sequence ?? 0;
    let tables = stored ? fromJson(JSON.parse(stored.json)) : emptyTables();
    let bytes = stored?.json.length ?? 0;
    while (at < base) {
      // The next multiple of `every` (a checkpoint stored under another setting may sit between).
      const next = Math.min(base, at - (at % this.settings.every) + this.settings.every);
      const events = await this.#read(at, next);
      tables = copyTables(tables);
      for (const event of events) applyEvent(tables, event);
      at = next;
      this.built += 1;
      const json = JSON.stringify(toJson(tables));
      bytes = json.length;
      await this.db.$executeRawUnsafe(STORE, at, json);
    }
    this.#memory.set(`c:${base}`, tables, bytes * MEMORY_PER_JSON_BYTE);
    return tables;
  }
}

/** A table as a checkpoint stores it: its columns once, then each row's key and values. */
type StoredTable = { columns: string[]; rows: unknown[][] };

function toJson(tables: Tables): Record<string, StoredTable> {
  return Object.fromEntries(
    TABLE_NAMES.map((name) => {
      const map = tables[name] as Map<string, Record<string, unknown>>;
      const columns = Object.keys(map.values().next().value ?? {});
      const rows = [...map].map(([key, row]) => [key, ...columns.map((column) => row[column])]);
      return [name, { columns, rows }];
    }),
  );
}

const dateColumns = (table: TableName) =>
  new Set(
    [...(MODELS.get(`${table[0]?.toUpperCase()}${table.slice(1)}`)?.values() ?? [])]
      .filter((field) => field.type === 'DateTime')
      .map((field) => field.name),
  );

function fromJson(stored: Record<string, StoredTable>): Tables {
  const tables = emptyTables();
  for (const name of TABLE_NAMES) {
    const dates = dateColumns(name);
    const { columns = [], rows = [] } = stored[name] ?? {};
    const map = tables[name] as Map<string, Record<string, unknown>>;
    for (const [key, ...values] of rows) {
      const row: Record<string, unknown> = {};
      for (const [i, column] of columns.entries()) {
        const value = values[i];
        row[column] = dates.has(column) && typeof value === 'string' ? new Date(value) : value;
      }
      map.set(key as string, row);
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
