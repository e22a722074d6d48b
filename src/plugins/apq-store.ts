// The memory that automatic persisted queries may hold. Anyone can register a query, so the store
// is bounded both in entries and in bytes: a count alone let 1,000 entries of a megabyte each pin
// a gigabyte.

/** The bounds of an {@link ApqStore}. */
export interface ApqStoreLimits {
  /** Queries kept at most. @default 1_000 */
  entries: number;
  /** UTF-8 bytes of the kept query texts at most; a longer text is never kept. @default 8 MiB */
  bytes: number;
  /**
   * How long a query is kept after it was last used, in ms, as Yoga's own store did: clients
   * register it again when its hash is unknown. @default 36_000
   */
  ttlMs: number;
}

/** The bounds of the store each instance makes unless it is handed one. */
export const APQ_STORE_LIMITS: Readonly<ApqStoreLimits> = {
  entries: 1_000,
  bytes: 8 * 1024 * 1024,
  ttlMs: 36_000,
};

/** Registered queries by the sha256 hex of their text, least recently used evicted first. */
export interface ApqStore {
  /** The query registered under `hash`, now the most recently used; undefined if unknown. */
  get(hash: string): string | undefined;
  /** Registers `query` under `hash`, evicting the least recently used to stay within the bounds. */
  set(hash: string, query: string): void;
  /** Queries kept now. */
  readonly size: number;
  /** UTF-8 bytes of the query texts kept now. */
  readonly bytes: number;
}

/** A store within `limits` (each bound missing there is taken from {@link APQ_STORE_LIMITS}). */
export function createApqStore(
  limits: Partial<ApqStoreLimits> = {},
  /** The clock, for tests. */
  now: () => number = Date.now,
): ApqStore {
  const { entries: maxEntries, bytes: maxBytes, ttlMs } = { ...APQ_STORE_LIMITS, ...limits };
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const queries = new Map<string, { query: string; bytes: number; used: number }>();
  let bytes = 0;
  return {
    get(hash) {
      const entry = queries.get(hash);
      if (!entry) return undefined;
      queries.delete(hash);
      if (now() - entry.used > ttlMs) {
        bytes -= entry.bytes;
        return undefined;
      }
      entry.used = now();
      queries.set(hash, entry);
      return entry.query;
    },
    set(hash, query) {
      const size = Buffer.byteLength(query, 'utf8');
      // Keeping it would evict everything else, or still not fit.
      if (size > maxBytes || maxEntries < 1) return;
      const known = queries.get(hash);
      if (known) {
        queries.delete(hash);
        bytes -= known.bytes;
      }
      for (const [oldest, entry] of queries) {
        if (queries.size < maxEntries && bytes + size <= maxBytes) break;
        queries.delete(oldest);
        bytes -= entry.bytes;
      }
      queries.set(hash, { query, bytes: size, used: now() });
      bytes += size;
    },
    get size() {
      return queries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
