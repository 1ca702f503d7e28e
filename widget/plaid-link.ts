// Plaid Link's web SDK (link-initialize.js) as this widget uses it: loading it, and helpers that
// keep personal data out of what we re-emit. The SDK's shapes are in the contract module, shared
// with the emulator; real Link may send more, fewer or odd keys, so everything read here is checked.
import type {
  PlaidGlobal,
  PlaidLinkError,
  PlaidLinkOnEventMetadata,
  PlaidLinkOnExitMetadata,
} from '../contract/index.js';
import { loadScript, ScriptLoadError } from './script-loader.js';

/** What Link may really pass as metadata: the documented keys, any of them missing, maybe more. */
export type LooseMetadata<T> = { readonly [K in keyof T]?: T[K] | null };

/** `window.Plaid` once Link's script has run; read lazily so importing this module is SSR-safe. */
export function getPlaid(): PlaidGlobal | undefined {
  const plaid = (globalThis as { Plaid?: Partial<PlaidGlobal> }).Plaid;
  return typeof plaid?.create === 'function' ? (plaid as PlaidGlobal) : undefined;
}

/**
 * Loads Link's script (once per page) and returns `window.Plaid`. A script that loads but defines
 * no `Plaid` (a proxy's error page, a wrong URL) counts as a failed load.
 */
export async function loadPlaidLink(src: string, nonce?: string): Promise<PlaidGlobal> {
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
export function safeEventMetadata(
  metadata: LooseMetadata<PlaidLinkOnEventMetadata> | null | undefined,
): LinkEventMetadata {
  const safe: Record<string, unknown> = {};
  // Object(): a broken Link's metadata may be a string or a number, where `in` would throw and the
  // event (LAYER_READY too) would be lost.
  for (const key of EVENT_METADATA_KEYS) {
    if (key in Object(metadata)) safe[key] = metadata![key];
  }
  return safe as LinkEventMetadata;
}

/** `value` if Link sent a string there, otherwise `null`. */
export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** `onExit` metadata as `layer-exit` carries it: the documented keys, each possibly null. */
export interface SafeExitMetadata {
  institution: { name: string; institution_id: string } | null;
  status: string | null;
  link_session_id: string | null;
  request_id: string | null;
}

/** The documented `onExit` metadata keys, nothing else. */
export function safeExitMetadata(
  metadata: LooseMetadata<PlaidLinkOnExitMetadata> | null | undefined,
): SafeExitMetadata {
  const institution = metadata?.institution;
  return {
    institution: institution
      ? { name: String(institution.name), institution_id: String(institution.institution_id) }
      : null,
    status: stringOrNull(metadata?.status),
    link_session_id: stringOrNull(metadata?.link_session_id),
    request_id: stringOrNull(metadata?.request_id),
  };
}

/** The four documented error keys of `onExit`'s error. */
export function safeLinkError(
  error: LooseMetadata<PlaidLinkError> | null | undefined,
): PlaidLinkError | null {
  if (!error) return null;
  return {
    error_type: String(error.error_type),
    error_code: String(error.error_code),
    error_message: String(error.error_message ?? ''),
    display_message: stringOrNull(error.display_message),
  };
}
