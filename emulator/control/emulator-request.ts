/**
 * The edge of the emulator-only routes under `/emulator/`: a `request_id`, injected faults and a
 * JSON object body, but no credentials — the Link UI calls them from the partner's page, as real
 * Link calls Plaid without the partner's secret.
 */
import { createMiddleware } from 'hono/factory';

import { applyFault, readJsonObject, type PlaidEnv } from '../api/plaid-request.js';
import type { EmulatorContext } from '../context.js';
import { newRequestId } from '../ids.js';

export function emulatorRequest({ faults, options }: EmulatorContext, route: string) {
  return createMiddleware<PlaidEnv>(async function emulatorRequest(c, next) {
    c.set('requestId', newRequestId());
    await applyFault(faults.take(route, false), options.sleep);
    c.set('body', c.req.method === 'POST' ? await readJsonObject(c.req.raw) : {});
    await next();
  });
}
