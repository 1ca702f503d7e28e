// What the visitor is told about a `layer-error`: each code has a kind (contract ERROR_KINDS), and
// the element shows that kind's message (strings.ts). The backend's and the widget's own codes take
// their kind from the contract; Link's `error_code`s are Plaid's to name.
import {
  API_ERRORS,
  WIDGET_ERRORS,
  type ApiErrorCode,
  type ErrorKind,
  type LayerErrorCode,
  type WidgetErrorCode,
} from '../contract/index.js';
import { hasOwn } from './has-own.js';

/** Link's own error codes with a kind other than `unavailable`. */
const LINK_ERROR_KINDS: Readonly<Record<string, ErrorKind>> = {
  // Link refused a replacement token too: starting over gets a fresh one.
  INVALID_LINK_TOKEN: 'session',
  RATE_LIMIT_EXCEEDED: 'retry',
};

// Own keys only: a code such as `toString` is no entry.
export function errorKind(code: LayerErrorCode): ErrorKind {
  if (hasOwn(API_ERRORS, code)) return API_ERRORS[code as ApiErrorCode].kind;
  if (hasOwn(WIDGET_ERRORS, code)) return WIDGET_ERRORS[code as WidgetErrorCode].kind;
  return hasOwn(LINK_ERROR_KINDS, code) ? LINK_ERROR_KINDS[code]! : 'unavailable';
}
