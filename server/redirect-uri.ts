/**
 * Plaid's rules for the `redirect_uri` sent with a Link token (OAuth banks return the visitor
 * there): no query string, no fragment, no wildcard, and https — plain http only for localhost in
 * Sandbox. Plaid refuses a Link token whose `redirect_uri` breaks them, so a mistake is caught at
 * start-up rather than as a 502 on every visitor's first request.
 */
import type { PlaidEnvironment } from './plaid-client.js';

/**
 * The host Plaid's Sandbox accepts over plain http: Plaid documents `http://localhost` only, and
 * the emulator, modelled on it, refuses `127.0.0.1` — so this check must too, or a start-up that
 * passes here fails on every visitor's first Link token.
 */
const LOCAL_HOST = 'localhost';

/**
 * What is wrong with `uri` as a `redirect_uri` for Plaid's `env`, in words that name the rule, or
 * undefined if nothing is. With `env` unknown (a client pointed at another host, like an emulator
 * or a proxy) the production rules apply, loosely: http is still accepted for localhost, since such
 * a host is usually a local stand-in for Sandbox.
 */
export function redirectUriProblem(uri: string, env?: PlaidEnvironment): string | undefined {
  const shown = JSON.stringify(uri);
  if (typeof uri !== 'string' || uri.trim() !== uri || uri === '')
    return `must be a URL like https://www.example.com/oauth-return, got ${shown}.`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `must be an absolute URL like https://www.example.com/oauth-return, got ${shown}.`;
  }
  if (uri.includes('*'))
    return `must not contain a wildcard (*): Plaid allows wildcards only in the Dashboard's allow-list, got ${shown}.`;
  if (uri.includes('?'))
    return `must not have a query string: Plaid refuses a redirect URI with one, got ${shown}.`;
  if (uri.includes('#')) return `must not have a fragment (#…), got ${shown}.`;
  if (url.protocol === 'https:') return undefined;
  const local = url.hostname === LOCAL_HOST;
  if (url.protocol === 'http:' && local && env !== 'production') return undefined;
  if (url.protocol === 'http:' && local)
    return `must use https in production: plain http is allowed only for localhost in Sandbox, got ${shown}.`;
  if (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]'))
    return `must use https, or http://localhost in Sandbox: Plaid allows plain http for the name localhost only, not ${url.hostname}, got ${shown}.`;
  return `must use https (plain http only for localhost in Sandbox), got ${shown}.`;
}

/**
 * Throws a TypeError naming the rule `uri` breaks as a `redirect_uri` for Plaid's `env` (see
 * {@link redirectUriProblem}); returns `uri` otherwise. For an entry point reading `REDIRECT_URI`.
 */
export function checkRedirectUri(uri: string, env?: PlaidEnvironment): string {
  const problem = redirectUriProblem(uri, env);
  if (problem) throw new TypeError(`redirect_uri ${problem}`);
  return uri;
}
