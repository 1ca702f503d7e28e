import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

import { API_ERRORS, type ApiErrorCode, type ErrorBody } from '../contract/index.js';

export interface LayerApiErrorDetails {
  /** Plaid's `request_id` when a Plaid call failed. */
  plaidRequestId?: string;
  /** Plaid's `error_code`, for the log line only (never sent to the browser as such). */
  plaidErrorCode?: string;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /**
   * For the log line only: what was refused and the setting that allows it, e.g.
   * `origin=https://shop.example hint="add it to allowedOrigins"`. Never personal data.
   */
  log?: Record<string, string>;
}

/**
 * A failure the browser should see as `{ error: { code, message, request_id } }`, with the status
 * the contract gives its code; shaped by {@link handleError}.
 */
export class LayerApiError extends HTTPException {
  readonly code: ApiErrorCode;
  readonly details: LayerApiErrorDetails;

  constructor(code: ApiErrorCode, message: string, details: LayerApiErrorDetails = {}) {
    super(API_ERRORS[code].status as ContentfulStatusCode, { message });
    this.name = 'LayerApiError';
    this.code = code;
    this.details = details;
  }
}

/** Codes for HTTPExceptions thrown by Hono itself or by middleware we did not write. */
function codeForStatus(status: number): ApiErrorCode {
  if (status === 404 || status === 405) return 'NOT_FOUND';
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'RATE_LIMITED';
  return status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_BODY';
}

/** What the request log line records about a failure. */
export interface ErrorLogFields {
  /** Absent on a success that has something to report (a webhook handled but not marked done). */
  code?: ApiErrorCode;
  plaidRequestId?: string;
  plaidErrorCode?: string;
  extra?: Record<string, string>;
}

/**
 * The one onError: every failure leaves as `{ error: { code, message, request_id } }` with its
 * status. Anything unexpected becomes a 500 whose body says nothing about the cause — the error
 * object itself is neither sent nor logged, as it may hold PII or (a Plaid client error) secrets.
 */
export function handleError(error: Error, c: Context): Response {
  const requestId: string = c.get('requestId') ?? '';
  let code: ApiErrorCode = 'INTERNAL_ERROR';
  let message = 'The server failed to handle this request.';
  let details: LayerApiErrorDetails = {};
  if (error instanceof LayerApiError) {
    ({ code, message, details } = error);
  } else if (error instanceof HTTPException) {
    code = codeForStatus(error.status);
    message = error.message || code;
  }
  const log: ErrorLogFields = { code };
  if (details.plaidRequestId) log.plaidRequestId = details.plaidRequestId;
  if (details.plaidErrorCode) log.plaidErrorCode = details.plaidErrorCode;
  if (details.log) log.extra = details.log;
  c.set('errorLog', log);

  if (bodyLeftUnread(c, code)) c.header('Connection', 'close');

  const body: ErrorBody = { error: { code, message, request_id: requestId } };
  if (details.plaidRequestId) body.error.plaid_request_id = details.plaidRequestId;
  if (details.retryAfter !== undefined) c.header('Retry-After', String(details.retryAfter));
  return c.json(body, API_ERRORS[code].status as ContentfulStatusCode);
}

/**
 * Whether this error answers a request whose body was never (fully) read: refused by size, origin,
 * media type or route before reading it. Under @hono/node-server the unread body stays on the
 * connection; the server drains it after the answer but gives up after 500 ms or 64 MB and cuts
 * the connection — under a keep-alive client that has by then sent its next request on it, which
 * fails ("other side closed"). So such answers carry `Connection: close`: Node closes the
 * connection cleanly once the answer is out, and the client opens a new one for its next request.
 * (HTTP/2 drops the header; there the server resets only the stream.)
 */
function bodyLeftUnread(c: Context, code: ApiErrorCode): boolean {
  if (code === 'BODY_TOO_LARGE') return true;
  const { raw } = c.req;
  const length = raw.headers.get('Content-Length');
  const hasBody = (length !== null && length.trim() !== '0') || raw.headers.has('Transfer-Encoding');
  return hasBody && !raw.bodyUsed;
}
