/**
 * Where a request comes from: the client's address (for the per-address rate limit) and the origin
 * the visitor's browser used (for the same-origin check behind a proxy).
 *
 * Forwarding headers are believed only when the integrator says a proxy they run sets them
 * (`trustProxy`): anyone can send `X-Forwarded-For`. With `trustProxy: n`, the address is the one
 * `n` hops back from the socket, as Express counts it, so a client's own `X-Forwarded-For` entries
 * (which come first) are never used. Only ONE header family is read — the one the proxy sets,
 * `X-Forwarded-*` (nginx, Vite, Express, load balancers) by default or the standard `Forwarded`
 * (RFC 7239) when configured — because a proxy passes the other family through untouched, and a
 * client could then choose its own address or origin with it.
 */
import type { Context } from 'hono';

/** What each runtime passes `app.fetch` as its second argument, Hono's env (see socketAddress). */
interface RuntimeEnv {
  /** @hono/node-server: `{ incoming }`, Node's request. */
  incoming?: { socket?: { remoteAddress?: unknown } };
  /** Deno.serve: the `ServeHandlerInfo`. */
  remoteAddr?: { hostname?: unknown };
  /** Bun.serve: the `Server` (or, as Hono's own Bun helper also accepts, `{ server }`). */
  requestIP?: (request: Request) => { address?: unknown } | null;
  server?: { requestIP?: (request: Request) => { address?: unknown } | null };
}

/**
 * The socket's address as the runtime hands it to `app.fetch(request, env)`: under
 * @hono/node-server, `Deno.serve(app.fetch)` and `Bun.serve({ fetch: app.fetch })` (or a Hono app
 * it is mounted in, served so). Workers say it only in a header, which is for the integrator to trust
 * (`getClientAddress`).
 */
export function socketAddress(c: Context): string | undefined {
  const env = c.env as RuntimeEnv | undefined;
  if (!env || typeof env !== 'object') return undefined;
  let address: unknown = env.incoming?.socket?.remoteAddress ?? env.remoteAddr?.hostname;
  const bun = typeof env.requestIP === 'function' ? env : env.server;
  if (address === undefined && typeof bun?.requestIP === 'function') {
    try {
      address = bun.requestIP(c.req.raw)?.address;
    } catch {
      // Not the request Bun served (a copy): no address.
    }
  }
  return typeof address === 'string' && address !== '' ? canonicalAddress(address) : undefined;
}

/**
 * One client's address however it is written, so that its spellings count as one client: without
 * the port some proxies add (`192.0.2.60:4711`, `[2001:db8::1]:4711`: `Forwarded: for=`, Azure
 * Application Gateway's `X-Forwarded-For`) or brackets, an IPv6 address in lower case without its
 * zone (`%eth0`), and an IPv4-mapped one (`::ffff:10.0.0.1`, as Node reports IPv4 peers on a
 * dual-stack socket) as the IPv4 address. Anything that is not an address (`unknown`, a `Forwarded`
 * obfuscated `_hidden`) is kept as it is.
 */
export function canonicalAddress(address: string): string {
  const bare = address
    .trim()
    .replace(/^\[([^\]]*)\](:\d+)?$/, '$1')
    .replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/, '$1');
  if (!bare.includes(':')) return bare;
  const ipv6 = bare.replace(/%.*$/, '').toLowerCase();
  const groups = ipv6Groups(ipv6);
  if (!groups) return bare;
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  return mapped ? [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.') : ipv6;
}

/** The eight 16-bit groups of an IPv6 address (`::` and a trailing dotted quad allowed), or null. */
export function ipv6Groups(text: string): number[] | null {
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

/** `for=` (or `proto=`, `host=`) values of every `Forwarded` element, nearest proxy last. */
function forwardedParams(c: Context, name: 'for' | 'proto' | 'host'): string[] {
  const header = c.req.header('Forwarded');
  if (!header) return [];
  const values: string[] = [];
  for (const element of header.split(',')) {
    for (const pair of element.split(';')) {
      const [key, ...rest] = pair.trim().split('=');
      if (key?.toLowerCase() !== name) continue;
      const value = rest
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1');
      values.push(name === 'for' ? canonicalAddress(value) : value);
    }
  }
  return values;
}

function listHeader(c: Context, name: string): string[] {
  return (c.req.header(name) ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
}

/** Which proxies to believe: how many hops, and which header family they set. */
export interface ProxyTrust {
  /** 0 believes no forwarding header. */
  hops: number;
  header: 'x-forwarded' | 'forwarded';
}

export const NO_PROXY: ProxyTrust = { hops: 0, header: 'x-forwarded' };

export interface ClientAddressOptions {
  proxy: ProxyTrust;
  /** The socket's address; {@link socketAddress} by default. */
  socketAddress?: (c: Context) => string | undefined;
}

/** The client's address as far as the trusted proxies tell, or the socket's. */
export function clientAddress(
  c: Context,
  { proxy, socketAddress: readSocket = socketAddress }: ClientAddressOptions,
): string | undefined {
  const socket = readSocket(c);
  const trustedHops = proxy.hops;
  if (trustedHops === 0) return socket;
  const reported =
    proxy.header === 'forwarded'
      ? forwardedParams(c, 'for')
      : listHeader(c, 'X-Forwarded-For').map(canonicalAddress);
  const chain = socket ? [...reported, socket] : reported;
  if (chain.length === 0) return undefined;
  // n hops back from the socket (the nearest proxy) is the nth entry from the list's end, whether or
  // not the runtime told us the socket: counting it when absent would reach an entry the client wrote.
  return chain[Math.max(0, reported.length - trustedHops)];
}

/**
 * The origin the browser used, as the nearest trusted proxy reports it (`X-Forwarded-Host` /
 * `X-Forwarded-Proto`, or `Forwarded: host=…;proto=…`), or undefined when there is none.
 */
export function forwardedOrigin(c: Context, proxy: ProxyTrust): string | undefined {
  if (proxy.hops === 0) return undefined;
  const fromForwarded = proxy.header === 'forwarded';
  const host = (fromForwarded ? forwardedParams(c, 'host') : listHeader(c, 'X-Forwarded-Host')).at(-1);
  if (!host) return undefined;
  const proto =
    (fromForwarded ? forwardedParams(c, 'proto') : listHeader(c, 'X-Forwarded-Proto')).at(-1) ??
    new URL(c.req.url).protocol.slice(0, -1);
  try {
    const url = new URL(`${proto.toLowerCase()}://${host}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Loopback and private (RFC 1918, unique-local) addresses: usually a proxy, never a visitor's. */
export function isPrivateAddress(address: string): boolean {
  return (
    /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(address) ||
    address === '::1' ||
    /^f[cd][0-9a-f]{2}:/i.test(address)
  );
}
