/**
 * The edge of the emulator-only routes under `/emulator/`: a `request_id`, injected faults, the
 * caller checked, and a JSON object body — but no credentials: the Link UI calls them from its
 * iframe, as real Link calls Plaid without the partner's secret.
 *
 * The caller check keeps another site out. These routes change the emulator (faults, expired
 * tokens, sessions), so a POST must be `application/json` — which a cross-site form or a "simple"
 * `fetch` cannot send without a CORS preflight, and the emulator grants none here — and a browser's
 * `Origin`, when there is one, must be the emulator's own host (the Link iframe's). Node tests and
 * tools send no `Origin`. The host alone is compared, so an HTTPS proxy in front still passes, and a
 * proxy that rewrites `Host` passes when it sends `X-Forwarded-Host`.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';

import { applyFault, readJsonObject, type PlaidEnv } from '../api/plaid-request.js';
import type { EmulatorContext } from '../context.js';
import { newRequestId } from '../ids.js';
import { PlaidApiError } from '../plaid-error.js';

export function emulatorRequest({ faults, options }: EmulatorContext, route: string) {
  return createMiddleware<PlaidEnv>(async function emulatorRequest(c, next) {
    c.set('requestId', newRequestId());
    checkCaller(c);
    await applyFault(faults.take(route, false), options.sleep);
    c.set('body', c.req.method === 'POST' ? await readJsonObject(c.req.raw) : {});
    await next();
  });
}

/** Refuses a write from another site: see the module comment. */
export function checkCaller(c: Context): void {
  const origin = c.req.header('Origin');
  if (origin !== undefined && !sameHost(origin, c.req.url, c.req.header('X-Forwarded-Host')))
    throw new PlaidApiError('INVALID_HEADERS', {
      status: 403,
      message: `the emulator's control and Link routes take no calls from another site (Origin ${origin})`,
    });
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'DELETE') return;
  const contentType = c.req.header('Content-Type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType))
    throw new PlaidApiError('INVALID_BODY', {
      message: 'body could not be parsed as JSON: Content-Type must be application/json',
    });
}

function sameHost(origin: string, url: string, forwardedHost: string | undefined): boolean {
  try {
    const host = new URL(origin).host;
    return host === new URL(url).host || host === forwardedHost?.split(',')[0]?.trim();
  } catch {
    return false;
  }
}
