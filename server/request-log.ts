import type { MiddlewareHandler } from 'hono';

import type { LayerApiEnv } from './app-env.js';
import { safeLogger } from './safe-logger.js';

/** What one request's log line says. Nothing here is PII, a token or a secret. */
export interface RequestLogEntry {
  method: string;
  /** The URL path as sent (percent-encoded), never the query string. */
  path: string;
  status: number;
  durationMs: number;
  requestId: string;
  /** Our error code when the request failed. */
  code?: string;
  /** Plaid's request id and error code when a Plaid call failed. */
  plaidRequestId?: string;
  plaidErrorCode?: string;
  /** For a refusal: what was refused and the setting that allows it (`origin`, `limit`, `hint`…). */
  details?: Record<string, string>;
}

/** Receives the formatted line and its fields; `console.log(line)` by default. */
export type Logger = (line: string, entry: RequestLogEntry) => void;

export interface RequestLogOptions {
  logger: Logger;
  now: () => number;
}

/**
 * Text a client chose, made safe for a one-line log: anything but printable ASCII becomes `\xNN`
 * or `\u{…}`, so a path cannot end the line or forge another (CR, LF, NUL, ANSI escapes).
 */
export function escapeForLog(text: string, maxLength = 200): string {
  let out = '';
  for (const char of text.slice(0, maxLength)) {
    const code = char.codePointAt(0)!;
    if (code >= 0x21 && code <= 0x7e && char !== '\\' && char !== '"') out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += `\\u{${code.toString(16)}}`;
  }
  return text.length > maxLength ? `${out}…` : out;
}

export function formatLogLine(entry: RequestLogEntry): string {
  const parts = [
    entry.method,
    escapeForLog(entry.path),
    String(entry.status),
    `${entry.durationMs}ms`,
    `id=${entry.requestId}`,
  ];
  if (entry.code) parts.push(`code=${entry.code}`);
  if (entry.plaidErrorCode) parts.push(`plaid_error=${escapeForLog(entry.plaidErrorCode, 64)}`);
  if (entry.plaidRequestId) parts.push(`plaid_request_id=${escapeForLog(entry.plaidRequestId, 64)}`);
  for (const [key, value] of Object.entries(entry.details ?? {})) {
    const safe = escapeForLog(value);
    parts.push(
      `${key}=${/^[^\s"]+$/.test(value) && safe === value ? safe : `"${safe.replace(/\\x20/g, ' ')}"`}`,
    );
  }
  return parts.join(' ');
}

/** The path exactly as the client sent it, percent-encoding intact. */
function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const end = url.search(/[?#]/);
  return url.slice(start, end < 0 ? undefined : end);
}

/**
 * One line per request, written once the response (or the shaped error) is known. A logger that
 * throws or rejects leaves the response as it is (see safe-logger.ts).
 */
export function requestLog({ logger, now }: RequestLogOptions): MiddlewareHandler<LayerApiEnv> {
  const log = safeLogger(logger, 'logger');
  return async function requestLog(c, next) {
    const started = now();
    await next();
    const error = c.get('errorLog');
    const entry: RequestLogEntry = {
      method: escapeForLog(c.req.method, 16),
      path: rawPath(c.req.url),
      status: c.res.status,
      durationMs: Math.max(0, Math.round(now() - started)),
      requestId: c.get('requestId'),
    };
    if (error?.code) entry.code = error.code;
    if (error?.plaidRequestId) entry.plaidRequestId = error.plaidRequestId;
    if (error?.plaidErrorCode) entry.plaidErrorCode = error.plaidErrorCode;
    if (error?.extra) entry.details = error.extra;
    log(formatLogLine(entry), entry);
  };
}
