// Every event `<layer-onboarding>` fires, with its detail type (DESIGN.md §3). All are
// `CustomEvent`s that bubble and cross shadow roots; consumers read `event.detail`.
import type {
  BrowserItem,
  BrowserProfile,
  FallbackReason,
  LayerErrorCode,
  PlaidLinkError,
} from '../contract/index.js';
import type { LinkEventMetadata, SafeExitMetadata } from './plaid-link.js';
import type { LayerState } from './states.js';

export { FALLBACK_REASONS, type FallbackReason } from '../contract/index.js';

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
  /** The E.164 number the visitor typed, if any, to prefill the partner's own form. */
  phone?: string;
}

export interface LayerExitDetail {
  error: PlaidLinkError | null;
  metadata: SafeExitMetadata;
}

export interface LayerErrorDetail {
  /**
   * The backend's error code (`API_ERRORS`), the widget's own (`WIDGET_ERRORS`), or the
   * `error_code` Link ended with. All are listed, with when they happen, in the README.
   */
  code: LayerErrorCode;
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
