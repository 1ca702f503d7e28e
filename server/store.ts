/**
 * The one place createLayerApi keeps state between requests: rate-limit windows, link-token grants,
 * used public tokens and seen webhooks. Every entry carries its own expiry time, so nothing needs a
 * timer. The in-memory default serves one process; for several instances implement this interface
 * over a shared store (Redis: GET, SET PX, SET NX PX, INCR + PEXPIRE NX, DEL).
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
  /** Entries kept at most; the oldest go first when a write would exceed it. Default 100 000. */
  maxEntries?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/** How many writes between sweeps of expired entries. */
const SWEEP_EVERY = 1000;

/** A KeyValueStore in this process's memory: fine for one instance. */
export function createMemoryStore({
  now = Date.now,
  maxEntries = 100_000,
}: MemoryStoreOptions = {}): KeyValueStore {
  const entries = new Map<string, Entry>();
  let writes = 0;

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, entry: Entry): void {
    // Re-inserting moves the key to the end, so the Map's order stays oldest-write first.
    entries.delete(key);
    entries.set(key, entry);
    if (++writes % SWEEP_EVERY === 0) {
      const time = now();
      for (const [k, e] of entries) if (e.expiresAt <= time) entries.delete(k);
    }
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  }

  return {
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      write(key, { value, expiresAt: now() + ttlMs });
    },
    async add(key, value, ttlMs) {
      if (live(key)) return false;
      write(key, { value, expiresAt: now() + ttlMs });
      return true;
    },
    async increment(key, ttlMs) {
      const entry = live(key);
      const count = entry ? Number(entry.value) + 1 : 1;
      const expiresAt = entry ? entry.expiresAt : now() + ttlMs;
      write(key, { value: String(count), expiresAt });
      return { count, expiresAt };
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
