/**
 * `redirect_uri` on `/session/token/create` and `/link/token/create`: where an OAuth bank sends the
 * user back. Plaid's rules (LAYER.md §1.1; OpenAPI `LinkTokenCreateRequestRedirectUri`): no query
 * parameters, https (Sandbox also takes `http://localhost`), and listed in the Dashboard's "Allowed
 * redirect URIs", where an entry may put `*` in place of a subdomain. Anything else is
 * `INVALID_FIELD`.
 *
 * Emulator choices where Plaid's docs are silent: a fragment, credentials in the URL and a `*` in the
 * URI itself are refused (the wildcard belongs to the allow-list); a wildcard stands for exactly one
 * DNS label; matching is otherwise exact, character for character.
 */
import { PlaidApiError } from '../plaid-error.js';

function invalid(message: string): PlaidApiError {
  return new PlaidApiError('INVALID_FIELD', { message: `redirect_uri ${message}` });
}

/** Why `uri` breaks Plaid's rules for a redirect URI, or null. `*` is checked by the caller. */
function ruleBroken(uri: string): string | null {
  if (uri.includes('?')) return 'must not contain query parameters';
  if (uri.includes('#')) return 'must not contain a fragment';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && url.hostname === 'localhost') return null;
  return 'must use https (Sandbox also allows http://localhost)';
}

/** Throws Plaid's `INVALID_FIELD` unless `uri` is a redirect URI Plaid would take. */
export function checkRedirectUri(uri: string, allowList: readonly string[] | null): void {
  if (uri.includes('*'))
    throw invalid(
      'must not contain a wildcard: a "*" subdomain belongs in the allowed redirect URIs, not on the token',
    );
  const broken = ruleBroken(uri);
  if (broken) throw invalid(broken);
  if (allowList && !allowList.some((entry) => allowListMatches(entry, uri)))
    throw invalid(`${uri} is not among the allowed redirect URIs configured in the Dashboard`);
}

/** Checks an allow-list entry from the options: Plaid's rules, with at most a leading `*.` host label. */
export function checkAllowListEntry(entry: string): void {
  const wildcards = entry.split('*').length - 1;
  if (wildcards > 1 || (wildcards === 1 && !/^https?:\/\/\*\.[^/*]+\.[^/*]+/.test(entry)))
    throw new TypeError(
      `redirectUris: "${entry}" may use "*" only in place of the left-most subdomain, as https://*.example.com/path`,
    );
  const broken = ruleBroken(entry.replace('*', 'wildcard'));
  if (broken) throw new TypeError(`redirectUris: "${entry}" ${broken}`);
}

function allowListMatches(entry: string, uri: string): boolean {
  if (!entry.includes('*')) return entry === uri;
  const [before, after] = entry.split('*') as [string, string];
  if (uri.length <= before.length + after.length || !uri.startsWith(before) || !uri.endsWith(after))
    return false;
  return /^[A-Za-z0-9-]+$/.test(uri.slice(before.length, uri.length - after.length));
}
