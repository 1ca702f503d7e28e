/**
 * Shortcuts for tests of code that sits behind Link:
 *   POST /emulator/tokens/expire     { token }  a link or public token expires now
 *   POST /emulator/sessions/complete { link_token, phone_number, date_of_birth? }
 *     runs a whole Layer Link session as a user would (submit, open, code 123456, share every account,
 *     and for an OAuth bank the trip there and back) and answers { link_session_id, public_token }
 *     — webhooks included — with no browser.
 */
import { Hono } from 'hono';

import type { PlaidEnv } from '../api/plaid-request.js';
import type { EmulatorContext } from '../context.js';
import { reviewProfile } from '../link-protocol/shared-profile.js';
import { PlaidApiError } from '../plaid-error.js';
import { SANDBOX_OTP } from '../sandbox-users.js';
import { emulatorRequest } from './emulator-request.js';

export function sandboxRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();
  const { state, linkSessions, options } = ctx;

  app.post('/emulator/tokens/expire', emulatorRequest(ctx, '/emulator/tokens/expire'), (c) => {
    const { token } = c.var.body;
    const record =
      typeof token === 'string' ? (state.linkTokens.get(token) ?? state.publicTokens.get(token)) : undefined;
    if (!record)
      throw new PlaidApiError('INVALID_FIELD', { message: 'token must be a link or public token' });
    record.expiresAt = options.now();
    return c.json({ request_id: c.var.requestId }, 200);
  });

  app.post('/emulator/sessions/complete', emulatorRequest(ctx, '/emulator/sessions/complete'), (c) => {
    const { link_token: linkToken, phone_number: phoneNumber, date_of_birth: dateOfBirth } = c.var.body;
    if (typeof linkToken !== 'string' || typeof phoneNumber !== 'string')
      throw new PlaidApiError('MISSING_FIELDS', {
        message: 'the following required fields are missing: link_token, phone_number',
      });
    ctx.tidy();
    const { session } = linkSessions.start(linkToken);
    let { event } = linkSessions.submit(session.linkSessionId, { phone_number: phoneNumber });
    if (event === 'LAYER_NOT_AVAILABLE' && typeof dateOfBirth === 'string')
      ({ event } = linkSessions.submit(session.linkSessionId, { date_of_birth: dateOfBirth }));
    if (event !== 'LAYER_READY')
      throw new PlaidApiError(event, {
        type: 'INVALID_INPUT',
        status: 400,
        message: `Layer answered ${event}`,
      });
    linkSessions.open(session.linkSessionId);
    const verified = linkSessions.verify(session.linkSessionId, SANDBOX_OTP);
    if (verified.result !== 'verified') throw new PlaidApiError('INTERNAL_SERVER_ERROR');
    let shared = linkSessions.share(
      session.linkSessionId,
      reviewProfile(session.profile!, options.returnEmail),
      verified.accounts.map((account) => account.id),
    );
    if (shared.result === 'oauth') {
      linkSessions.start(linkToken, shared.redirect_url);
      shared = linkSessions.resume(session.linkSessionId);
    }
    return c.json(
      {
        link_session_id: session.linkSessionId,
        public_token: shared.public_token,
        request_id: c.var.requestId,
      },
      200,
    );
  });

  return app;
}
