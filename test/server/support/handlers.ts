/** The happy path of every Plaid call the backend makes; tests override with `server.use()`. */
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';

import {
  LINK_EXPIRATION,
  LINK_TOKEN,
  PLAID_BASE,
  PUBLIC_TOKEN,
  SESSION_GET_RESPONSE,
  plaidError,
} from './plaid-fixtures.js';
import type { WebhookSigner } from './webhook-signer.js';

export function plaidHandlers(signer: WebhookSigner) {
  return [
    http.post(`${PLAID_BASE}/session/token/create`, () =>
      HttpResponse.json({
        link: { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION },
        request_id: 'XQVgFigpGHXkb0b',
      }),
    ),
    http.post(`${PLAID_BASE}/user_account/session/get`, async ({ request }) => {
      const { public_token } = (await request.json()) as { public_token?: string };
      if (public_token !== PUBLIC_TOKEN)
        return HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_PUBLIC_TOKEN'), { status: 400 });
      return HttpResponse.json(SESSION_GET_RESPONSE);
    }),
    http.post(`${PLAID_BASE}/webhook_verification_key/get`, async ({ request }) => {
      const { key_id } = (await request.json()) as { key_id?: string };
      if (key_id !== signer.kid)
        return HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_WEBHOOK_VERIFICATION_KEY_ID'), {
          status: 400,
        });
      return HttpResponse.json({ key: signer.jwk, request_id: 'keyReqID0000001' });
    }),
  ];
}

export interface SessionTokenCreateBody {
  template_id: string;
  user: { client_user_id: string };
  webhook?: string;
  redirect_uri?: string;
}

/**
 * Overrides `/session/token/create` to answer a new Link token each time (expiring as `expiration`
 * says, the fixture's date by default) and records every request body, as Plaid received it.
 */
export function recordLinkTokens(server: SetupServer, expiration: () => string = () => LINK_EXPIRATION) {
  const requests: SessionTokenCreateBody[] = [];
  const tokens: string[] = [];
  server.use(
    http.post(`${PLAID_BASE}/session/token/create`, async ({ request }) => {
      requests.push((await request.json()) as SessionTokenCreateBody);
      const link_token = `link-sandbox-${crypto.randomUUID()}`;
      tokens.push(link_token);
      return HttpResponse.json({
        link: { link_token, expiration: expiration() },
        request_id: 'reqLinkToken01',
      });
    }),
  );
  return {
    requests,
    tokens,
    /** The `client_user_id` of each request, in order. */
    clientUserIds: () => requests.map((body) => body.user.client_user_id),
  };
}
