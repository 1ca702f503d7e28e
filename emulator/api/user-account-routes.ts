/**
 * `POST /user_account/session/get` (what the user shared, for a public token from `onSuccess`;
 * LAYER.md §1.3) and `POST /user_account/session/event/send` (the partner's analytics events).
 */
import { Hono } from 'hono';
import type { UserAccountSessionEventSendResponse, UserAccountSessionGetResponse } from 'plaid';

import type { EmulatorContext } from '../context.js';
import { PlaidApiError } from '../plaid-error.js';
import type { PublicTokenRecord } from '../state.js';
import type { ObjectSpec } from './body-spec.js';
import { plaidRequest, type PlaidEnv } from './plaid-request.js';

/** From `UserAccountSessionGetRequest`. */
const SESSION_GET: ObjectSpec = { fields: { public_token: 'text' }, required: ['public_token'] };

/** From `UserAccountSessionEventSendRequest` and `UserAccountSessionEvent`. */
const EVENT_SEND: ObjectSpec = {
  fields: {
    link_session_id: 'text',
    cohort_id: 'string',
    event: {
      fields: { name: 'text', timestamp: 'date-time', outcome: 'string' },
      required: ['name', 'timestamp'],
    },
  },
  required: ['link_session_id', 'event'],
};

export function userAccountRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();

  app.post('/user_account/session/get', plaidRequest(ctx, '/user_account/session/get', SESSION_GET), (c) => {
    const record = redeem(ctx, c.var.body.public_token as string);
    const response: UserAccountSessionGetResponse = {
      identity: record.identity,
      items: record.items,
      identity_edit_history: record.editHistory,
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  // Plaid keeps these for its analytics; the emulator only checks their shape.
  app.post(
    '/user_account/session/event/send',
    plaidRequest(ctx, '/user_account/session/event/send', EVENT_SEND),
    (c) => {
      const response: UserAccountSessionEventSendResponse = { request_id: c.var.requestId };
      return c.json(response, 200);
    },
  );

  return app;
}

/** A public token works once, for 30 minutes. */
function redeem({ state, options }: EmulatorContext, publicToken: string): PublicTokenRecord {
  const record = state.publicTokens.get(publicToken);
  const invalid = (message: string) => new PlaidApiError('INVALID_PUBLIC_TOKEN', { message });
  if (!record) throw invalid('could not find matching public token');
  if (options.now() >= record.expiresAt) throw invalid('public token has expired');
  if (record.used) throw invalid('public token has already been used');
  record.used = true;
  return record;
}
