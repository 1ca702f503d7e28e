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
  return postJson<LinkTokenResponse>(joinUrl(api, 'link-token'), {}, signal);
}

/** `POST {api}/session`: trades Link's public token for the browser-safe profile. */
export function fetchSession(
  api: string,
  publicToken: string,
  signal?: AbortSignal,
): Promise<SessionResponse> {
  return postJson<SessionResponse>(joinUrl(api, 'session'), { public_token: publicToken }, signal);
}

function joinUrl(api: string, route: string): string {
  return `${api.replace(/\/+$/, '')}/${route}`;
}

async function postJson<T>(url: string, body: object, signal?: AbortSignal): Promise<T> {
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
  return payload as T;
}
