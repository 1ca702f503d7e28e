/**
 * The public surface of `link-initialize.js` as Plaid documents it (LAYER.md §4.2-4.3), plus the
 * emulator's own `emulator` settings. Types only.
 */
import type { EventTiming, LinkError, SuccessAccount } from './protocol.js';

export type PlaidLinkError = LinkError;

export interface PlaidInstitution {
  name: string;
  institution_id: string;
}

export interface PlaidLinkOnSuccessMetadata {
  institution: PlaidInstitution | null;
  accounts: SuccessAccount[];
  link_session_id: string;
}

export interface PlaidLinkOnExitMetadata {
  institution: PlaidInstitution | null;
  status: string | null;
  link_session_id: string;
  request_id: string;
}

/** Every key is always present; `null` where the event has no value for it. */
export interface PlaidLinkOnEventMetadata {
  account_number_mask: string | null;
  error_type: string | null;
  error_code: string | null;
  error_message: string | null;
  exit_status: string | null;
  institution_id: string | null;
  institution_name: string | null;
  institution_search_query: string | null;
  is_update_mode: string | null;
  match_reason: string | null;
  mfa_type: string | null;
  routing_number: string | null;
  view_name: string | null;
  selection: string | null;
  timestamp: string;
  link_session_id: string;
  request_id: string;
}

/** Emulator-only knobs; real Link ignores unknown keys, so passing them is harmless there. */
export interface EmulatorSettings {
  /** Overrides the emulator's `eventTiming` option. */
  eventTiming?: EventTiming;
}

export interface PlaidLinkOptions {
  token: string | null;
  onSuccess: (publicToken: string, metadata: PlaidLinkOnSuccessMetadata) => void;
  onExit?: (error: PlaidLinkError | null, metadata: PlaidLinkOnExitMetadata) => void;
  onEvent?: (eventName: string, metadata: PlaidLinkOnEventMetadata) => void;
  onLoad?: () => void;
  receivedRedirectUri?: string | null;
  emulator?: EmulatorSettings;
}

/** Layer's `submit`: a phone number or a date of birth, never both. */
export type PlaidSubmitData =
  { phone_number: string; date_of_birth?: never } | { date_of_birth: string; phone_number?: never };

export interface PlaidHandler {
  open: () => void;
  exit: (options?: { force?: boolean }) => void;
  submit: (data: PlaidSubmitData) => void;
  destroy: () => void;
}

export interface PlaidGlobal {
  create: (config: PlaidLinkOptions) => PlaidHandler;
  createEmbedded: (config: PlaidLinkOptions, target: HTMLElement) => PlaidHandler;
  version: string;
  /** Page-wide emulator settings, read when a handler is created. */
  emulator: EmulatorSettings;
}
