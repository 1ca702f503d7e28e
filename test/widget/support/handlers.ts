// The backend's happy path (DESIGN.md §4) for MSW; tests override a route with `worker.use()`.
import { http, HttpResponse, isCommonAssetRequest, type UnhandledRequestCallback } from 'msw';

import type { BrowserProfile, ErrorBody, LinkTokenResponse, SessionResponse } from '../../../contract/index.js';

export const API = '/api/layer';

export const PROFILE: BrowserProfile = {
  name: { first_name: 'Leslie', last_name: 'Knope' },
  address: {
    street: '123 Main St.',
    street2: null,
    city: 'Pawnee',
    region: 'IN',
    postal_code: '41006',
    country: 'US',
  },
  phone_number: '+14155550011',
  email: 'leslie@knope.com',
  date_of_birth: '1975-01-18',
  ssn_last_4: '4321',
};

export const PROFILE_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.profile.signature';

let tokens = 0;

/** A fresh Link token per request (tokens are single-use outside Sandbox), valid for 4 hours. */
export function linkToken(now = Date.now(), lifetimeMs = 4 * 3600_000): LinkTokenResponse {
  tokens += 1;
  return {
    link_token: `link-sandbox-test-${tokens}`,
    expiration: new Date(now + lifetimeMs).toISOString(),
  };
}

export function errorBody(code: string, message: string, requestId = 'req-test-1'): ErrorBody {
  return { error: { code, message, request_id: requestId } };
}

/** Public tokens already exchanged: a second exchange answers 409, as the backend does. */
const usedPublicTokens = new Set<string>();

export const handlers = [
  http.post(`${API}/link-token`, () => HttpResponse.json(linkToken(), { status: 200 })),
  http.post(`${API}/session`, async ({ request }) => {
    const body = (await request.json()) as { public_token?: string };
    if (!body.public_token)
      return HttpResponse.json(errorBody('BAD_REQUEST', 'public_token missing'), { status: 400 });
    if (usedPublicTokens.has(body.public_token))
      return HttpResponse.json(errorBody('PUBLIC_TOKEN_USED', 'public token already used'), { status: 409 });
    usedPublicTokens.add(body.public_token);
    const session: SessionResponse = {
      profile: PROFILE,
      items: [{ item_id: 'item-1' }],
      token: PROFILE_TOKEN,
    };
    return HttpResponse.json(session, { status: 200 });
  }),
];

/** Anything not mocked fails the test, except static files and the emulator at /plaid. */
export const onUnhandledRequest: UnhandledRequestCallback = (request, print) => {
  const url = new URL(request.url);
  if (url.pathname.startsWith('/plaid/') || isCommonAssetRequest(request)) return;
  print.error();
};
