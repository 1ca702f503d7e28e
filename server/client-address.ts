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
  return typeof address === 'string' && address !== '' ? stripMappedIPv4(address) : undefined;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, as Node reports IPv4 peers on a dual-stack socket. */
function stripMappedIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
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
      values.push(name === 'for' ? withoutPort(value) : value);
    }
  }
  return values;
}

/**
 * An address as a proxy reports it, without the port some add (`Forwarded: for=`, and Azure
 * Application Gateway's `X-Forwarded-For`): `[2001:db8::1]:4711` → `2001:db8::1`,
 * `192.0.2.60:4711` → `192.0.2.60`. Otherwise each connection of one client would count apart.
 */
function withoutPort(address: string): string {
  return address.replace(/^\[([^\]]+)\](:\d+)?$/, '$1').replace(/^([\d.]+):\d+$/, '$1');
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
      : listHeader(c, 'X-Forwarded-For').map(withoutPort);
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
