// Every event `<layer-onboarding>` fires, with its detail type (DESIGN.md §3). All are
// `CustomEvent`s that bubble and cross shadow roots; consumers read `event.detail`.
// The backend's wire types (server/types.ts has no imports, so it type-checks in the browser too).
import type { BrowserItem, BrowserProfile } from '../server/types.js';
import type { LinkEventMetadata, PlaidLinkError, PlaidLinkExitMetadata } from './plaid-link.js';
import type { LayerState } from './states.js';

/** Why Layer could not serve this user; the partner's own form should take over. */
export const FALLBACK_REASONS = [
  'not_eligible',
  'autofill_not_available',
  'authentication_failed',
  'exit',
  'timeout',
  'error',
] as const;

export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** How the user became eligible: their phone number, or Extended Autofill by date of birth. */
export type EligibleVia = 'phone' | 'date_of_birth';

export interface LayerStateChangeDetail {
  state: LayerState;
  previous: LayerState;
}

export interface LayerEligibleDetail {
  via: EligibleVia;
}

export interface LayerSuccessDetail {
  profile: BrowserProfile;
  items: BrowserItem[];
  /** Signed profile token: also the element's form value. */
  token: string;
  linkSessionId: string | null;
}

export interface LayerFallbackDetail {
  reason: FallbackReason;
}

export interface LayerExitDetail {
  error: PlaidLinkError | null;
  metadata: PlaidLinkExitMetadata;
}

export interface LayerErrorDetail {
  /**
   * The backend's error code, Link's `error_code`, or the widget's own: `SCRIPT_LOAD_FAILED`,
   * `NETWORK_ERROR`, `HTTP_<status>` (no error body), `BAD_RESPONSE` (not the promised JSON),
   * `TIMEOUT` (the session exchange did not answer in 30 s).
   */
  code: string;
  message: string;
  requestId?: string;
  linkSessionId?: string;
}

export interface LayerLinkEventDetail {
  eventName: string;
  /** Link's event metadata without personal data (no search queries, masks or numbers). */
  metadata: LinkEventMetadata;
}

/** Every event the element fires: the one list names, the event map and tests listen to. */
export const LAYER_EVENT_NAMES = [
  'layer-state-change',
  'layer-eligible',
  'layer-success',
  'layer-fallback',
  'layer-exit',
  'layer-error',
  'layer-event',
] as const;

export type LayerEventName = (typeof LAYER_EVENT_NAMES)[number];

/**
 * Event name → detail type, the source of the global event map below (whose mapped type fails to
 * compile if a listed event has no detail type here).
 */
export interface LayerEventDetails {
  'layer-state-change': LayerStateChangeDetail;
  'layer-eligible': LayerEligibleDetail;
  'layer-success': LayerSuccessDetail;
  'layer-fallback': LayerFallbackDetail;
  'layer-exit': LayerExitDetail;
  'layer-error': LayerErrorDetail;
  'layer-event': LayerLinkEventDetail;
}

/** What the Link session calls to announce something; the element turns it into a DOM event. */
export type LayerEmit = <K extends LayerEventName>(type: K, detail: LayerEventDetails[K]) => void;

export function createLayerEvent<K extends LayerEventName>(
  type: K,
  detail: LayerEventDetails[K],
): CustomEvent<LayerEventDetails[K]> {
  return new CustomEvent(type, { detail, bubbles: true, composed: true });
}

/** The events as `addEventListener` sees them; they bubble and are composed, so also on document. */
type LayerEventMap = { [K in LayerEventName]: CustomEvent<LayerEventDetails[K]> };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends LayerEventMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DocumentEventMap extends LayerEventMap {}
}
