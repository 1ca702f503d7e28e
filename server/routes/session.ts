import { Hono } from 'hono';

import type { LayerApiEnv } from '../app-env.js';
import { sha256Hex } from '../crypto.js';
import { ApiError } from '../errors.js';
import { badPlaidResponse, callPlaid } from '../plaid-client.js';
import { signProfileToken, toBrowserItems, toBrowserProfile } from '../profile.js';
import { enforceRateLimit } from '../rate-limit.js';
import { readJsonObject } from '../request-guards.js';
import { PENDING_EXCHANGE_MS, USED_PUBLIC_TOKEN_MS, storeKeys } from '../store-keys.js';
import type { SessionResponse } from '../types.js';
import type { RouteDeps } from './deps.js';

/** Visible ASCII, as Plaid's tokens are; generous on length, since the format is Plaid's. */
const PUBLIC_TOKEN = /^[\x21-\x7e]{1,512}$/;

/**
 * `POST /session`: exchanges Link's public token for the profile, once.
 *
 * Binding. A public token cannot be traced to its Link token before Plaid is asked, so:
 * - the caller must be a session (cookie or `getUserId`) holding a live grant, given when that same
 *   session obtained a Link token (401 otherwise);
 * - if a verified SESSION_FINISHED webhook already named the Link token behind this public token,
 *   that Link token must have been issued to this session (403 otherwise);
 * - each public token is exchanged at most once (409 on replay, also while an exchange is running).
 * The exchange is never retried: Plaid is asked exactly once per accepted request.
 */
export function sessionRoute({ options, sessions }: RouteDeps) {
  const { plaid, store, now } = options;

  return new Hono<LayerApiEnv>().post('/session', async (c) => {
    const body = await readJsonObject(c);
    const publicToken = body.public_token;
    if (publicToken === undefined)
      throw new ApiError(
        400,
        'MISSING_PUBLIC_TOKEN',
        'The body needs public_token, the token from Link onSuccess.',
      );
    if (typeof publicToken !== 'string' || !PUBLIC_TOKEN.test(publicToken))
      throw new ApiError(
        400,
        'INVALID_PUBLIC_TOKEN_FORMAT',
        'public_token must be the string Link gave onSuccess.',
      );

    const session = await sessions.require(c, { create: false });
    if (!(await store.get(storeKeys.grant(session.pseudonym))))
      throw new ApiError(
        401,
        'NO_LINK_TOKEN',
        'This session has no current Link token: request one from /link-token in this browser first.',
      );
    await enforceRateLimit(
      store,
      storeKeys.sessionPerSession(session.pseudonym),
      options.rateLimits.sessionPerSession,
      now,
    );

    const tokenHash = await sha256Hex(publicToken);
    const owner = await store.get(storeKeys.publicTokenOwner(tokenHash));
    if (owner !== undefined && owner !== session.pseudonym)
      throw new ApiError(403, 'WRONG_SESSION', 'This public token belongs to another session.');
    const claim = storeKeys.publicToken(tokenHash);
    if (!(await store.add(claim, 'pending', PENDING_EXCHANGE_MS)))
      throw new ApiError(409, 'PUBLIC_TOKEN_ALREADY_USED', 'This public token was already exchanged.');

    let response: SessionResponse;
    try {
      const result = await callPlaid(
        (request) => plaid.userAccountSessionGet({ public_token: publicToken }, request),
        { timeoutMs: options.timeoutMs, retries: 0 },
      );
      if (!result || typeof result !== 'object' || !Array.isArray(result.items))
        throw badPlaidResponse('items', result?.request_id);
      const identity = result.identity ?? null;
      const profile = toBrowserProfile(identity, options.profileFields);
      const items = toBrowserItems(result.items);
      const token = await signProfileToken(
        {
          profile,
          items,
          ...(session.anonymous ? {} : { userId: session.userId }),
          now: now(),
          ttlSeconds: options.profileTokenTtlSeconds,
        },
        options.sessionSecret,
      );
      try {
        await options.onSession({
          userId: session.userId,
          anonymous: session.anonymous,
          identity,
          items: result.items,
          identityEditHistory: result.identity_edit_history ?? null,
          plaidRequestId: result.request_id,
          context: c,
        });
      } catch {
        throw new ApiError(500, 'SESSION_HANDLER_FAILED', 'The server could not record this session.');
      }
      response = { profile, items, token };
    } catch (error) {
      // Nothing was handed out: let the user try again with the same token.
      await store.delete(claim);
      throw error;
    }
    await store.set(claim, 'used', USED_PUBLIC_TOKEN_MS);
    return c.json<SessionResponse, 200>(response, 200);
  });
}
