import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';

import { API_ROUTES, SESSION_HANDLE_HEADER } from '../contract/index.js';
import type { LayerApiEnv } from './app-env.js';
import { LayerApiError, handleError } from './errors.js';
import { resolveOptions, type LayerApiOptions } from './options.js';
import { originCheck, uncompressedBody } from './request-guards.js';
import { requestLog } from './request-log.js';
import { linkTokenRoute } from './routes/link-token.js';
import { sessionRoute } from './routes/session.js';
import { webhookRoute } from './routes/webhook.js';
import { createProfileTokens } from './profile.js';
import { createSessionHandles } from './session-handle.js';
import { createVisitors } from './visitor.js';
import { createWebhookVerifier } from './webhook-verification.js';

/** Every response gets its own id, echoed in `X-Request-Id`, error bodies and the log line. */
function requestId(): MiddlewareHandler<LayerApiEnv> {
  return async function requestId(c, next) {
    const id = crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
  };
}

/** API answers are per-user and short-lived: no cache may keep them. */
function noStore(): MiddlewareHandler<LayerApiEnv> {
  return async function noStore(c, next) {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
  };
}

/**
 * Refuses bodies over `maxSize` bytes (413 BODY_TOO_LARGE). A body with a Content-Length (what
 * browsers send, and what the runtime's HTTP parser holds the body to) is judged by the header
 * alone, which leaves the route to read it the cheap way (on Node, @hono/node-server reads the
 * socket directly; touching `request.body`, as Hono's bodyLimit does, builds a web stream, +0.3 to
 * 0.7 ms a request). Anything else (chunked, or no header at all) is counted as it is read, by Hono's
 * bodyLimit.
 */
function bodyLimitOf(maxSize: number): MiddlewareHandler<LayerApiEnv> {
  const tooLarge = () => {
    throw new LayerApiError('BODY_TOO_LARGE', `The body is larger than ${maxSize} bytes.`);
  };
  const counted = bodyLimit({ maxSize, onError: tooLarge });
  return async function limitBody(c, next) {
    const length = c.req.header('Content-Length');
    if (length === undefined || !/^\d+$/.test(length) || c.req.header('Transfer-Encoding') !== undefined)
      return counted(c, next);
    if (Number(length) > maxSize) tooLarge();
    await next();
  };
}

/**
 * When a POST's path ends with one of the routes, the likeliest cause of its 404 is a mount prefix
 * nobody took off (a Pages Router API route, `http.createServer` without `basePath`): say so, and
 * which prefix, if it reads as one. (Mounted in Hono or Express, such a POST reaches its route.)
 */
function prefixHint(method: string, path: string): string {
  const route = Object.values(API_ROUTES).find((name) => path.endsWith(name) && path !== name);
  if (method !== 'POST' || !route) return '';
  const prefix = path.slice(0, -route.length);
  const named = /^(\/[\w.~-]+){1,8}$/.test(prefix) ? ` (${prefix})` : '';
  return ` It got ${route} under a prefix${named}: pass that prefix as the adapter's basePath (nodeLayerApi, toFetchHandler) so the API sees ${route}.`;
}

/**
 * The partner's Layer backend as a Hono app with `POST /link-token`, `POST /session` and
 * `POST /webhook` at its root: mount it with `app.route('/api/layer', createLayerApi(options))`.
 * It reads no environment and starts no timers; options are checked here, so a mistake throws at
 * start-up.
 */
export function createLayerApi(options: LayerApiOptions): Hono {
  const resolved = resolveOptions(options);
  const deps = {
    options: resolved,
    visitors: createVisitors(resolved),
    handles: createSessionHandles(resolved.sessionSecrets, resolved.now),
    profileTokens: createProfileTokens(resolved.sessionSecrets),
    verifyWebhook: createWebhookVerifier({
      plaid: resolved.plaid,
      timeoutMs: resolved.timeoutMs,
      now: resolved.now,
    }),
  };
  // Every origin may *send* (the preflight passes) so a page that is not allowed reads a clear
  // 403 ORIGIN_NOT_ALLOWED at load instead of an opaque network error; originCheck refuses its POST
  // before any work, so it never reads anything else. Allowed origins get the answers.
  const browserCors = cors({
    origin: (origin) => origin || null,
    allowMethods: ['POST'],
    allowHeaders: ['Content-Type', SESSION_HANDLE_HEADER],
    // Date: the widget times its Link token by the server's clock, not the visitor's (often hours off).
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'Date'],
    credentials: true,
    maxAge: 600,
  });
  const limitBody = bodyLimitOf(resolved.bodyLimitBytes);

  const app = new Hono<LayerApiEnv>();
  app.use(requestId());
  if (resolved.logger) app.use(requestLog({ logger: resolved.logger, now: resolved.now }));
  // CORP would only guard no-cors reads, and these routes are POST-only; CORS decides who may read.
  app.use(secureHeaders({ crossOriginResourcePolicy: false }));
  app.use(noStore());
  const origins = { allowedOrigins: resolved.allowedOrigins, proxy: resolved.proxy };
  app.use(API_ROUTES.linkToken, browserCors, originCheck({ ...origins, requireOrigin: true }));
  app.use(API_ROUTES.session, browserCors, originCheck({ ...origins, requireOrigin: true }));
  app.use(API_ROUTES.webhook, originCheck({ ...origins, requireOrigin: false }));
  app.use(uncompressedBody());
  app.use(limitBody);
  app.route('/', linkTokenRoute(deps));
  app.route('/', sessionRoute(deps));
  app.route('/', webhookRoute(deps));
  // A catch-all route rather than `notFound`: a mounted app's `notFound` is never used (Hono hands
  // unmatched paths to the parent's), and the API is meant to be mounted under a prefix.
  app.all('*', (c) => {
    throw new LayerApiError(
      'NOT_FOUND',
      `No such route: the API has POST /link-token, /session and /webhook.${prefixHint(c.req.method, c.req.path)}`,
    );
  });
  app.onError(handleError);
  // Its Variables are internal: callers only mount or fetch it, so it is typed as a plain Hono.
  return app as unknown as Hono;
}
