/**
 * `POST /emulator/webhook-keys/rotate`: retires the webhook signing key and starts signing with a
 * new one, as Plaid rotates its keys. The retired key keeps answering
 * `/webhook_verification_key/get`, with `expired_at` set. Answers `{ kid, retired_kid, request_id }`.
 */
import { Hono } from 'hono';

import type { PlaidEnv } from '../api/plaid-request.js';
import type { EmulatorContext } from '../context.js';
import { emulatorRequest } from './emulator-request.js';

export const ROTATE_WEBHOOK_KEY_PATH = '/emulator/webhook-keys/rotate';

export function webhookKeyControlRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();

  app.post(ROTATE_WEBHOOK_KEY_PATH, emulatorRequest(ctx, ROTATE_WEBHOOK_KEY_PATH), async (c) => {
    const { kid, retiredKid } = await ctx.signer.rotate();
    return c.json({ kid, retired_kid: retiredKid, request_id: c.var.requestId }, 200);
  });

  return app;
}
