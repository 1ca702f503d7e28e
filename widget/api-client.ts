// The two backend calls the widget makes (DESIGN.md §4). Requests carry credentials so the
// session cookie works when the API lives on another origin than the page.
import type { ErrorBody, LinkTokenResponse, SessionResponse } from '../server/types.js';

/** A failed backend call, named after the backend's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `POST {api}/link-token`: a Link token for this visitor. */
export function fetchLinkToken(api: string, signal?: AbortSignal): Promise<LinkTokenResponse> {
  return postJson(joinUrl(api, 'link-token'), {}, isLinkToken, signal);
}

/** `POST {api}/session`: trades Link's public token for the browser-safe profile. */
export function fetchSession(
  api: string,
  publicToken: string,
  signal?: AbortSignal,
): Promise<SessionResponse> {
  return postJson(joinUrl(api, 'session'), { public_token: publicToken }, isSession, signal);
}

// A 200 whose body is not what the route promises (a proxy's page, another app on that path) must
// end in `layer-error`, not in `Plaid.create()` without a token or `layer-success` without a profile.
function isLinkToken(payload: object): payload is LinkTokenResponse {
  const { link_token: linkToken } = payload as Partial<LinkTokenResponse>;
  return typeof linkToken === 'string' && linkToken !== '';
}

function isSession(payload: object): payload is SessionResponse {
  const { profile, items, token } = payload as Partial<SessionResponse>;
  return typeof profile === 'object' && profile !== null && Array.isArray(items) && typeof token === 'string';
}

function joinUrl(api: string, route: string): string {
  return `${api.replace(/\/+$/, '')}/${route}`;
}

async function postJson<T extends object>(
  url: string,
  body: object,
  isExpected: (payload: object) => payload is T,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError('NETWORK_ERROR', `POST ${url} failed: ${String(error)}`, 0);
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as Partial<ErrorBody> | null)?.error;
    throw new ApiError(
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `POST ${url} answered ${response.status}`,
      response.status,
      error?.request_id,
    );
  }
  if (payload === null || typeof payload !== 'object') {
    throw new ApiError(
      'BAD_RESPONSE',
      `POST ${url} answered ${response.status} without a JSON body`,
      response.status,
    );
  }
  if (!isExpected(payload)) {
    throw new ApiError(
      'BAD_RESPONSE',
      `POST ${url} answered ${response.status} with an unexpected JSON body`,
      response.status,
    );
  }
  return payload;
}
