/**
 * The emulator-only protocol between the emulated Link script (browser, client.ts) and the emulator
 * (server, routes.ts), one POST per step of a Link session under {@link LINK_SESSIONS_PATH}. Real
 * Link talks to Plaid through its own iframe; this is our stand-in, so the server stays the source
 * of truth (eligibility, the one-time code, tokens) and the browser never sees more than real Link
 * would show (no full SSN, no access tokens).
 *
 * Bundled into the Link script: no imports but the contract's types.
 */
import type {
  LayerEligibilityEvent,
  PlaidAccount,
  PlaidInstitution,
  PlaidLinkError,
} from '../../contract/index.js';

/**
 * Where the protocol's routes live, under the emulator's mount prefix:
 *   POST {LINK_SESSIONS_PATH}                      StartRequest  → StartResponse
 *   POST {LINK_SESSIONS_PATH}/:id/submit           SubmitRequest → SubmitResponse
 *   POST {LINK_SESSIONS_PATH}/:id/open             {}            → OpenResponse
 *   POST {LINK_SESSIONS_PATH}/:id/verify           VerifyRequest → VerifyResponse
 *   POST {LINK_SESSIONS_PATH}/:id/share            ShareRequest  → ShareResponse
 *   POST {LINK_SESSIONS_PATH}/:id/resume           {}            → SharedResponse (after OAuth)
 *   POST {LINK_SESSIONS_PATH}/:id/exit             ExitRequest   → ExitResponse
 * `:id` is the `link_session_id`. Any non-2xx answer is an {@link ErrorResponse}.
 */
export const LINK_SESSIONS_PATH = '/emulator/link/sessions';

/**
 * When `onEvent` delivers the events that Plaid does not promise in real time (everything except
 * `OPEN` and the `LAYER_*` eligibility events; LAYER.md §4.4):
 * - `batched-after-callback` (the default): held, then delivered together after `onSuccess`/`onExit`
 *   returned, each in a later task — the reordering Plaid warns of and an integration must survive;
 * - `batched-before-callback`: held, then delivered together just before `onSuccess`/`onExit`;
 * - `realtime`: as they happen, so `EXIT`/`HANDOFF` precede `onExit`/`onSuccess`.
 * The contract's `EmulatorLinkSettings.eventTiming` (per page or handler) takes the same values.
 */
export const EVENT_TIMINGS = ['realtime', 'batched-before-callback', 'batched-after-callback'] as const;
export type EventTiming = (typeof EVENT_TIMINGS)[number];

/** Any non-2xx answer: Plaid's error body, plus the `link_session_id` once there is one. */
export interface ErrorResponse extends PlaidLinkError {
  request_id: string;
  link_session_id?: string;
}

export interface StartRequest {
  link_token: string;
  /** `receivedRedirectUri` from `Plaid.create`: the page URL an OAuth bank sent the user back to. */
  received_redirect_uri?: string | null;
}
export interface StartResponse {
  link_session_id: string;
  request_id: string;
  client_name: string;
  /** false for a `/link/token/create` token without the `layer` product. */
  layer: boolean;
  event_timing: EventTiming;
  /** The session came back from an OAuth bank: `open()` finishes it (`resume`). */
  oauth_resume: boolean;
}

export type SubmitRequest = { phone_number: string } | { date_of_birth: string };
export interface SubmitResponse {
  event: LayerEligibilityEvent;
  request_id: string;
}

export interface OpenResponse {
  request_id: string;
  /** The number the code was "sent" to, E.164. */
  phone_number: string;
}

export interface VerifyRequest {
  code: string;
}

export interface ReviewName {
  first_name: string;
  last_name: string;
}
export interface ReviewAddress {
  street: string | null;
  street2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
}

/** What the review step may show: the profile minus the full SSN. */
export interface ReviewProfile {
  phone_number: string;
  name: ReviewName | null;
  address: ReviewAddress | null;
  email: string | null;
  date_of_birth: string | null;
  ssn_last_4: string | null;
}

export interface ReviewAccount {
  id: string;
  name: string;
  mask: string;
  type: string;
  subtype: string;
  institution_id: string;
  institution_name: string;
  /** Sharing it sends the user to the bank's OAuth page first. */
  oauth: boolean;
}

export type VerifyResponse =
  | {
      result: 'verified';
      request_id: string;
      profile: ReviewProfile;
      accounts: ReviewAccount[];
      accounts_required: boolean;
      /** Whether the profile's email is shared (then the review step shows it). */
      returns_email: boolean;
    }
  | { result: 'invalid'; request_id: string; attempts_remaining: number; error: PlaidLinkError }
  | { result: 'failed'; request_id: string; error: PlaidLinkError };

/** The fields the user may edit before sharing. */
export type EditedProfile = Pick<ReviewProfile, 'name' | 'address' | 'email' | 'date_of_birth'>;

export interface ShareRequest {
  profile: EditedProfile;
  account_ids: string[];
}

/** The session finished: what `onSuccess` gets. */
export interface SharedResponse {
  result: 'shared';
  request_id: string;
  public_token: string;
  institution: PlaidInstitution | null;
  accounts: PlaidAccount[];
}

/** An OAuth bank must be visited first: Link sends the top window to `redirect_url` and back. */
export interface OAuthRedirectResponse {
  result: 'oauth';
  request_id: string;
  institution: PlaidInstitution;
  /** Stands in for the bank's page, which would send the user on to the token's `redirect_uri`. */
  redirect_url: string;
}

export type ShareResponse = SharedResponse | OAuthRedirectResponse;

export interface ExitRequest {
  /** The `status` `onExit` reports (`requires_code`, …), or null. */
  status: string | null;
}
export interface ExitResponse {
  request_id: string;
}
