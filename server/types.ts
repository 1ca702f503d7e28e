// The backend's wire format (DESIGN.md §4): what the browser receives from createLayerApi. This file
// has no imports, so the widget can `import type` it under the browser tsconfig.

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
export const DEFAULT_PROFILE_FIELDS: readonly ProfileField[] = PROFILE_FIELDS.filter(
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
  email: string | null;
  /** `YYYY-MM-DD`. */
  date_of_birth: string | null;
  ssn_last_4: string | null;
  /** Nine digits; only when the integrator opted in with `profileFields: [..., 'ssn']`. */
  ssn?: string | null;
}

/** `POST /link-token` → 200. */
export interface LinkTokenResponse {
  link_token: string;
  /** ISO-8601. */
  expiration: string;
}

/** An Item the user shared, as the browser sees it: never its access token. */
export interface BrowserItem {
  item_id: string;
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

/** Every error answer of the backend. */
export interface ErrorBody {
  error: {
    /** UPPER_SNAKE, stable: program against it. */
    code: string;
    /** For developers; may change. */
    message: string;
    /** This request's id, also in the `X-Request-Id` header and the server's log line. */
    request_id: string;
    /** Plaid's `request_id` when the failure came from a Plaid call, for Plaid support. */
    plaid_request_id?: string;
  };
}
