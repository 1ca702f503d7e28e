// Plaid Link's web SDK (link-initialize.js) as this widget uses it: the handler interface, the
// callback metadata, and helpers that keep personal data out of what we re-emit.
// Shapes from Plaid's Link web docs and react-plaid-link's types (see ../shared/plaid/LAYER.md §4).
import { loadScript, ScriptLoadError } from './script-loader.js';

/** `error` of `onExit`, and of `ERROR` events. */
export interface PlaidLinkError {
  error_type: string;
  error_code: string;
  error_message: string;
  display_message: string | null;
}

export interface PlaidInstitution {
  name: string;
  institution_id: string;
}

/** `onEvent` metadata: every key may be null, and Plaid may add keys. */
export interface PlaidLinkEventMetadata {
  link_session_id?: string | null;
  request_id?: string | null;
  timestamp?: string | null;
  view_name?: string | null;
  error_type?: string | null;
  error_code?: string | null;
  error_message?: string | null;
  exit_status?: string | null;
  institution_id?: string | null;
  institution_name?: string | null;
  [key: string]: unknown;
}

/** `onExit` metadata. */
export interface PlaidLinkExitMetadata {
  institution: PlaidInstitution | null;
  status: string | null;
  link_session_id: string | null;
  request_id: string | null;
}

/** `onSuccess` metadata (Layer's `institution`/`accounts` contents are not documented). */
export interface PlaidLinkSuccessMetadata {
  link_session_id?: string | null;
  [key: string]: unknown;
}

/** Layer's `submit()`: a phone number or a date of birth, never both. */
export type PlaidSubmitData = { phone_number: string } | { date_of_birth: string };

export interface PlaidLinkConfig {
  token: string;
  onSuccess: (publicToken: string, metadata: PlaidLinkSuccessMetadata) => void;
  onExit: (error: PlaidLinkError | null, metadata: PlaidLinkExitMetadata) => void;
  onEvent: (eventName: string, metadata: PlaidLinkEventMetadata) => void;
  onLoad: () => void;
  /** Only when re-creating the handler after an OAuth redirect: the full return URL. */
  receivedRedirectUri?: string;
}

export interface PlaidHandler {
  open(): void;
  exit(options?: { force?: boolean }): void;
  submit(data: PlaidSubmitData): void;
  destroy(): void;
}

/** `window.Plaid`. */
export interface PlaidLinkFactory {
  create(config: PlaidLinkConfig): PlaidHandler;
}

export const DEFAULT_LINK_SCRIPT_SRC = 'https://cdn.plaid.com/link/v2/stable/link-initialize.js';

/** `window.Plaid` once Link's script has run; read lazily so importing this module is SSR-safe. */
export function getPlaid(): PlaidLinkFactory | undefined {
  const plaid = (globalThis as { Plaid?: Partial<PlaidLinkFactory> }).Plaid;
  return typeof plaid?.create === 'function' ? (plaid as PlaidLinkFactory) : undefined;
}

/**
 * Loads Link's script (once per page) and returns `window.Plaid`. A script that loads but defines
 * no `Plaid` (a proxy's error page, a wrong URL) counts as a failed load.
 */
export async function loadPlaidLink(src: string, nonce?: string): Promise<PlaidLinkFactory> {
  await loadScript(src, { nonce, isLoaded: () => getPlaid() !== undefined });
  const plaid = getPlaid();
  if (!plaid) throw new ScriptLoadError(src);
  return plaid;
}

/** Event metadata keys that carry no personal data. Search queries, masks and routing numbers do. */
const EVENT_METADATA_KEYS = [
  'link_session_id',
  'request_id',
  'timestamp',
  'view_name',
  'error_type',
  'error_code',
  'error_message',
  'exit_status',
  'institution_id',
  'institution_name',
  'mfa_type',
  'selection',
  'match_reason',
  'is_update_mode',
] as const;

export type LinkEventMetadata = { [K in (typeof EVENT_METADATA_KEYS)[number]]?: unknown };

/** Keeps the allow-listed, non-personal keys of an `onEvent` metadata object. */
export function safeEventMetadata(metadata: PlaidLinkEventMetadata | null | undefined): LinkEventMetadata {
  const safe: Record<string, unknown> = {};
  for (const key of EVENT_METADATA_KEYS) {
    if (metadata && key in metadata) safe[key] = metadata[key];
  }
  return safe as LinkEventMetadata;
}

/** The documented `onExit` metadata keys, nothing else. */
export function safeExitMetadata(
  metadata: Partial<PlaidLinkExitMetadata> | null | undefined,
): PlaidLinkExitMetadata {
  const institution = metadata?.institution;
  return {
    institution: institution
      ? { name: String(institution.name), institution_id: String(institution.institution_id) }
      : null,
    status: metadata?.status ?? null,
    link_session_id: metadata?.link_session_id ?? null,
    request_id: metadata?.request_id ?? null,
  };
}

/** The four documented error keys of `onExit`'s error. */
export function safeLinkError(error: PlaidLinkError | null | undefined): PlaidLinkError | null {
  if (!error) return null;
  return {
    error_type: String(error.error_type),
    error_code: String(error.error_code),
    error_message: String(error.error_message ?? ''),
    display_message: error.display_message ?? null,
  };
}
