/**
 * What a Redis URL must look like, and how to show one without its password: shared by
 * `createRedisStore({ url })` and `npm start`'s REDIS_URL check. Runtime-neutral (it only parses).
 */

/** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
const PROTOCOLS = ['redis:', 'rediss:'];

/**
 * Why `url` is not a Redis URL, or undefined if it is one. The message never repeats the URL: it
 * may hold a password.
 */
export function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (!PROTOCOLS.includes(parsed.protocol)) return `must start with redis:// or rediss://`;
  if (!parsed.hostname) return 'names no host';
  if (parsed.search || parsed.hash) return 'may not have a query string or fragment';
  const database = parsed.pathname.replace(/^\//, '');
  if (database !== '' && !/^\d{1,2}$/.test(database))
    return `may only have a database number as its path (e.g. /0), not "/${database}"`;
  return undefined;
}

/** `url` as logs and banners may show it: the password replaced by `***`. */
export function redisUrlForDisplay(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}
