import { Hono } from 'hono';

import { API_ROUTES, SESSION_HANDLE_HEADER, type SessionResponse } from '../../contract/index.js';
import type { LayerApiEnv } from '../app-env.js';
import { sha256Hex } from '../crypto.js';
import { LayerApiError } from '../errors.js';
import { badPlaidResponse, callPlaid } from '../plaid-client.js';
import { toBrowserItems, toBrowserProfile } from '../profile.js';
import { enforceRateLimit } from '../rate-limit.js';
import { readJsonObject } from '../request-guards.js';
import type { KeyValueStore } from '../store.js';
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
 * - if a verified SESSION_FINISHED webhook named the Link token behind this public token, it must
 *   be the handle's Link token (403 WRONG_SESSION otherwise);
 * - each public token is exchanged at most once (409 on replay, also while an exchange is running).
 * The exchange is never retried: Plaid is asked exactly once per accepted request.
 *
 * By default the second check applies only when the webhook arrived before the browser's request;
 * Plaid often delivers it seconds later, and then a public token leaked to another visitor (who
 * holds a handle of its own) would be exchanged. With `requireWebhookBinding`, the request waits
 * up to `waitMs` for the webhook first — holding no claim, so the rightful visitor is never locked
 * out by another's waiting request — and, if it never comes, is refused (503 SESSION_NOT_CONFIRMED)
 * unless `onTimeout: 'proceed'`. Guarantee, with `'refuse'`: a public token is exchanged only by a
 * request carrying the session handle issued with the Link token Plaid says produced it. Limits:
 * whoever holds both that handle and the public token (script running in the visitor's page, a
 * copied request) is that visitor as far as this server can know; and the webhook must reach this
 * API (and, with several instances, land in a shared store).
 */
export function sessionRoute({ options, visitors, handles, profileTokens }: RouteDeps) {
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
    if (!(await visitors.isPseudonymOf(visitor, handle.visitor)))
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
    const claim = storeKeys.publicToken(tokenHash);
    const sourceKey = storeKeys.publicTokenSource(tokenHash);
    let source = await store.get(sourceKey);
    const binding = options.webhookBinding;
    if (source === undefined && binding) {
      // Waiting for a token that is already spent would only delay the 409.
      if ((await store.get(claim)) !== undefined) throw alreadyUsed();
      source = await waitForSource(store, sourceKey, binding.waitMs, c.req.raw.signal);
      if (source === undefined && binding.onTimeout === 'refuse')
        throw new LayerApiError(
          'SESSION_NOT_CONFIRMED',
          'Plaid has not confirmed this Link session yet; try again in a few seconds.',
          {
            retryAfter: NOT_CONFIRMED_RETRY_AFTER_SECONDS,
            log: {
              webhook: `no SESSION_FINISHED within ${binding.waitMs}ms`,
              hint: 'Plaid must reach POST /webhook of this API (webhookUrl, or the Layer template’s webhook); with several instances they need a shared store',
            },
          },
        );
    }
    if (source !== undefined && source !== handle.linkTokenHash)
      throw new LayerApiError(
        'WRONG_SESSION',
        'This public token came from another visitor’s Link session.',
        {
          log: { handle: 'public token from another Link token' },
        },
      );
    if (!(await store.add(claim, 'pending', PENDING_EXCHANGE_MS))) throw alreadyUsed();

    let response: SessionResponse;
    try {
      const result = await callPlaid(
        (request) => plaid.userAccountSessionGet({ public_token: publicToken }, request),
        { ready: plaid.ready, timeoutMs: options.timeoutMs, retries: 0 },
      );
      if (!result || typeof result !== 'object' || !Array.isArray(result.items))
        throw badPlaidResponse('items', result?.request_id);
      const identity = result.identity ?? null;
      const profile = toBrowserProfile(identity, options.profileFields);
      const items = toBrowserItems(result.items);
      const token = await profileTokens.sign({
        profile,
        items,
        ...(visitor.anonymous ? {} : { userId: visitor.userId }),
        now: now(),
        ttlSeconds: options.profileTokenTtlSeconds,
      });
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
    // Plaid has answered and onSession has the identity: if the store fails now, the visitor still
    // gets the profile. An error here could not be retried (the pending claim refuses this token),
    // and that claim goes on refusing replays, for PENDING_EXCHANGE_MS rather than 24 hours.
    await store.set(claim, 'used', USED_PUBLIC_TOKEN_MS).catch(() => undefined);
    return c.json<SessionResponse, 200>(response, 200);
  });
}

/** `Retry-After` of SESSION_NOT_CONFIRMED: Plaid's webhook is usually seconds away. */
const NOT_CONFIRMED_RETRY_AFTER_SECONDS = 5;
/** The first pause between looks at the store while waiting for the webhook; doubled up to the cap. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 500;

function alreadyUsed(): LayerApiError {
  return new LayerApiError('PUBLIC_TOKEN_ALREADY_USED', 'This public token was already exchanged.');
}

/**
 * The Link token (hash) SESSION_FINISHED names for a public token, once the webhook has arrived, or
 * undefined after `waitMs` or when the client has gone. The caller has just looked once. The store
 * is polled, not subscribed to: the webhook may land on another instance, and the KeyValueStore
 * interface has no notifications. Each pause doubles, 25 ms up to 500 ms, so a wait of 10 s reads
 * the store about 25 times.
 */
async function waitForSource(
  store: KeyValueStore,
  key: string,
  waitMs: number,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const started = performance.now();
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
    const left = waitMs - (performance.now() - started);
    if (left <= 0 || signal?.aborted) return undefined;
    await sleep(Math.min(pause, left), signal);
    const source = await store.get(key);
    if (source !== undefined) return source;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
