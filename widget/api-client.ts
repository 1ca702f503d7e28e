// The two backend calls the widget makes (DESIGN.md §4). The session handle from `/link-token`
// goes back in a header, not a cookie, so a page on another site than the API works even where
// third-party cookies are blocked. `credentials: 'include'` still sends the partner's own cookies,
// for a `getUserId` that reads them.
import {
  API_ROUTES,
  SESSION_HANDLE_HEADER,
  type ErrorBody,
  type LayerErrorCode,
  type LinkTokenResponse,
  type SessionRequest,
  type SessionResponse,
} from '../contract/index.js';

import { DEV } from './dev.js';

/** A failed backend call, named after the backend's error code when it sent one. */
export class ApiRequestError extends Error {
  constructor(
    readonly code: LayerErrorCode,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
    // Only for a reader of the console: the widget catches its own errors and reports them as
    // `layer-error` details, which carry no error name.
    if (DEV) this.name = 'ApiRequestError';
  }
}

/**
 * A `/link-token` answer as the widget keeps it. `expiresAt`: when the token expires on this
 * browser's clock (epoch ms). Visitors' clocks are often hours off (a time zone set by hand), so
 * `expiration` (Plaid's clock) read against it would have a fresh token look expired, or an expired
 * one fresh.
 */
export interface ReceivedLinkToken extends LinkTokenResponse {
  expiresAt: number;
}

/**
 * `POST {api}/link-token`: a Link token and its session handle. A returning visitor sends its
 * previous handle to keep its identity; a first call sends the header empty-handed too, so a CORS
 * setup that would refuse it on `/session` fails here, before the visitor does any work.
 */
export function fetchLinkToken(
  api: string,
  previousHandle: string | null,
  now: () => number,
  signal?: AbortSignal,
): Promise<ReceivedLinkToken> {
  return postJson(
    joinUrl(api, API_ROUTES.linkToken),
    {},
    previousHandle ?? 'new',
    // The lifetime left as the server's clock (its Date header) tells it, from this moment on; by
    // the browser's own clock only where the header cannot be read.
    (payload, response) =>
      isLinkToken(payload) && {
        ...payload,
        expiresAt:
          now() - (Date.parse(response.headers.get('date')!) || now()) + Date.parse(payload.expiration),
      },
    signal,
  );
}

/** `POST {api}/session`: trades Link's public token for the browser-safe profile. */
export function fetchSession(
  api: string,
  publicToken: string,
  sessionHandle: string,
  signal?: AbortSignal,
): Promise<SessionResponse> {
  const body: SessionRequest = { public_token: publicToken };
  return postJson(
    joinUrl(api, API_ROUTES.session),
    body,
    sessionHandle,
    (payload) => isSession(payload) && payload,
    signal,
  );
}

// A 200 whose body is not what the route promises (a proxy's page, another app on that path) must
// end in `layer-error`, not in `Plaid.create()` without a token or `layer-success` without a profile.
function isLinkToken(payload: object): payload is LinkTokenResponse {
  const { link_token: linkToken, session_handle: handle } = payload as Partial<LinkTokenResponse>;
  return typeof linkToken === 'string' && linkToken !== '' && typeof handle === 'string' && handle !== '';
}

function isSession(payload: object): payload is SessionResponse {
  const { profile, items, token } = payload as Partial<SessionResponse>;
  return typeof profile === 'object' && profile !== null && Array.isArray(items) && typeof token === 'string';
}

function joinUrl(api: string, route: string): string {
  return `${api.replace(/\/+$/, '')}${route}`;
}

/** `read`: what the route promises, made of its JSON body (and the response), or false if that is not it. */
async function postJson<T extends object>(
  url: string,
  body: object,
  sessionHandle: string,
  read: (payload: object, response: Response) => T | false,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'include',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        [SESSION_HANDLE_HEADER]: sessionHandle,
      },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    // What to check (the api URL, the server, CORS) is a development warning (layer-flow.ts).
    throw new ApiRequestError('NETWORK_ERROR', `POST ${url} failed: ${String(error)}`, 0);
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as Partial<ErrorBody> | null)?.error;
    if (typeof error?.code !== 'string')
      throw new ApiRequestError(
        'HTTP_ERROR',
        `POST ${url} answered ${response.status} without an error body`,
        response.status,
      );
    throw new ApiRequestError(
      error.code,
      typeof error.message === 'string' ? error.message : `POST ${url} answered ${response.status}`,
      response.status,
      typeof error.request_id === 'string' ? error.request_id : undefined,
    );
  }
  const result = payload !== null && typeof payload === 'object' && read(payload, response);
  if (!result) {
    throw new ApiRequestError(
      'BAD_RESPONSE',
      `POST ${url} answered ${response.status} without the JSON body ${new URL(url, 'http://x').pathname} promises`,
      response.status,
    );
  }
  return result;
}
