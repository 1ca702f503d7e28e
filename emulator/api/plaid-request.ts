/**
 * The edge of every Plaid API route (LAYER.md §1.0, §7.1-2): a fresh `request_id`, injected
 * faults, a JSON object body, the client's credentials (body or `PLAID-CLIENT-ID`/`PLAID-SECRET`
 * headers), then the route's own body spec. Handlers read the checked body from `c.var.body`.
 */
import { createMiddleware } from 'hono/factory';

import type { EmulatorContext } from '../context.js';
import { newRequestId } from '../ids.js';
import { PlaidApiError } from '../plaid-error.js';
import { checkBody, isObject, type JsonObject, type ObjectSpec } from './body-spec.js';

export interface PlaidEnv {
  Variables: {
    requestId: string;
    body: JsonObject;
  };
}

/** Every request body may carry the credentials. */
const CREDENTIAL_FIELDS = { client_id: 'string', secret: 'string' } as const;

export function plaidRequest({ options, faults }: EmulatorContext, route: string, spec: ObjectSpec) {
  const fullSpec: ObjectSpec = { ...spec, fields: { ...CREDENTIAL_FIELDS, ...spec.fields } };
  return createMiddleware<PlaidEnv>(async function plaidRequest(c, next) {
    c.set('requestId', newRequestId());
    await applyFault(faults.take(route, true), options.sleep);

    const contentType = c.req.header('Content-Type');
    if (!contentType)
      throw new PlaidApiError('INVALID_HEADERS', {
        message: 'the following required headers are missing: Content-Type',
      });
    if (!/^application\/(.+\+)?json\b/i.test(contentType))
      throw new PlaidApiError('INVALID_BODY', {
        message: 'body could not be parsed as JSON: Content-Type must be application/json',
      });
    const body = await readJsonObject(c.req.raw);

    const clientId = typeof body.client_id === 'string' ? body.client_id : c.req.header('PLAID-CLIENT-ID');
    const secret = typeof body.secret === 'string' ? body.secret : c.req.header('PLAID-SECRET');
    // No credentials at all (a client whose PLAID_CLIENT_ID was never set) is, to Plaid, missing
    // required fields, not wrong keys (plaid/pattern#192, plaid/plaid-ruby#344).
    const missing = Object.entries({ client_id: clientId, secret })
      .filter(([, value]) => value === undefined || value === '')
      .map(([name]) => name);
    if (missing.length > 0)
      throw new PlaidApiError('MISSING_FIELDS', {
        message: `the following required fields are missing: ${missing.join(', ')}`,
      });
    if (clientId !== options.clientId || secret !== options.secret)
      throw new PlaidApiError('INVALID_API_KEYS');

    checkBody(body, fullSpec);
    c.set('body', body);
    await next();
  });
}

export async function applyFault(
  fault: ReturnType<EmulatorContext['faults']['take']>,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if (!fault) return;
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.error) throw fault.error;
}

export async function readJsonObject(request: Request): Promise<JsonObject> {
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new PlaidApiError('INVALID_BODY', { message: 'body could not be parsed as JSON' });
  }
  if (!isObject(body)) throw new PlaidApiError('INVALID_BODY', { message: 'body must be a JSON object' });
  return body;
}

/** Plaid's expiration format: ISO 8601 in UTC, whole seconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
