/**
 * `createPlaidEmulator(options)`: a Hono app that stands in for Plaid — its API routes, the Link
 * script and the Link UI's back end — with Plaid's routes at its root, so it can be served on its
 * own port or mounted under a prefix (`app.route('/plaid', createPlaidEmulator())`).
 *
 * It touches nothing global: no environment, no files of its own, no timers left running, no
 * listening. Everything it remembers lives in this one instance.
 */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

import { LINK_SCRIPT_PATH } from '../contract/index.js';
import { linkTokenRoutes } from './api/link-token-routes.js';
import { networkStatusRoutes } from './api/network-status-routes.js';
import { applyFault, type PlaidEnv } from './api/plaid-request.js';
import { sessionTokenRoutes } from './api/session-token-routes.js';
import { userAccountRoutes } from './api/user-account-routes.js';
import { webhookKeyRoutes } from './api/webhook-key-routes.js';
import type { EmulatorContext } from './context.js';
import { faultRoutes } from './control/fault-routes.js';
import { sandboxRoutes } from './control/sandbox-routes.js';
import { FaultRegistry } from './faults.js';
import { newRequestId } from './ids.js';
import { linkProtocolRoutes } from './link-protocol/routes.js';
import { LinkSessions } from './link-protocol/sessions.js';
import { linkInitializeScript } from './link-script.js';
import { resolveOptions, type PlaidEmulatorOptions } from './options.js';
import { PlaidApiError } from './plaid-error.js';
import { EmulatorState } from './state.js';
import { WebhookSender } from './webhooks.js';

export { LINK_SCRIPT_PATH };

export function createPlaidEmulator(options: PlaidEmulatorOptions = {}): Hono {
  const resolved = resolveOptions(options);
  const state = new EmulatorState();
  const webhooks = new WebhookSender({
    now: resolved.now,
    fetch: resolved.fetch,
    onFailure: resolved.onWebhookFailure,
  });
  const ctx: EmulatorContext = {
    options: resolved,
    state,
    webhooks,
    faults: new FaultRegistry(resolved.faults),
    linkSessions: new LinkSessions(resolved, state, webhooks),
  };

  const app = new Hono<PlaidEnv>();

  app.get(LINK_SCRIPT_PATH, async (c) => {
    await applyFault(ctx.faults.take(LINK_SCRIPT_PATH, false), resolved.sleep);
    return c.body(await linkInitializeScript(), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-cache',
    });
  });

  app.route('/', sessionTokenRoutes(ctx));
  app.route('/', linkTokenRoutes(ctx));
  app.route('/', userAccountRoutes(ctx));
  app.route('/', webhookKeyRoutes(ctx));
  app.route('/', networkStatusRoutes(ctx));
  app.route('/', linkProtocolRoutes(ctx));
  app.route('/', faultRoutes(ctx));
  app.route('/', sandboxRoutes(ctx));

  // Registered last, so it also answers under a mount prefix, where `notFound` would not be used.
  app.all('*', () => {
    throw new PlaidApiError('NOT_FOUND');
  });

  app.onError((error, c) => {
    const plaidError = error instanceof PlaidApiError ? error : new PlaidApiError('INTERNAL_SERVER_ERROR');
    if (!(error instanceof PlaidApiError)) console.error('[plaid emulator] unexpected error:', error);
    return c.json(
      plaidError.toBody(c.get('requestId') ?? newRequestId()),
      plaidError.status as ContentfulStatusCode,
    );
  });

  // PlaidEnv only types the variables its own middleware sets; to a caller it is a plain Hono app.
  return app as unknown as Hono;
}
