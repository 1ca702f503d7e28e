import { Hono, type Context } from 'hono';

import { API_ROUTES, SESSION_HANDLE_HEADER, type LinkTokenResponse } from '../../contract/index.js';
import type { LayerApiEnv } from '../app-env.js';
import { isPrivateAddress } from '../client-address.js';
import { sha256Hex } from '../crypto.js';
import { badPlaidResponse, callPlaid } from '../plaid-client.js';
import { addressRateKey, enforceRateLimit } from '../rate-limit.js';
import { readJsonObject } from '../request-guards.js';
import { MAX_HANDLE_LIFETIME_MS, type SessionHandle } from '../session-handle.js';
import { storeKeys } from '../store-keys.js';
import type { RouteDeps } from './deps.js';

/** Requests whose address nobody knows share one per-address limit rather than escaping it. */
const UNKNOWN_ADDRESS = 'unknown';

/**
 * `POST /link-token`: a Layer Link token for this visitor, and the session handle that lets this
 * browser exchange what Link gives back (see session-handle.ts).
 */
export function linkTokenRoute({ options, visitors, handles }: RouteDeps) {
  const { plaid, store, now, rateLimits } = options;

  async function limitAddress(c: Context): Promise<void> {
    // Off: no client address to read, and no pseudonym of it to compute.
    if (!rateLimits.linkTokenPerAddress) return;
    const address = options.getClientAddress(c) ?? UNKNOWN_ADDRESS;
    const behindProxy = address !== UNKNOWN_ADDRESS && isPrivateAddress(address) && options.proxy.hops === 0;
    await enforceRateLimit(
      store,
      storeKeys.linkTokenPerAddress(await visitors.pseudonymize(`address:${addressRateKey(address)}`)),
      rateLimits.linkTokenPerAddress,
      now,
      'linkTokenPerAddress',
      address === UNKNOWN_ADDRESS
        ? 'no client address is known: pass getClientAddress, or set trustProxy (TRUST_PROXY) behind a proxy'
        : behindProxy
          ? `all these requests come from a private address, likely a proxy: set trustProxy (TRUST_PROXY)`
          : undefined,
    );
  }

  /** A returning visitor keeps its identity (and its rate limit): any handle this server signed. */
  async function previousHandle(c: Context): Promise<SessionHandle | null> {
    const presented = c.req.header(SESSION_HANDLE_HEADER);
    // The widget's first request says 'new': nothing to verify (and no error to build and drop).
    if (!presented || !handles.looksLikeHandle(presented)) return null;
    return handles.read(presented, { allowExpired: true }).catch(() => null);
  }

  return new Hono<LayerApiEnv>().post(API_ROUTES.linkToken, async (c) => {
    await readJsonObject(c, { allowEmpty: true });
    await limitAddress(c);
    const visitor = await visitors.identify(c, await previousHandle(c));
    await enforceRateLimit(
      store,
      storeKeys.linkTokenPerVisitor(visitor.pseudonym),
      rateLimits.linkTokenPerVisitor,
      now,
      'linkTokenPerVisitor',
    );

    const response = await callPlaid(
      (request) =>
        plaid.sessionTokenCreate(
          {
            template_id: options.templateId,
            user: { client_user_id: visitor.pseudonym },
            ...(options.webhookUrl ? { webhook: options.webhookUrl } : {}),
            ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
          },
          request,
        ),
      {
        ready: plaid.ready,
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        deadlineMs: options.linkTokenDeadlineMs,
      },
    );
    const link = response?.link;
    if (typeof link?.link_token !== 'string' || typeof link.expiration !== 'string')
      throw badPlaidResponse('link token', response?.request_id);

    const tokenExpiry = Date.parse(link.expiration);
    const latest = now() + MAX_HANDLE_LIFETIME_MS;
    const sessionHandle = await handles.issue({
      visitor: visitor.pseudonym,
      ...(visitor.anonymous ? { anonymousId: visitor.userId } : {}),
      linkTokenHash: await sha256Hex(link.link_token),
      expiresAt: Number.isNaN(tokenExpiry) ? latest : Math.min(tokenExpiry, latest),
    });
    return c.json<LinkTokenResponse, 200>(
      { link_token: link.link_token, expiration: link.expiration, session_handle: sessionHandle },
      200,
    );
  });
}
