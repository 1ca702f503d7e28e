import type { ResolvedOptions } from '../options.js';
import type { ProfileTokens } from '../profile.js';
import type { SessionHandles } from '../session-handle.js';
import type { Visitors } from '../visitor.js';
import type { createWebhookVerifier } from '../webhook-verification.js';

/** What every route is built from. */
export interface RouteDeps {
  options: ResolvedOptions;
  visitors: Visitors;
  handles: SessionHandles;
  profileTokens: ProfileTokens;
  verifyWebhook: ReturnType<typeof createWebhookVerifier>;
}
