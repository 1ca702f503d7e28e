/** Checks every browser request passes before a route runs: where it comes from, what it carries. */
import type { Context, MiddlewareHandler } from 'hono';

import type { LayerApiEnv } from './app-env.js';
import { forwardedOrigin, type ProxyTrust } from './client-address.js';
import { LayerApiError } from './errors.js';

export interface OriginCheckOptions {
  allowedOrigins: ReadonlySet<string>;
  /** Proxies trusted to report the page's origin (`X-Forwarded-Host` or `Forwarded`). */
  proxy: ProxyTrust;
  /**
   * Browser routes: a POST without `Origin` is refused (browsers always send it on POST). The
   * webhook route: Plaid's server sends none, so only a present, foreign Origin is refused.
   */
  requireOrigin: boolean;
}

/**
 * Whether a page at `origin` may call the API: it is listed, or (behind a trusted proxy) it is the
 * origin the proxy says the browser used. Never the `Host` header alone: behind DNS rebinding,
 * `Host` and `Origin` are both the attacker's.
 */
export function isAllowedOrigin(
  c: Context,
  origin: string,
  { allowedOrigins, proxy }: Pick<OriginCheckOptions, 'allowedOrigins' | 'proxy'>,
): boolean {
  if (allowedOrigins.has(origin)) return true;
  return proxy.hops > 0 && origin === forwardedOrigin(c, proxy);
}

/** The browser never sees a POST answered for an origin that is not allowed. */
export function originCheck(options: OriginCheckOptions): MiddlewareHandler<LayerApiEnv> {
  return async function originCheck(c, next) {
    if (c.req.method === 'POST') {
      const origin = c.req.header('Origin');
      if (origin === undefined ? options.requireOrigin : !isAllowedOrigin(c, origin, options)) {
        // An opaque origin is any sandboxed page on the web: it is fixed in the page, never allowed.
        const opaque = origin === 'null';
        throw new LayerApiError(
          'ORIGIN_NOT_ALLOWED',
          origin === undefined
            ? 'Requests without an Origin header are not allowed.'
            : opaque
              ? `Pages with an opaque origin (Origin: null) may not call this API: ${OPAQUE_HINT}.`
              : `Pages at ${origin} may not call this API: add ${origin} to allowedOrigins (ALLOWED_ORIGINS for npm start).`,
          {
            log: {
              origin: origin === undefined ? '(none)' : opaque ? 'null' : originForLog(origin),
              hint: opaque
                ? OPAQUE_HINT
                : `add it to allowedOrigins (ALLOWED_ORIGINS)${options.proxy.hops ? '' : ', or set trustProxy (TRUST_PROXY) behind a proxy that sends X-Forwarded-Host'}`,
            },
          },
        );
      }
    }
    await next();
  };
}

/** What a page with an opaque origin (a sandboxed iframe, a data: or file: URL) must change. */
const OPAQUE_HINT =
  'give the embedding iframe allow-same-origin in its sandbox (a data: or file: page cannot call it at all)';

/** An origin as it may appear in a log line: scheme and host only, nothing a client can inject. */
function originForLog(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return '(malformed)';
  }
}

/**
 * Bodies are read as they are sent: one sent compressed (`Content-Encoding: gzip`) is refused with
 * 415 naming its encoding (RFC 9110 §15.5.16), rather than read as bytes that are not JSON (400
 * INVALID_JSON) or as a webhook whose signature cannot match. Neither the widget nor Plaid
 * compresses a request. A body parser in front that inflated it already (body-parser does) is no
 * problem: the Node adapter drops the header from the body it hands on.
 */
export function uncompressedBody(): MiddlewareHandler<LayerApiEnv> {
  return async function uncompressedBody(c, next) {
    const encoding = c.req.header('Content-Encoding')?.trim();
    if (c.req.method === 'POST' && encoding && encoding.toLowerCase() !== 'identity') {
      const named = /^[\w.-]{1,20}$/.test(encoding) ? `Content-Encoding: ${encoding}` : 'Content-Encoding';
      throw new LayerApiError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the body uncompressed: ${named} is not supported.`,
      );
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
    throw new LayerApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the body as JSON with Content-Type: application/json.',
    );
  const text = await c.req.text();
  if (allowEmpty && text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LayerApiError('INVALID_JSON', 'The body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new LayerApiError('INVALID_BODY', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}
