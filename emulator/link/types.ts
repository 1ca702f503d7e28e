/**
 * `window.Plaid` as the emulated `link-initialize.js` defines it: the contract's `PlaidGlobal`
 * (Plaid's own surface, shared with the widget), every optional member present, plus the page-wide
 * emulator settings. Types only; everything else comes from the contract.
 */
import type { EmulatorLinkSettings, PlaidGlobal } from '../../contract/index.js';

export interface EmulatorPlaidGlobal extends Required<PlaidGlobal> {
  /** Page-wide emulator settings, read when a handler is created. */
  emulator: EmulatorLinkSettings;
}
