import { Hono } from 'hono';

import { API_ROUTES, type WebhookResponse } from '../../contract/index.js';
import type { LayerApiEnv } from '../app-env.js';
import { sha256Hex } from '../crypto.js';
import { LayerApiError } from '../errors.js';
import type { PlaidWebhook, ResolvedOptions } from '../options.js';
import { PENDING_EXCHANGE_MS, SEEN_WEBHOOK_MS, USED_PUBLIC_TOKEN_MS, storeKeys } from '../store-keys.js';
import { WebhookVerificationError } from '../webhook-verification.js';
import type { RouteDeps } from './deps.js';

/**
 * `POST /webhook`: Plaid's webhooks. The signature is checked on the raw bytes before anything is
 * parsed; a body already handled (Plaid retries and may duplicate) is acknowledged but not handed
 * to `onWebhook` again.
 */
export function webhookRoute({ options, verifyWebhook }: RouteDeps) {
  const { store } = options;

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

    const seen = storeKeys.webhook(await sha256Hex(body));
    if (!(await store.add(seen, 'pending', PENDING_EXCHANGE_MS)))
      return c.json<WebhookResponse, 200>({ received: true }, 200);
    try {
      await rememberPublicTokenSources(webhook, store);
      await options.onWebhook(webhook);
    } catch {
      // Plaid retries a non-200: forget the body so the retry is handled.
      await store.delete(seen);
      throw new LayerApiError('WEBHOOK_HANDLER_FAILED', 'The server could not handle this webhook.');
    }
    await store.set(seen, 'done', SEEN_WEBHOOK_MS);
    return c.json<WebhookResponse, 200>({ received: true }, 200);
  });
}

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

/**
 * SESSION_FINISHED names the Link token behind each public token: remember it, so /session can
 * refuse a public token presented with another Link token's session handle.
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
  ].filter((token): token is string => typeof token === 'string');
  for (const token of tokens)
    await store.set(storeKeys.publicTokenSource(await sha256Hex(token)), source, USED_PUBLIC_TOKEN_MS);
}
