import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

import type { ErrorBody } from './types.js';

export interface ApiErrorDetails {
  /** Plaid's `request_id` when a Plaid call failed. */
  plaidRequestId?: string;
  /** Plaid's `error_code`, for the log line only (never sent to the browser as such). */
  plaidErrorCode?: string;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
}

/** A failure with the status and code the browser should see; shaped by {@link handleError}. */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly details: ApiErrorDetails;

  constructor(status: ContentfulStatusCode, code: string, message: string, details: ApiErrorDetails = {}) {
    super(status, { message });
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
}

/** Codes for HTTPExceptions thrown by Hono itself or by middleware we did not write. */
const CODES_BY_STATUS: Partial<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** What the request log line records about a failure. */
export interface ErrorLogFields {
  code: string;
  plaidRequestId?: string;
  plaidErrorCode?: string;
}

/**
 * The one onError: every failure leaves as `{ error: { code, message, request_id } }` with its
 * status. Anything unexpected becomes a 500 whose body says nothing about the cause — the error
 * object itself is neither sent nor logged, as it may hold PII or (a Plaid client error) secrets.
 */
export function handleError(error: Error, c: Context): Response {
  const requestId: string = c.get('requestId') ?? '';
  let status: ContentfulStatusCode = 500;
  let code = 'INTERNAL_ERROR';
  let message = 'The server failed to handle this request.';
  let details: ApiErrorDetails = {};
  if (error instanceof ApiError) {
    ({ code, message, details } = error);
    status = error.status as ContentfulStatusCode;
  } else if (error instanceof HTTPException) {
    status = error.status as ContentfulStatusCode;
    code = CODES_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    message = error.message || code;
  }
  const log: ErrorLogFields = { code };
  if (details.plaidRequestId) log.plaidRequestId = details.plaidRequestId;
  if (details.plaidErrorCode) log.plaidErrorCode = details.plaidErrorCode;
  c.set('errorLog', log);

  const body: ErrorBody = { error: { code, message, request_id: requestId } };
  if (details.plaidRequestId) body.error.plaid_request_id = details.plaidRequestId;
  if (details.retryAfter !== undefined) c.header('Retry-After', String(details.retryAfter));
  return c.json(body, status);
}
