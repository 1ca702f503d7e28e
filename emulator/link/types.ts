/**
 * The public surface of the emulated `link-initialize.js`: Plaid's own (in the contract module,
 * shared with the widget), plus the page-wide emulator settings on `window.Plaid`. Types only.
 */
import type { EmulatorLinkSettings, PlaidGlobal } from '../../contract/index.js';

export type {
  EmulatorLinkSettings,
  PlaidHandler,
  PlaidInstitution,
  PlaidLinkError,
  PlaidLinkOnEventMetadata,
  PlaidLinkOnExitMetadata,
  PlaidLinkOnSuccessMetadata,
  PlaidLinkOptions,
  PlaidSubmitData,
} from '../../contract/index.js';

/** `window.Plaid` as the emulator defines it. */
export interface EmulatorPlaidGlobal extends Required<PlaidGlobal> {
  /** Page-wide emulator settings, read when a handler is created. */
  emulator: EmulatorLinkSettings;
}
