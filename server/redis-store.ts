/**
 * A KeyValueStore in Redis, so several instances of createLayerApi share their rate limits, used
 * public tokens, public-token sources and seen webhooks. The package entry
 * `layer-onboarding/server/redis`.
 *
 * Node only (Bun and Deno too): it opens TCP connections through node-redis, which no
 * runtime-neutral client can. That is why it is an entry of its own, outside
 * `layer-onboarding/server`, which stays runtime-neutral and needs no Redis client installed. The
 * commands themselves only need `sendCommand`, so any client (ioredis too) can be passed in.
 *
 * Every operation is one atomic round trip, and every key it writes has a TTL:
 * - get: `GET`; set: `SET … PX`; add: `SET … PX … NX`; delete: `DEL`;
 * - increment: one Lua script, `INCR` then `PTTL`, and `PEXPIRE` if the key has no expiry yet
 *   (a new key, or one left without a TTL), answering the count and the time left.
 *
 * Each command has a deadline (`commandTimeoutMs`): a Redis that is down or stalled makes the API
 * answer 503 STORE_UNAVAILABLE in bounded time, never hang; once a connection made from `url` has
 * been failing for longer than that, commands fail at once until it is back. A command that missed its deadline may
 * still reach Redis later; an `add` that then turns out to have set its key is undone, so a caller
 * told "unavailable" never holds a claim it does not know about (a public token's exchange, a
 * webhook's delivery, which would otherwise be refused as duplicates for minutes).
 */
// node-redis (`redis`), Redis's own client for Node, over ioredis: kept up by Redis itself, no
// runtime dependencies, reconnects by itself, and takes an abort signal per command (which takes a
// command that missed its deadline out of its queue). An optional peer dependency (^6.3.1), as only
// this entry loads it; pinned exactly (6.3.1) in devDependencies, the version the tests run on.
import { createClient } from 'redis';

import { redisUrlForDisplay, redisUrlProblem } from './redis-url.js';
import { safeLogger } from './safe-logger.js';
import { StoreUnavailableError, type KeyValueStore } from './store.js';

/**
 * The one method the store needs from a Redis client: node-redis's `sendCommand`. For ioredis,
 * pass `{ sendCommand: ([name, ...args]) => redis.call(name, ...args) }`.
 */
