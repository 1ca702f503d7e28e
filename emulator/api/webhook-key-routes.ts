/** `POST /webhook_verification_key/get`: the public key that verifies a webhook's JWT (LAYER.md §2.3). */
import { Hono } from 'hono';
import type { WebhookVerificationKeyGetResponse } from 'plaid';

import type { EmulatorContext } from '../context.js';
import { PlaidApiError } from '../plaid-error.js';
import type { ObjectSpec } from './body-spec.js';
import { plaidRequest, type PlaidEnv } from './plaid-request.js';

/** From `WebhookVerificationKeyGetRequest`. */
const SPEC: ObjectSpec = { fields: { key_id: 'text' }, required: ['key_id'] };

export function webhookKeyRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();

  app.post(
    '/webhook_verification_key/get',
    plaidRequest(ctx, '/webhook_verification_key/get', SPEC),
    async (c) => {
      const key = await ctx.signer.verificationKey(c.var.body.key_id as string);
      if (!key) throw new PlaidApiError('INVALID_WEBHOOK_VERIFICATION_KEY_ID');
      const response: WebhookVerificationKeyGetResponse = { key, request_id: c.var.requestId };
      return c.json(response, 200);
    },
  );

  return app;
}
