/**
 * The contract every part of layer-onboarding shares: the backend's routes and wire types, every
 * error code the backend and the widget can produce, the fallback reasons, and the surface of Plaid
 * Link's web SDK (`link-initialize.js`) that the widget drives and the emulator implements.
 *
 * This module has no imports and no side effects, so the widget (browser), the server (any
 * runtime), the emulator and the test doubles can all import it; ESLint keeps it that way. Change a
 * name here and every user fails to compile — that is the point.
 */

// ── routes ───────────────────────────────────────────────────────────────────────────────────────

/** Where `npm start` mounts the API, and the element's default `api`. */
export const DEFAULT_API_BASE = '/api/layer';

/** The backend's routes, relative to where it is mounted. All are `POST`. */
export const API_ROUTES = {
  linkToken: '/link-token',
  session: '/session',
  webhook: '/webhook',
} as const;

/**
 * The request header that carries the session handle from `POST /link-token` back to
 * `POST /session` (and to later `/link-token` calls of the same visitor). A header, not a cookie:
 * the page may be on another site than the API, in a browser that blocks third-party cookies.
 */
export const SESSION_HANDLE_HEADER = 'Layer-Session';

// ── wire types ───────────────────────────────────────────────────────────────────────────────────

/** Identity fields that may be exposed to the browser; `ssn` only when the integrator opts in. */
export const PROFILE_FIELDS = [
  'name',
  'address',
  'phone_number',
  'email',
  'date_of_birth',
  'ssn_last_4',
  'ssn',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** The fields exposed when the integrator does not choose: everything but the full SSN. */
// Pure: dropped from the widget's bundle, which does not use it.
export const DEFAULT_PROFILE_FIELDS: readonly ProfileField[] = /* @__PURE__ */ PROFILE_FIELDS.filter(
  (field) => field !== 'ssn',
);

export interface BrowserName {
  first_name: string | null;
  last_name: string | null;
}

export interface BrowserAddress {
  street: string | null;
  street2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
}

/**
 * The browser-safe profile. A field is `null` when the user has no such data or when the
 * integrator left it out of `profileFields`. `ssn` is present only when `profileFields` lists it.
 */
export interface BrowserProfile {
  name: BrowserName | null;
  address: BrowserAddress | null;
  /** E.164; `null` only when Plaid returned no identity at all (or the field is not exposed). */
  phone_number: string | null;
  /** Plaid does not return email yet ("currently not returned"); expect `null`. */
  email: string | null;
  /** `YYYY-MM-DD`. */
  date_of_birth: string | null;
  ssn_last_4: string | null;
  /** Nine digits; only when the integrator opted in with `profileFields: [..., 'ssn']`. */
  ssn?: string | null;
}

/** An Item the user shared, as the browser sees it: never its access token. */
export interface BrowserItem {
  item_id: string;
}

/** `POST /link-token` body. */
export type LinkTokenRequest = Record<string, never>;

/** `POST /link-token` → 200. */
export interface LinkTokenResponse {
  link_token: string;
  /** ISO-8601. */
  expiration: string;
  /**
   * Signed, short-lived, bound to `link_token`: send it back in the {@link SESSION_HANDLE_HEADER}
   * header on `POST /session`. Opaque to the browser.
   */
  session_handle: string;
}

/** `POST /session` body (plus the {@link SESSION_HANDLE_HEADER} header). */
export interface SessionRequest {
  public_token: string;
}

/** `POST /session` → 200. */
export interface SessionResponse {
  profile: BrowserProfile;
  items: BrowserItem[];
  /** A short-lived signed JWT carrying `profile` and `items`; check it with `verifyProfileToken`. */
  token: string;
}

/** `POST /webhook` → 200. */
export interface WebhookResponse {
  received: true;
}

// ── errors ───────────────────────────────────────────────────────────────────────────────────────

/**
 * What the visitor is told about an error, by kind: the widget has one message per kind, in each
 * language. `retry`: trying again soon may work; `session`: start over in this page; `setup`: the
 * integration is misconfigured (the console says how to fix it); `unavailable`: Plaid or the
 * backend cannot serve this now.
 */
export const ERROR_KINDS = ['retry', 'session', 'setup', 'unavailable'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

interface ErrorSpec {
  /** The HTTP status the backend answers with. */
  readonly status: number;
  readonly kind: ErrorKind;
}

/**
 * Every `error.code` the backend can send, with its status and kind. `{ error: { code, message,
 * request_id } }` is the body of every non-2xx answer. When each happens is in the README's error
 * table (a test keeps the two in step); it is not repeated here so the widget's bundle stays small.
 */
export const API_ERRORS = {
  INVALID_JSON: { status: 400, kind: 'setup' }, // the body is not valid JSON
  INVALID_BODY: { status: 400, kind: 'setup' }, // the body is not a JSON object, or lacks a field
  MISSING_PUBLIC_TOKEN: { status: 400, kind: 'setup' }, // `POST /session` without `public_token`
  INVALID_PUBLIC_TOKEN_FORMAT: { status: 400, kind: 'setup' }, // `public_token` is not a string Link could have produced
  NO_SESSION: { status: 401, kind: 'session' }, // `getUserId` found no signed-in user
  SESSION_HANDLE_MISSING: { status: 401, kind: 'session' }, // `POST /session` without the `Layer-Session` header from `/link-token`
  SESSION_HANDLE_INVALID: { status: 401, kind: 'session' }, // the `Layer-Session` header is not one this server signed (tampered, or another secret)
  SESSION_HANDLE_EXPIRED: { status: 401, kind: 'session' }, // the session handle outlived its Link token
  WEBHOOK_VERIFICATION_FAILED: { status: 401, kind: 'setup' }, // a webhook without a valid `Plaid-Verification` signature
  ORIGIN_NOT_ALLOWED: { status: 403, kind: 'setup' }, // the page’s origin is not in `allowedOrigins` (`ALLOWED_ORIGINS`)
  WRONG_SESSION: { status: 403, kind: 'session' }, // the public token came from another visitor’s Link token, or the handle belongs to another user
  NOT_FOUND: { status: 404, kind: 'setup' }, // no such route or method under the API
  PUBLIC_TOKEN_ALREADY_USED: { status: 409, kind: 'session' }, // the public token was already exchanged
  BODY_TOO_LARGE: { status: 413, kind: 'setup' }, // the body is larger than `bodyLimitBytes`
  UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: 'setup' }, // the body is not sent as `application/json`, or is sent compressed
  INVALID_PUBLIC_TOKEN: { status: 422, kind: 'session' }, // Plaid does not know the public token, or it expired (30 minutes)
  RATE_LIMITED: { status: 429, kind: 'retry' }, // too many requests from this visitor or address
  PLAID_RATE_LIMITED: { status: 429, kind: 'retry' }, // Plaid is rate limiting this service
  INTERNAL_ERROR: { status: 500, kind: 'unavailable' }, // a bug in the backend
  SESSION_HANDLER_FAILED: { status: 500, kind: 'unavailable' }, // the integrator’s `onSession` threw
  WEBHOOK_HANDLER_FAILED: { status: 500, kind: 'unavailable' }, // the integrator’s `onWebhook` threw
  PLAID_ERROR: { status: 502, kind: 'unavailable' }, // Plaid answered with a 5xx
  PLAID_BAD_RESPONSE: { status: 502, kind: 'unavailable' }, // Plaid’s answer lacked what it promises
  PLAID_REQUEST_REJECTED: { status: 502, kind: 'unavailable' }, // Plaid refused the request: keys, template or `redirect_uri` are wrong
  PLAID_TIMEOUT: { status: 503, kind: 'unavailable' }, // Plaid did not answer within `timeoutMs` (or `linkTokenDeadlineMs`), or a proxy answered 408
  PLAID_UNREACHABLE: { status: 503, kind: 'unavailable' }, // Plaid could not be reached
  PLAID_UNAVAILABLE: { status: 503, kind: 'unavailable' }, // Plaid answered 503, or PLANNED_MAINTENANCE
  STORE_UNAVAILABLE: { status: 503, kind: 'unavailable' }, // the shared store (Redis) did not answer in time or cannot be reached
  SESSION_NOT_CONFIRMED: { status: 503, kind: 'retry' }, // with `requireWebhookBinding`, SESSION_FINISHED for the public token did not arrive in time
} as const satisfies Record<string, ErrorSpec>;

export type ApiErrorCode = keyof typeof API_ERRORS;
export const API_ERROR_CODES = /* @__PURE__ */ Object.keys(API_ERRORS) as ApiErrorCode[];

/** The widget's own failures, beside the backend's codes and Link's `error_code`s. */
export const WIDGET_ERRORS = {
  NETWORK_ERROR: { kind: 'unavailable' }, // the API could not be reached: offline, wrong `api`, or refused by CORS
  HTTP_ERROR: { kind: 'unavailable' }, // the API answered an error without the error body (a proxy page)
  BAD_RESPONSE: { kind: 'setup' }, // the API answered 200 without the body the route promises
  TIMEOUT: { kind: 'retry' }, // `POST {api}/session` did not answer within 30 s, or Link not loaded within 25 s
  SCRIPT_LOAD_FAILED: { kind: 'unavailable' }, // Plaid Link’s script did not load (twice)
  LINK_CREATE_FAILED: { kind: 'unavailable' }, // `Plaid.create()` threw
  UNEXPECTED_ERROR: { kind: 'unavailable' }, // a bug in the widget
} as const satisfies Record<string, Omit<ErrorSpec, 'status'>>;

export type WidgetErrorCode = keyof typeof WIDGET_ERRORS;
export const WIDGET_ERROR_CODES = /* @__PURE__ */ Object.keys(WIDGET_ERRORS) as WidgetErrorCode[];

/**
 * `layer-error`'s `code`: the backend's, the widget's own, or the `error_code` of an error Link
 * ended with (e.g. `INVALID_LINK_TOKEN` after a failed recovery).
 */
export type LayerErrorCode = ApiErrorCode | WidgetErrorCode | (string & {});

/** Every error answer of the backend. */
export interface ErrorBody {
  error: {
    /** UPPER_SNAKE, stable: program against it. */
    code: ApiErrorCode;
    /** For developers; may change. */
    message: string;
    /** This request's id, also in the `X-Request-Id` header and the server's log line. */
    request_id: string;
    /** Plaid's `request_id` when the failure came from a Plaid call, for Plaid support. */
    plaid_request_id?: string;
  };
}

// ── fallback ─────────────────────────────────────────────────────────────────────────────────────

/** Why Layer could not serve this visitor, in `layer-fallback`: the partner's own form takes over. */
export const FALLBACK_REASONS = [
  'not_eligible',
  'autofill_not_available',
  'authentication_failed',
  'exit',
  'timeout',
  'error',
  'unsupported_environment',
] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

// ── Plaid Link's web SDK ────────────────────────────────────────────────────────────────────────
// `window.Plaid` as Plaid documents it (../shared/plaid/LAYER.md §4; react-plaid-link's types).

export const DEFAULT_LINK_SCRIPT_SRC = 'https://cdn.plaid.com/link/v2/stable/link-initialize.js';

/** Link's script path on Plaid's CDN, and on the emulator under its mount prefix. */
export const LINK_SCRIPT_PATH = '/link/v2/stable/link-initialize.js';

/** Link's real-time answers to `submit()`; every other event may arrive late, batched. */
export const LAYER_ELIGIBILITY_EVENTS = [
  'LAYER_READY',
  'LAYER_NOT_AVAILABLE',
  'LAYER_AUTOFILL_NOT_AVAILABLE',
] as const;
export type LayerEligibilityEvent = (typeof LAYER_ELIGIBILITY_EVENTS)[number];

/** Events Plaid delivers as they happen; the rest may come at the end, around `onSuccess`/`onExit`. */
export const REALTIME_LINK_EVENTS: readonly string[] = ['OPEN', ...LAYER_ELIGIBILITY_EVENTS];

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

export interface PlaidAccount {
  id: string;
  name: string;
  mask: string | null;
  type: string;
  subtype: string;
  verification_status: string | null;
  class_type: string | null;
}

/**
 * `onEvent` metadata. Link sends every key (`null` where it has no value) and may add keys; an
 * integration reads it defensively.
 */
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

export interface PlaidLinkOnSuccessMetadata {
  institution: PlaidInstitution | null;
  accounts: PlaidAccount[];
  link_session_id: string;
}

export interface PlaidLinkOnExitMetadata {
  institution: PlaidInstitution | null;
  status: string | null;
  link_session_id: string;
  request_id: string;
}

/** Emulator-only knobs; real Link ignores unknown keys, so passing them is harmless there. */
export interface EmulatorLinkSettings {
  /** When the non-real-time events arrive; see the emulator's `eventTiming` option. */
  eventTiming?: 'realtime' | 'batched-before-callback' | 'batched-after-callback';
}

/** `Plaid.create(config)`. */
export interface PlaidLinkOptions {
  token: string | null;
  onSuccess: (publicToken: string, metadata: PlaidLinkOnSuccessMetadata) => void;
  onExit?: (error: PlaidLinkError | null, metadata: PlaidLinkOnExitMetadata) => void;
  onEvent?: (eventName: string, metadata: PlaidLinkOnEventMetadata) => void;
  onLoad?: () => void;
  /** Only when re-creating the handler after an OAuth redirect: the full return URL. */
  receivedRedirectUri?: string | null;
  emulator?: EmulatorLinkSettings;
}

/** Layer's `submit()`: a phone number or a date of birth, never both. */
export type PlaidSubmitData =
  { phone_number: string; date_of_birth?: never } | { date_of_birth: string; phone_number?: never };

/** What `Plaid.create()` returns. */
export interface PlaidHandler {
  open: () => void;
  exit: (options?: { force?: boolean }) => void;
  submit: (data: PlaidSubmitData) => void;
  destroy: () => void;
}

/** `window.Plaid`. */
export interface PlaidGlobal {
  create: (config: PlaidLinkOptions) => PlaidHandler;
  /** Embedded Institution Search into `target`, an element of the page. */
  createEmbedded?: (config: PlaidLinkOptions, target: unknown) => PlaidHandler;
  version?: string;
}
