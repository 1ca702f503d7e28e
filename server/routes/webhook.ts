import { Hono } from 'hono';

import { API_ROUTES, type WebhookResponse } from '../../contract/index.js';
import type { LayerApiEnv } from '../app-env.js';
import { sha256Hex } from '../crypto.js';
import { LayerApiError } from '../errors.js';
import type { PlaidWebhook, ResolvedOptions } from '../options.js';
import { StoreUnavailableError } from '../store.js';
import { PENDING_EXCHANGE_MS, PUBLIC_TOKEN_SOURCE_MS, SEEN_WEBHOOK_MS, storeKeys } from '../store-keys.js';
import { WebhookVerificationError } from '../webhook-verification.js';
import type { RouteDeps } from './deps.js';

/**
 * `POST /webhook`: Plaid's webhooks. The signature is checked on the raw bytes before anything is
 * parsed. Plaid retries for 24 hours and may deliver late, twice or out of order, so handling is
 * idempotent and order-free: each event is handed to `onWebhook` once (a duplicate is
 * acknowledged, not handed on again, once handled; not while the first delivery is still being
 * handled, so that Plaid's retry survives that delivery failing), and what SESSION_FINISHED
 * teaches about public tokens is recorded first-come and never overwritten, whatever else arrived
 * before or after it.
 *
 * Once `onWebhook` has returned, the event is acknowledged even if the store cannot take its
 * `done` mark: a non-200 would make Plaid send it again, and once the 10-minute claim lapsed (a
 * long outage) that retry would be handed on a second time. This instance keeps the mark,
 * acknowledges duplicates with it, and writes it to the store on its next verified webhook.
 */
export function webhookRoute({ options, verifyWebhook }: RouteDeps) {
  const { store, now } = options;
  /** Events handled here whose `done` mark the store did not take: store key → when the mark expires. */
  const unrecorded = new Map<string, number>();

  function handledHere(seen: string): boolean {
    const until = unrecorded.get(seen);
    if (until === undefined) return false;
    if (until > now()) return true;
    unrecorded.delete(seen);
    return false;
  }

  /** Writes the marks the store missed, oldest first, until one fails; never throws. */
  async function recordUnrecorded(): Promise<void> {
    for (const [seen, until] of unrecorded) {
      const ttl = until - now();
      if (ttl > 0) {
        try {
          await store.set(seen, 'done', ttl);
        } catch {
          return; // Still down: the next webhook tries again.
        }
      }
      unrecorded.delete(seen);
    }
  }

  return new Hono<LayerApiEnv>().post(API_ROUTES.webhook, async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    try {
      await verifyWebhook(c.req.header('Plaid-Verification'), body, options.getClientAddress(c));
    } catch (error) {
      if (error instanceof WebhookVerificationError)
        throw new LayerApiError('WEBHOOK_VERIFICATION_FAILED', error.message, {
          ...(error.hint ? { log: { hint: error.hint } } : {}),
        });
      throw error;
    }
    const webhook = parseWebhook(body);
    const seen = storeKeys.webhook(await webhookEventId(webhook, body));
    if (unrecorded.size) await recordUnrecorded();
    // Handled here while the store was down, and it still is: acknowledged without asking it.
    if (handledHere(seen)) return c.json<WebhookResponse, 200>({ received: true }, 200);

    // Recorded before the de-duplication below: a verified fact, harmless to learn twice.
    await rememberPublicTokenSources(webhook, store);

    if (!(await store.add(seen, 'pending', PENDING_EXCHANGE_MS))) {
      // Handled already: acknowledged. Still being handled (Plaid's retry after a first delivery
      // outlived its 10 s, a copy sent alongside, an instance that died mid-handler) or failed just
      // now: not acknowledged, as Plaid stops retrying at a 200 and the event would be lost if that
      // first delivery fails. Plaid tries again later (30 s, then ×4).
      if ((await store.get(seen)) === 'done') return c.json<WebhookResponse, 200>({ received: true }, 200);
      throw new LayerApiError(
        'WEBHOOK_HANDLER_FAILED',
        'This webhook is still being handled; it is not acknowledged yet, so Plaid will send it again.',
      );
    }
    try {
      await options.onWebhook(webhook);
    } catch {
      // Plaid retries a non-200: forget the event so the retry is handled.
      await store.delete(seen);
      throw new LayerApiError('WEBHOOK_HANDLER_FAILED', 'The server could not handle this webhook.');
    }
    try {
      await store.set(seen, 'done', SEEN_WEBHOOK_MS);
    } catch (error) {
      unrecorded.set(seen, now() + SEEN_WEBHOOK_MS);
      if (unrecorded.size > MAX_UNRECORDED) unrecorded.delete(unrecorded.keys().next().value!);
      c.set('errorLog', {
        extra: {
          webhook: 'handled, not marked done',
          store:
            error instanceof StoreUnavailableError ? (error.details.log?.store ?? 'unavailable') : 'failed',
          hint: 'acknowledged so Plaid does not send it again; this instance marks it done once the store is back',
        },
      });
    }
    return c.json<WebhookResponse, 200>({ received: true }, 200);
  });
}

/** Marks kept in memory at most while the store is down; the oldest go first. */
const MAX_UNRECORDED = 10_000;

function parseWebhook(body: Uint8Array): PlaidWebhook {
  let webhook: unknown;
  try {
    webhook = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new LayerApiError('INVALID_JSON', 'The webhook body is not valid JSON.');
  }
  if (
    typeof webhook !== 'object' ||
    webhook === null ||
    typeof (webhook as PlaidWebhook).webhook_type !== 'string' ||
    typeof (webhook as PlaidWebhook).webhook_code !== 'string'
  )
    throw new LayerApiError('INVALID_BODY', 'The webhook body needs webhook_type and webhook_code.');
  return webhook as PlaidWebhook;
}

/** Layer's webhooks, each sent once per Link session (LAYER.md §2). */
const ONCE_PER_SESSION = new Set(['LAYER:LAYER_AUTHENTICATION_PASSED', 'LINK:SESSION_FINISHED']);

/**
 * What makes two deliveries the same event. Layer's two webhooks happen once per Link session, so
 * their type, code and `link_session_id` name the event, whatever the bytes: a retry whose body
 * differs (re-serialised, a field added) is still a duplicate. Any other webhook (several may share
 * a session, like Link's EVENTS) is known by its exact body.
 */
async function webhookEventId(webhook: PlaidWebhook, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const { webhook_type: type, webhook_code: code, link_session_id: session } = webhook;
  if (ONCE_PER_SESSION.has(`${type}:${code}`) && typeof session === 'string' && session)
    return sha256Hex(JSON.stringify(['event', type, code, session]));
  return sha256Hex(body);
}

/**
 * SESSION_FINISHED names the Link token behind each public token: remember it, so /session can
 * refuse a public token presented with another Link token's session handle. The first verified
 * answer stands: a later delivery never rewrites it.
 */
async function rememberPublicTokenSources(
  webhook: PlaidWebhook,
  store: ResolvedOptions['store'],
): Promise<void> {
  if (webhook.webhook_code !== 'SESSION_FINISHED' || typeof webhook.link_token !== 'string') return;
  const source = await sha256Hex(webhook.link_token);
  const tokens = [
    ...(Array.isArray(webhook.public_tokens) ? webhook.public_tokens : []),
    webhook.public_token,
  ].filter((token): token is string => typeof token === 'string' && token !== '');
  for (const token of new Set(tokens))
    await store.add(storeKeys.publicTokenSource(await sha256Hex(token)), source, PUBLIC_TOKEN_SOURCE_MS);
}
