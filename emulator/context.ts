/** Everything one emulator instance's routes share. Built once by `createPlaidEmulator`. */
import type { FaultRegistry } from './faults.js';
import type { LayerSessions } from './layer-sessions.js';
import type { ResolvedOptions } from './options.js';
import type { EmulatorState } from './state.js';
import type { WebhookSender } from './webhooks.js';

export interface EmulatorContext {
  options: ResolvedOptions;
  state: EmulatorState;
  sessions: LayerSessions;
  faults: FaultRegistry;
  webhooks: WebhookSender;
}
