import { LayerApiError } from './errors.js';
import type { RateLimit, RateLimits } from './options.js';
import type { KeyValueStore } from './store.js';

/**
 * A fixed-window counter in the store: the window's end is the counter's expiry, so no timer runs.
 * Throws 429 with `Retry-After` (seconds until the window ends) once `limit` is exceeded, and logs
 * which limit it was and what allows more.
 */
export async function enforceRateLimit(
  store: KeyValueStore,
  key: string,
  limit: RateLimit | false,
  now: () => number,
  name: keyof RateLimits,
  hint?: string,
): Promise<void> {
  if (!limit) return;
  const { count, expiresAt } = await store.increment(`rate:${key}`, limit.windowSeconds * 1000);
  if (count <= limit.limit) return;
  throw new LayerApiError('RATE_LIMITED', 'Too many requests; try again later.', {
    retryAfter: Math.max(1, Math.ceil((expiresAt - now()) / 1000)),
    log: {
      limit: `${name}=${limit.limit}/${limit.windowSeconds}s`,
      hint: hint ?? `raise rateLimits.${name} if real visitors reach it`,
    },
  });
}
