/** Everything one emulator instance's routes share. Built once by `createPlaidEmulator`. */
import type { FaultRegistry } from './faults.js';
import type { LinkSessions } from './link-protocol/sessions.js';
import type { ResolvedOptions } from './options.js';
import type { EmulatorState } from './state.js';
import type { WebhookSender } from './webhook-delivery.js';
import type { WebhookSigner } from './webhooks.js';

export interface EmulatorContext {
  options: ResolvedOptions;
  state: EmulatorState;
  linkSessions: LinkSessions;
  faults: FaultRegistry;
  signer: WebhookSigner;
  webhooks: WebhookSender;
  /** Forgets expired tokens and finished sessions now and then; called where state grows. */
  tidy: () => void;
}
