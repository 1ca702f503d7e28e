import type { ResolvedOptions } from '../options.js';
import type { SessionManager } from '../session.js';
import type { createWebhookVerifier } from '../webhook-verification.js';

/** What every route is built from. */
export interface RouteDeps {
  options: ResolvedOptions;
  sessions: SessionManager;
  verifyWebhook: ReturnType<typeof createWebhookVerifier>;
}
