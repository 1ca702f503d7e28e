import { Hono } from 'hono';

import type { LayerApiEnv } from '../app-env.js';
import { sha256Hex } from '../crypto.js';
import { badPlaidResponse, callPlaid } from '../plaid-client.js';
import { enforceRateLimit } from '../rate-limit.js';
import { readJsonObject } from '../request-guards.js';
import { MAX_GRANT_MS, storeKeys } from '../store-keys.js';
import type { LinkTokenResponse } from '../types.js';
import type { RouteDeps } from './deps.js';

/** A grant shorter than this would expire before the user finishes Link. */
const MIN_GRANT_MS = 60 * 1000;

/**
 * `POST /link-token`: a Layer Link token for this session. The session is remembered as the one
 * allowed to exchange the public tokens that come back (see routes/session.ts).
 */
export function linkTokenRoute({ options, sessions }: RouteDeps) {
  const { plaid, store, now, rateLimits } = options;

  return new Hono<LayerApiEnv>().post('/link-token', async (c) => {
    await readJsonObject(c, { allowEmpty: true });
    const address = options.getClientAddress(c);
    if (address)
      await enforceRateLimit(
        store,
        storeKeys.linkTokenPerAddress(await sessions.pseudonymize(`address:${address}`)),
        rateLimits.linkTokenPerAddress,
        now,
      );
    const session = await sessions.require(c, { create: true });
    await enforceRateLimit(
      store,
      storeKeys.linkTokenPerSession(session.pseudonym),
      rateLimits.linkTokenPerSession,
      now,
    );

    const response = await callPlaid(
      (request) =>
        plaid.sessionTokenCreate(
          {
            template_id: options.templateId,
            user: { client_user_id: session.pseudonym },
            ...(options.webhookUrl ? { webhook: options.webhookUrl } : {}),
            ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
          },
          request,
        ),
      { timeoutMs: options.timeoutMs, retries: options.retries, retryDelayMs: options.retryDelayMs },
    );
    const link = response?.link;
    if (typeof link?.link_token !== 'string' || typeof link.expiration !== 'string')
      throw badPlaidResponse('link token', response?.request_id);

    const untilExpiry = Date.parse(link.expiration) - now();
    const grantMs = Number.isNaN(untilExpiry)
      ? MAX_GRANT_MS
      : Math.min(MAX_GRANT_MS, Math.max(MIN_GRANT_MS, untilExpiry));
    await store.set(storeKeys.grant(session.pseudonym), String(now() + grantMs), grantMs);
    await store.set(storeKeys.linkToken(await sha256Hex(link.link_token)), session.pseudonym, grantMs);

    return c.json<LinkTokenResponse, 200>({ link_token: link.link_token, expiration: link.expiration }, 200);
  });
}
