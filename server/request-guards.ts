/** Checks every browser request passes before a route runs: where it comes from, what it carries. */
import type { Context, MiddlewareHandler } from 'hono';

import type { LayerApiEnv } from './app-env.js';
import { ApiError } from './errors.js';

/**
 * Same origin (the request URL's origin, or its https form when TLS ends at a proxy in front of
 * us) or one of `allowed`.
 */
export function isAllowedOrigin(origin: string, requestUrl: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(origin)) return true;
  const url = new URL(requestUrl);
  return origin === url.origin || origin === `https://${url.host}`;
}

export interface OriginCheckOptions {
  allowedOrigins: ReadonlySet<string>;
  /**
   * Browser routes: a POST without `Origin` is refused (browsers always send it on POST). The
   * webhook route: Plaid's server sends none, so only a present, foreign Origin is refused.
   */
  requireOrigin: boolean;
}

export function originCheck({
  allowedOrigins,
  requireOrigin,
}: OriginCheckOptions): MiddlewareHandler<LayerApiEnv> {
  return async function originCheck(c, next) {
    if (c.req.method === 'POST') {
      const origin = c.req.header('Origin');
      if (origin === undefined ? requireOrigin : !isAllowedOrigin(origin, c.req.url, allowedOrigins))
        throw new ApiError(403, 'ORIGIN_NOT_ALLOWED', 'Requests from this origin are not allowed.');
    }
    await next();
  };
}

/**
 * The body as a JSON object. `Content-Type: application/json` is required: it also forces a CORS
 * preflight, so a foreign page cannot post here with a "simple" cross-site form request.
 */
export async function readJsonObject(
  c: Context,
  { allowEmpty = false } = {},
): Promise<Record<string, unknown>> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the body as JSON with Content-Type: application/json.',
    );
  const text = await c.req.text();
  if (allowEmpty && text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'INVALID_JSON', 'The body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'INVALID_BODY', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}