export interface RedisCommandClient {
  /** Sends one command; the store aborts `abortSignal` once it has stopped waiting. */
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

interface CommonOptions {
  /** Put before every key, to keep these apart from your other keys. Default `layer-onboarding:`. */
  prefix?: string;
  /** How long one command may take before the API answers 503 STORE_UNAVAILABLE. Default 2000 ms. */
  commandTimeoutMs?: number;
}

export type RedisStoreOptions = CommonOptions &
  (
    | {
        /**
         * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS: the store opens (and
         * `close()` closes) its own connection, reconnecting with backoff whenever it drops.
         */
        url: string;
        /**
         * Told when Redis becomes unreachable and reachable again (once each, not per retry).
         * Default `console.warn`; `false` for nothing. If it throws or rejects, the store carries
         * on (its first failure is said once with `console.error`).
         */
        logger?: ((line: string) => void) | false;
        client?: undefined;
      }
    | {
        /**
         * A connected client you own (node-redis `createClient()`, or an adapter): you handle its
         * connection, reconnects and `'error'` events, and close it.
         */
        client: RedisCommandClient;
        url?: undefined;
        logger?: undefined;
      }
  );

export interface RedisStore extends KeyValueStore {
  /** Where the keys live, for logs and banners: the URL without its password, and the prefix. */
  readonly description: string;
  /** Closes the connection opened from `url`; a client you passed is left alone. */
  close(): Promise<void>;
}

export const DEFAULT_REDIS_PREFIX = 'layer-onboarding:';
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
/**
 * Commands sent and not yet answered, at most. Only reached when Redis stalls (each request then
 * leaves its commands behind): past it, requests fail at once instead of piling up memory.
 */
const MAX_PENDING_COMMANDS = 10_000;

/** `KEYS[1]` += 1 with a TTL of `ARGV[1]` ms if it has none; answers { count, ms left }. */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;
/** Deletes `KEYS[1]` only while it still holds `ARGV[1]`. */
const DELETE_IF = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

function fail(message: string): never {
  throw new TypeError(`createRedisStore: ${message}`);
}

/** Redis wants whole milliseconds above 0. */
function px(ttlMs: number): string {
  if (!(ttlMs > 0)) throw new TypeError(`a store TTL must be above 0 ms, got ${ttlMs}`);
  return String(Math.ceil(ttlMs));
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The client `url` asks for, with what makes it fail fast and never crash its process. */
function connect(url: string, timeoutMs: number, log: (line: string) => void) {
  const where = redisUrlForDisplay(url);
  const client = createClient({
    url,
    // While it reconnects, commands wait in node-redis's queue, each only until the store's
    // deadline aborts it: an abort takes an unsent command out of the queue.
    commandsQueueMaxLength: MAX_PENDING_COMMANDS,
    // The default reconnect strategy (50 ms doubling to 2 s, with jitter) never gives up.
    socket: { connectTimeout: Math.max(timeoutMs, 1000) },
  });
  let downSince: number | undefined;
  let lastError = '';
  // node-redis emits 'error' on every failed connection attempt; with no listener Node would
  // throw it and end the process. The store's callers see each failure as STORE_UNAVAILABLE.
  client.on('error', (error: unknown) => {
    lastError = describeError(error);
    if (downSince !== undefined) return;
    downSince = Date.now();
    log(`layer-onboarding: Redis at ${where} is unreachable (${lastError}); retrying`);
  });
  client.on('ready', () => {
    if (downSince === undefined) return;
    downSince = undefined;
    log(`layer-onboarding: Redis at ${where} is reachable again`);
  });
  // The first attempt is retried like any reconnect; connect() rejects only if the store is
  // closed before one succeeds.
  client.connect().catch(() => undefined);
  return {
    client,
    /**
     * Why a command need not even wait: the connection has been failing for longer than a
     * command's deadline (a blip, a restart or a failover gets the deadline to come back).
     */
    outage(): string | undefined {
      if (downSince === undefined || Date.now() - downSince < timeoutMs) return undefined;
      return `unreachable for ${Date.now() - downSince} ms (${lastError})`;
    },
    async close() {
      if (!client.isOpen) return;
      if (!client.isReady) return client.destroy();
      // Waits for answers still due, unless Redis is stalled.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
      const closed = client.close().then(
        () => true,
        () => true,
      );
      if (!(await Promise.race([closed, stalled]))) client.destroy();
      clearTimeout(timer);
    },
  };
}

/** An error's first line, short, for a log field. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.split('\n')[0]!.slice(0, 200);
}

/**
 * A KeyValueStore in Redis: `createRedisStore({ url: process.env.REDIS_URL })`, or
 * `createRedisStore({ client })` with a client you already run. Pass the same store (or one with
 * the same URL and prefix) to every instance's createLayerApi.
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  if (!options || typeof options !== 'object') fail('options are required: { url } or { client }.');
  const { prefix = DEFAULT_REDIS_PREFIX, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS } = options;
  if (typeof prefix !== 'string' || prefix === '')
    fail('prefix must be a non-empty string, e.g. "layer-onboarding:".');
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs <= 0)
    fail(`commandTimeoutMs must be a whole number of ms above 0, got ${String(commandTimeoutMs)}.`);

  let client: RedisCommandClient;
  let where: string;
  let close: () => Promise<void> = async () => undefined;
  let outage: () => string | undefined = () => undefined;
  let password = '';
  if (options.url !== undefined) {
    if (options.client !== undefined) fail('pass url or client, not both.');
    const problem = typeof options.url === 'string' ? redisUrlProblem(options.url) : 'is not a string';
    if (problem) fail(`url ${problem}; e.g. redis://localhost:6379.`);
    password = new URL(options.url).password;
    const logger = options.logger ?? ((line: string) => console.warn(line));
    const connection = connect(
      options.url,
      commandTimeoutMs,
      logger === false ? () => undefined : safeLogger(logger, 'logger'),
    );
    client = connection.client;
    close = connection.close;
    outage = connection.outage;
    where = `Redis at ${redisUrlForDisplay(options.url)}`;
  } else if (options.client && typeof options.client.sendCommand === 'function') {
    client = options.client;
    where = 'Redis through the client passed in';
  } else fail('pass { url } (redis://host:port) or { client } (with sendCommand).');

  const hint = `check that ${options.url === undefined ? 'Redis' : where} is up and answers within ${commandTimeoutMs} ms`;
  /** A failure as the API reports it, without the password should a message ever carry it. */
  const unavailable = (reason: string, cause?: unknown) =>
    Object.assign(
      new StoreUnavailableError(`redis: ${password ? reason.split(password).join('***') : reason}`, hint),
      { cause },
    );

  /**
   * Sends `args`; answers its reply, or throws StoreUnavailableError on any failure or once
   * `commandTimeoutMs` has passed. `sent` is the reply itself, for a caller that must know what
   * became of a command it gave up on.
   */
  function send(args: string[]): { reply: Promise<unknown>; sent: Promise<unknown> } {
    const known = outage();
    if (known) {
      const refused = Promise.reject(unavailable(known));
      return { reply: refused, sent: refused.catch(() => null) };
    }
    const abort = new AbortController();
    let sent: Promise<unknown>;
    try {
      sent = Promise.resolve(client.sendCommand(args, { abortSignal: abort.signal }));
    } catch (error) {
      sent = Promise.reject(error);
    }
    // Whatever the reply, once nobody waits for it, it must not become an unhandled rejection.
    sent.catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Rejected first, so the race settles on this and not on the abort's own rejection.
        reject(unavailable(`no answer within ${commandTimeoutMs} ms`));
        abort.abort();
      }, commandTimeoutMs);
    });
    const reply = Promise.race([sent, late])
      .catch((error: unknown) => {
        throw error instanceof StoreUnavailableError ? error : unavailable(describeError(error), error);
      })
      .finally(() => clearTimeout(timer));
    return { reply, sent };
  }

  const shas = new Map<string, Promise<string>>();
  /** EVALSHA, falling back to EVAL when Redis does not know the script (first use, a restart). */
  async function evaluate(script: string, key: string, ...args: string[]): Promise<unknown> {
    let sha = shas.get(script);
    if (!sha) shas.set(script, (sha = sha1Hex(script)));
    try {
      return await send(['EVALSHA', await sha, '1', key, ...args]).reply;
    } catch (error) {
      if (!/^NOSCRIPT/.test(describeError((error as Error).cause))) throw error;
      return send(['EVAL', script, '1', key, ...args]).reply;
    }
  }

  return {
    description: `${where} (keys under ${prefix})`,
    close,
    async get(key) {
      const value = await send(['GET', prefix + key]).reply;
      return value === null || value === undefined ? undefined : String(value);
    },
    async set(key, value, ttlMs) {
      await send(['SET', prefix + key, value, 'PX', px(ttlMs)]).reply;
    },
    async add(key, value, ttlMs) {
      const full = prefix + key;
      const { reply, sent } = send(['SET', full, value, 'PX', px(ttlMs), 'NX']);
      try {
        return (await reply) !== null;
      } catch (error) {
        // The caller hears "unavailable"; if the SET lands after all, it must not stand.
        sent.then(
          (late) => {
            if (late !== null) evaluate(DELETE_IF, full, value).catch(() => undefined);
          },
          () => undefined,
        );
        throw error;
      }
    },
    async increment(key, ttlMs) {
      const reply = await evaluate(INCREMENT, prefix + key, px(ttlMs));
      const [count, ttl] = Array.isArray(reply) ? reply.map(Number) : [];
      if (!Number.isInteger(count) || !Number.isInteger(ttl))
        throw unavailable(`unexpected answer to INCR: ${JSON.stringify(reply)}`);
      return { count: count!, expiresAt: Date.now() + ttl! };
    },
    async delete(key) {
      await send(['DEL', prefix + key]).reply;
    },
  };
}
