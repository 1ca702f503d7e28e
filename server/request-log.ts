import type { MiddlewareHandler } from 'hono';

import type { LayerApiEnv } from './app-env.js';

/** What one request's log line says. Nothing here is PII, a token or a secret. */
export interface RequestLogEntry {
  method: string;
  /** The URL path only: never the query string. */
  path: string;
  status: number;
  durationMs: number;
  requestId: string;
  /** Our error code when the request failed. */
  code?: string;
  /** Plaid's request id and error code when a Plaid call failed. */
  plaidRequestId?: string;
  plaidErrorCode?: string;
}

/** Receives the formatted line and its fields; `console.log(line)` by default. */
export type Logger = (line: string, entry: RequestLogEntry) => void;

export interface RequestLogOptions {
  logger: Logger;
  now: () => number;
}

export function formatLogLine(entry: RequestLogEntry): string {
  const parts = [
    entry.method,
    entry.path,
    String(entry.status),
    `${entry.durationMs}ms`,
    `id=${entry.requestId}`,
  ];
  if (entry.code) parts.push(`code=${entry.code}`);
  if (entry.plaidErrorCode) parts.push(`plaid_error=${entry.plaidErrorCode}`);
  if (entry.plaidRequestId) parts.push(`plaid_request_id=${entry.plaidRequestId}`);
  return parts.join(' ');
}

/** One line per request, written once the response (or the shaped error) is known. */
export function requestLog({ logger, now }: RequestLogOptions): MiddlewareHandler<LayerApiEnv> {
  return async function requestLog(c, next) {
    const started = now();
    await next();
    const error = c.get('errorLog');
    const entry: RequestLogEntry = {
      method: c.req.method,
      path: c.req.path.slice(0, 200),
      status: c.res.status,
      durationMs: Math.max(0, Math.round(now() - started)),
      requestId: c.get('requestId'),
    };
    if (error?.code) entry.code = error.code;
    if (error?.plaidRequestId) entry.plaidRequestId = error.plaidRequestId;
    if (error?.plaidErrorCode) entry.plaidErrorCode = error.plaidErrorCode;
    logger(formatLogLine(entry), entry);
  };
}
