import { LayerApiError } from './errors.js';

/**
 * The one place createLayerApi keeps state between requests: rate-limit windows, used public
 * tokens, pending exchanges, public-token sources and seen webhooks. Every entry carries its own
 * expiry time, so nothing needs a timer. The in-memory default serves one process; for several
 * instances use a shared store: createRedisStore (`layer-onboarding/server/redis`), or your own
 * implementation of this interface, checked with runKeyValueStoreContract (store-contract.ts).
 *
 * A store that cannot answer (down, too slow) throws {@link StoreUnavailableError}: the API then
 * answers 503 STORE_UNAVAILABLE. Anything else it throws is a 500.
 */
export interface KeyValueStore {
  /** The value, or undefined if the key is absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Sets the value, replacing any, to expire `ttlMs` from now. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Atomically sets the value only if the key is absent (or expired); true if this call set it. */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Atomically adds one to a counter and returns the new count. A key that is absent (or expired)
   * starts at 1 and expires `ttlMs` from now; later increments keep that expiry.
   */
  increment(key: string, ttlMs: number): Promise<{ count: number; expiresAt: number }>;
  delete(key: string): Promise<void>;
}

export interface MemoryStoreOptions {
  /** Clock in epoch milliseconds; `Date.now` by default. */
  now?: () => number;
  /**
   * Records (`set` / `add`: used public tokens, pending exchanges, public-token sources, seen
   * webhooks) kept at most; the oldest go first when a write would exceed it. Default 100 000.
   */
  maxEntries?: number;
  /** Counters (`increment`: rate-limit windows) kept at most, apart from records. Default 100 000. */
  maxCounters?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/** How many writes between sweeps of expired entries. */
const SWEEP_EVERY = 1000;

/**
 * A KeyValueStore in this process's memory: fine for one instance.
 *
 * Counters and records live in two maps with their own caps, because they are not worth the same:
 * losing a counter only restarts one rate-limit window, while losing a record can undo a security
 * decision (a used public token could be exchanged again; a webhook handled twice). Counters are
 * what anyone can create by the thousand — one per new visitor or client address — so a flood of
 * them only ever pushes out other counters, never a record. Records are written only by requests
 * that passed the checks (a valid session handle, a verified webhook).
 */
export function createMemoryStore({
  now = Date.now,
  maxEntries = 100_000,
  maxCounters = 100_000,
}: MemoryStoreOptions = {}): KeyValueStore {
  const records = new Map<string, Entry>();
  const counters = new Map<string, Entry>();
  let writes = 0;

  function live(map: Map<string, Entry>, key: string): Entry | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(map: Map<string, Entry>, cap: number, key: string, entry: Entry): void {
    // A key is a record or a counter, never both.
    (map === records ? counters : records).delete(key);
    // Re-inserting moves the key to the end, so each map's order stays oldest-write first.
    map.delete(key);
    map.set(key, entry);
    if (++writes % SWEEP_EVERY === 0) {
      const time = now();
      for (const m of [records, counters]) for (const [k, e] of m) if (e.expiresAt <= time) m.delete(k);
    }
    for (const oldest of map.keys()) {
      if (map.size <= cap) break;
      map.delete(oldest);
    }
  }

  return {
    async get(key) {
      return (live(records, key) ?? live(counters, key))?.value;
    },
    async set(key, value, ttlMs) {
      write(records, maxEntries, key, { value, expiresAt: now() + ttlMs });
    },
    async add(key, value, ttlMs) {
      if (live(records, key) ?? live(counters, key)) return false;
      write(records, maxEntries, key, { value, expiresAt: now() + ttlMs });
      return true;
    },
    async increment(key, ttlMs) {
      const entry = live(counters, key) ?? live(records, key);
      const count = entry ? Number(entry.value) + 1 : 1;
      const expiresAt = entry ? entry.expiresAt : now() + ttlMs;
      write(counters, maxCounters, key, { value: String(count), expiresAt });
      return { count, expiresAt };
    },
    async delete(key) {
      records.delete(key);
      counters.delete(key);
    },
  };
}

/** `Retry-After` of STORE_UNAVAILABLE: a store that fails over or restarts is usually back by then. */
const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Thrown by a KeyValueStore that cannot answer: the API answers 503 STORE_UNAVAILABLE with
 * `Retry-After`, and its log line says why (`reason`, e.g. "redis: no answer within 2000 ms") and
 * what to check (`hint`). Neither may hold a password or a key's value.
 */
export class StoreUnavailableError extends LayerApiError {
  constructor(reason: string, hint?: string) {
    super('STORE_UNAVAILABLE', 'The service is briefly unavailable; try again in a few seconds.', {
      retryAfter: STORE_RETRY_AFTER_SECONDS,
      log: { store: reason, ...(hint ? { hint } : {}) },
    });
    this.name = 'StoreUnavailableError';
  }
}
