// The backend's wire format (DESIGN.md §4), as the widget sees it.
// TODO: replace with `import type { … } from '../server/index.js'` once the backend exports these
// types and they type-check under the browser tsconfig.

/** The browser-safe profile: no access tokens, no full SSN unless the integrator opted in. */
export interface BrowserProfile {
  name: { first_name: string | null; last_name: string | null } | null;
  address: {
    street: string | null;
    street2: string | null;
    city: string | null;
    region: string | null;
    postal_code: string | null;
    country: string | null;
  } | null;
  phone_number: string;
  email: string | null;
  date_of_birth: string | null;
  ssn_last_4: string | null;
}

/** `POST {api}/link-token` → 200. */
export interface LinkTokenResponse {
  link_token: string;
  /** ISO-8601. */
  expiration: string;
}

/** `POST {api}/session` → 200. */
export interface SessionResponse {
  profile: BrowserProfile;
  items: { item_id: string }[];
  /** Short-lived signed JWT carrying the same profile, for the partner's back end to verify. */
  token: string;
}

/** Every error answer of the backend. */
export interface ErrorBody {
  error: { code: string; message: string; request_id: string };
}
