import { Hono } from 'hono';

import { API_ROUTES, SESSION_HANDLE_HEADER, type SessionResponse } from '../../contract/index.js';
import type { LayerApiEnv } from '../app-env.js';
import { sha256Hex } from '../crypto.js';
import { LayerApiError } from '../errors.js';
import { badPlaidResponse, callPlaid } from '../plaid-client.js';
import { signProfileToken, toBrowserItems, toBrowserProfile } from '../profile.js';
import { enforceRateLimit } from '../rate-limit.js';
import { readJsonObject } from '../request-guards.js';
import { PENDING_EXCHANGE_MS, USED_PUBLIC_TOKEN_MS, storeKeys } from '../store-keys.js';
import type { RouteDeps } from './deps.js';

/** Visible ASCII, as Plaid's tokens are; generous on length, since the format is Plaid's. */
const PUBLIC_TOKEN = /^[\x21-\x7e]{1,512}$/;

/**
 * `POST /session`: exchanges Link's public token for the profile, once.
 *
 * Binding. A public token cannot be traced to its Link token before Plaid is asked, so:
 * - the caller must present the session handle `/link-token` gave it (401 otherwise), and with
 *   `getUserId` be the user it was issued to (403);
 * - if a verified SESSION_FINISHED webhook already named the Link token behind this public token,
 *   it must be the handle's Link token (403 otherwise);
 * - each public token is exchanged at most once (409 on replay, also while an exchange is running).
 * The exchange is never retried: Plaid is asked exactly once per accepted request.
 */
export function sessionRoute({ options, visitors, handles }: RouteDeps) {
  const { plaid, store, now } = options;

  return new Hono<LayerApiEnv>().post(API_ROUTES.session, async (c) => {
    const body = await readJsonObject(c);
    const publicToken = body.public_token;
    if (publicToken === undefined)
      throw new LayerApiError(
        'MISSING_PUBLIC_TOKEN',
        'The body needs public_token, the token from Link onSuccess.',
      );
    if (typeof publicToken !== 'string' || !PUBLIC_TOKEN.test(publicToken))
      throw new LayerApiError(
        'INVALID_PUBLIC_TOKEN_FORMAT',
        'public_token must be the string Link gave onSuccess.',
      );

    const presented = c.req.header(SESSION_HANDLE_HEADER);
    if (!presented)
      throw new LayerApiError(
        'SESSION_HANDLE_MISSING',
        `Send the session_handle from ${API_ROUTES.linkToken} in the ${SESSION_HANDLE_HEADER} header.`,
        {
          log: {
            handle: 'missing',
            hint: `the widget sends the ${SESSION_HANDLE_HEADER} header: a proxy in between must pass it on`,
          },
        },
      );
    const handle = await handles.read(presented);
    const visitor = await visitors.identify(c, handle);
    if (visitor.pseudonym !== handle.visitor)
      throw new LayerApiError('WRONG_SESSION', 'This session handle was issued to another user.', {
        log: {
          handle: 'issued to another user',
          hint: 'getUserId must name the same user on /link-token and /session',
        },
      });
    await enforceRateLimit(
      store,
      storeKeys.sessionPerVisitor(visitor.pseudonym),
      options.rateLimits.sessionPerVisitor,
      now,
      'sessionPerVisitor',
    );

    const tokenHash = await sha256Hex(publicToken);
    const source = await store.get(storeKeys.publicTokenSource(tokenHash));
    if (source !== undefined && source !== handle.linkTokenHash)
      throw new LayerApiError(
        'WRONG_SESSION',
        'This public token came from another visitor’s Link session.',
        {
          log: { handle: 'public token from another Link token' },
        },
      );
    const claim = storeKeys.publicToken(tokenHash);
    if (!(await store.add(claim, 'pending', PENDING_EXCHANGE_MS)))
      throw new LayerApiError('PUBLIC_TOKEN_ALREADY_USED', 'This public token was already exchanged.');

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
          ...(visitor.anonymous ? {} : { userId: visitor.userId }),
          now: now(),
          ttlSeconds: options.profileTokenTtlSeconds,
        },
        options.sessionSecret,
      );
      try {
        await options.onSession({
          userId: visitor.userId,
          anonymous: visitor.anonymous,
          identity,
          items: result.items,
          identityEditHistory: result.identity_edit_history ?? null,
          plaidRequestId: result.request_id,
          context: c,
        });
      } catch {
        throw new LayerApiError('SESSION_HANDLER_FAILED', 'The server could not record this session.');
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
