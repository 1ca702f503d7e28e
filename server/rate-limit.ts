import { canonicalAddress, ipv6Groups } from './client-address.js';
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

/**
 * What the per-address limit counts for a client address. An IPv4 address is one client, but an
 * IPv6 client (a home connection, a cloud VM) is routed a whole /64, 2^64 addresses to send from,
 * so each one its own limit would be no limit: IPv6 is counted by its /64. Spellings of one address
 * (a port, brackets, zeros, case, a zone, IPv4-mapped) count as one ({@link canonicalAddress}).
 * Anything unparsable is kept as it is.
 */
export function addressRateKey(address: string): string {
  const canonical = canonicalAddress(address);
  const groups = canonical.includes(':') ? ipv6Groups(canonical) : null;
  if (!groups) return canonical;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
