/**
 * `/emulator/faults`: set, list and clear injected faults at run time (see faults.ts).
 *   GET    → { faults: [...] }                    the active faults and what remains of each
 *   POST   { route, status?, errorCode?, ... }    add one (or an array) → { faults }
 *   DELETE                                        clear all → { faults: [] }
 * Changing them takes `application/json` from no `Origin` or the emulator's own (see
 * emulator-request.ts): a cross-site form must not be able to break a developer's emulator.
 */
import { Hono } from 'hono';

import type { PlaidEnv } from '../api/plaid-request.js';
import type { EmulatorContext } from '../context.js';
import { checkFaultSpec } from '../faults.js';
import { PlaidApiError } from '../plaid-error.js';
import { checkCaller } from './emulator-request.js';

const ROUTE = '/emulator/faults';
/** Emulator choice: enough for any test, few enough to keep memory and `take()` small. */
const MAX_FAULTS = 1000;

export function faultRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();
  const { faults } = ctx;

  // No fault applies to these routes: they are how faults are undone.
  app.get(ROUTE, (c) => c.json({ faults: faults.list() }, 200));

  app.post(ROUTE, async (c) => {
    checkCaller(c);
    const text = await c.req.text();
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch {
      throw new PlaidApiError('INVALID_BODY', { message: 'body could not be parsed as JSON' });
    }
    // Check every fault before adding any, so a bad batch changes nothing.
    const specs = (Array.isArray(input) ? input : [input]).map(checkFaultSpec);
    if (faults.list().length + specs.length > MAX_FAULTS)
      throw new PlaidApiError('INVALID_FIELD', { message: `at most ${MAX_FAULTS} faults may be active` });
    specs.forEach((spec) => faults.add(spec));
    return c.json({ faults: faults.list() }, 200);
  });

  app.delete(ROUTE, (c) => {
    checkCaller(c);
    faults.clear();
    return c.json({ faults: faults.list() }, 200);
  });

  return app;
}
