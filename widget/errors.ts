// What the visitor is told about a `layer-error`: each code has a kind (contract `API_ERRORS` and
// `WIDGET_ERRORS`), and the element shows that kind's message (strings.ts).
//
// The widget does not ship those tables (0.5 KB gzip of the drop-in script): a backend code's kind
// follows from the HTTP status it is answered with, but for the few listed here. A test checks
// this rule against the contract for every code, so a new code whose kind the rule would get wrong
// fails there until it is listed.
import type { ErrorKind, LayerErrorCode } from '../contract/index.js';
import { hasOwn } from './has-own.js';

/** Codes whose kind is not their status's: the widget's own, Link's, and the backend's exceptions. */
const KINDS: Readonly<Record<string, ErrorKind>> = {
  WRONG_SESSION: 'session', // 403, but another visitor's token: starting over gets one's own
  WEBHOOK_VERIFICATION_FAILED: 'setup', // 401, but the webhook's: no visitor session involved
  SESSION_NOT_CONFIRMED: 'retry', // 503, but Plaid's webhook was only late
  HTTP_ERROR: 'unavailable', // whatever the status, something other than the backend answered
  BAD_RESPONSE: 'setup', // a 200 without the route's body: the api attribute points elsewhere
  TIMEOUT: 'retry',
  // Link refused a replacement token too: starting over gets a fresh one.
  INVALID_LINK_TOKEN: 'session',
  RATE_LIMIT_EXCEEDED: 'retry',
};

/**
 * The kind of an error `code`; `status` is the HTTP status the backend answered it with (0 for
 * the widget's own codes and Link's). Own keys only: a code such as `toString` is no entry.
 */
export function errorKind(code: LayerErrorCode, status = 0): ErrorKind {
  if (hasOwn(KINDS, code)) return KINDS[code]!;
  if (status === 429) return 'retry';
  if (status === 401 || status === 409 || status === 422) return 'session';
  return status >= 400 && status < 500 ? 'setup' : 'unavailable';
}
