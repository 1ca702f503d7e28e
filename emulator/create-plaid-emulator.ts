/**
 * `createPlaidEmulator(options)`: a Hono app that stands in for Plaid — its API routes, the Link
 * script, the Link iframe and its back end — with Plaid's routes at its root, so it can be served
 * on its own port or mounted under a prefix (`app.route('/plaid', createPlaidEmulator())`).
 *
 * It touches nothing global: no environment, no files of its own, no listening. Everything it
 * remembers lives in this one instance, bounded. Its only timers are pending webhook deliveries,
 * `unref()`ed, and `close()` (or aborting `options.signal`) cancels them.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
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
import { webhookKeyControlRoutes } from './control/webhook-key-routes.js';
import { FaultRegistry } from './faults.js';
import { newRequestId } from './ids.js';
import { LINK_FRAME_CSP, LINK_FRAME_CSS, LINK_FRAME_HTML, linkScripts } from './link-assets.js';
import { LINK_FRAME_PATH, LINK_FRAME_SCRIPT_PATH, LINK_FRAME_STYLES_PATH } from './link/frame-messages.js';
import { linkProtocolRoutes } from './link-protocol/routes.js';
import { LinkSessions } from './link-protocol/sessions.js';
import { resolveOptions, type PlaidEmulatorOptions } from './options.js';
import { PlaidApiError } from './plaid-error.js';
import { EmulatorState } from './state.js';
import { WebhookSender } from './webhook-delivery.js';
import { WebhookSigner } from './webhooks.js';

export { LINK_SCRIPT_PATH };

/** Every request body is read up to this many bytes, no further (emulator choice). */
export const MAX_BODY_BYTES = 64 * 1024;

/** State is tidied at most this often by the clock, or every {@link TIDY_EVERY} calls. */
const TIDY_INTERVAL_MS = 60 * 1000;
const TIDY_EVERY = 256;

/** How much one emulator remembers, for tests and benchmarks that keep memory bounded. */
export interface PlaidEmulatorStats {
  linkTokens: number;
  publicTokens: number;
  linkSessions: number;
  oauthStates: number;
  editedProfiles: number;
  pendingWebhooks: number;
  /** Timers the webhook deliveries hold (`unref()`ed, so `process.getActiveResourcesInfo()` omits them). */
  webhookTimers: number;
}

/** The emulator: a Hono app, plus what controls it from the code that created it. */
export interface PlaidEmulator extends Hono {
  /**
   * Cancels pending webhook deliveries (waits, retries, held out-of-order ones) and aborts those in
   * flight; resolves once they settled. The routes keep answering; no webhook is sent afterwards.
   */
  close(): Promise<void>;
  /**
   * Retires the webhook signing key and signs with a new one from now on; the retired key keeps
   * answering `/webhook_verification_key/get` with `expired_at` set. Also `POST /emulator/webhook-keys/rotate`.
   */
  rotateWebhookKey(): Promise<{ kid: string; retiredKid: string | null }>;
  /** Resolves once every planned webhook delivery was made or given up. */
  webhooksIdle(): Promise<void>;
  stats(): PlaidEmulatorStats;
}

export function createPlaidEmulator(options: PlaidEmulatorOptions = {}): PlaidEmulator {
  const resolved = resolveOptions(options);
  const state = new EmulatorState(resolved.stateLimit);
  const signer = new WebhookSigner(resolved.now);
  const webhooks = new WebhookSender({
    delivery: resolved.webhookDelivery,
    signer,
    fetch: resolved.fetch,
    onFailure: resolved.onWebhookFailure,
  });
  const linkSessions = new LinkSessions(resolved, state, webhooks);
  let calls = 0;
  let tidiedAt = resolved.now();
  const ctx: EmulatorContext = {
    options: resolved,
    state,
    signer,
    webhooks,
    faults: new FaultRegistry(resolved.faults),
    linkSessions,
    tidy: () => {
      calls += 1;
      const now = resolved.now();
      if (calls % TIDY_EVERY !== 0 && now - tidiedAt < TIDY_INTERVAL_MS) return;
      tidiedAt = now;
      state.prune(now);
      linkSessions.prune(now);
    },
  };

  const app = new Hono<PlaidEnv>();

  // Every route: a body is read up to the limit and no further, then refused as too large.
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PlaidApiError('INVALID_BODY', {
          status: 413,
          message: `request body is larger than ${MAX_BODY_BYTES / 1024} KB`,
        });
      },
    }),
  );

  const asset = (path: string, contentType: string, body: () => Promise<string> | string, csp?: string) =>
    app.get(path, async (c) => {
      await applyFault(ctx.faults.take(path, false), resolved.sleep);
      return c.body(await body(), 200, {
        'Content-Type': contentType,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...(csp && { 'Content-Security-Policy': csp }),
      });
    });
  const JS = 'text/javascript; charset=utf-8';
  asset(LINK_SCRIPT_PATH, JS, async () => (await linkScripts()).page);
  asset(LINK_FRAME_PATH, 'text/html; charset=utf-8', () => LINK_FRAME_HTML, LINK_FRAME_CSP);
  asset(LINK_FRAME_SCRIPT_PATH, JS, async () => (await linkScripts()).frame);
  asset(LINK_FRAME_STYLES_PATH, 'text/css; charset=utf-8', () => LINK_FRAME_CSS);

  app.route('/', sessionTokenRoutes(ctx));
  app.route('/', linkTokenRoutes(ctx));
  app.route('/', userAccountRoutes(ctx));
  app.route('/', webhookKeyRoutes(ctx));
  app.route('/', networkStatusRoutes(ctx));
  app.route('/', linkProtocolRoutes(ctx));
  app.route('/', faultRoutes(ctx));
  app.route('/', sandboxRoutes(ctx));
  app.route('/', webhookKeyControlRoutes(ctx));

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

  const close = () => webhooks.close();
  const { signal } = options;
  if (signal?.aborted) void close();
  else signal?.addEventListener('abort', () => void close(), { once: true });

  // PlaidEnv only types the variables its own middleware sets; to a caller it is a plain Hono app.
  return Object.assign(app as unknown as Hono, {
    close,
    rotateWebhookKey: () => signer.rotate(),
    webhooksIdle: () => webhooks.idle(),
    stats: (): PlaidEmulatorStats => ({
      linkTokens: state.linkTokens.size,
      publicTokens: state.publicTokens.size,
      ...linkSessions.sizes,
      pendingWebhooks: webhooks.pending,
      webhookTimers: webhooks.timerCount,
    }),
  });
}
