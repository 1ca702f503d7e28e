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
 * (zeros, case, brackets, a zone, IPv4-mapped) count as one. Anything unparsable is kept as it is.
 */
export function addressRateKey(address: string): string {
  const bare = address
    .replace(/^\[(.*)\](:\d+)?$/, '$1')
    .replace(/%.*$/, '')
    .toLowerCase();
  const groups = bare.includes(':') ? ipv6Groups(bare) : null;
  if (!groups) return bare;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff)
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` and a trailing dotted quad allowed), or null. */
function ipv6Groups(text: string): number[] | null {
  let hex = text;
  const quad = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const bytes = quad.slice(1).map(Number);
    if (bytes.some((byte) => byte > 255)) return null;
    const [a, b, c, d] = bytes as [number, number, number, number];
    hex = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (!all.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return all.map((group) => parseInt(group, 16));
}
