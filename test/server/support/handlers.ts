/** The happy path of every Plaid call the backend makes; tests override with `server.use()`. */
import { http, HttpResponse } from 'msw';

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
