/**
 * Plaid webhook verification, exactly as LAYER.md §2.3 (Plaid's "Webhook verification") says:
 * the `Plaid-Verification` header is an ES256 JWT; its key is fetched by `kid` through the `plaid`
 * client and cached per `kid`; `iat` must be at most 5 minutes old; the SHA-256 of the raw body
 * bytes must equal `request_body_sha256` (compared in constant time).
 */
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { JWKPublicKey, PlaidApi } from 'plaid';

import { sha256Hex, timingSafeEqual } from './crypto.js';
import { LayerApiError } from './errors.js';
import { callPlaid } from './plaid-client.js';

/** Oldest accepted `iat`, in seconds (Plaid: 5 minutes). */
export const WEBHOOK_MAX_AGE_SECONDS = 5 * 60;
/** How far `iat` may be ahead of our clock, in seconds: clock skew, not a replay window. */
const WEBHOOK_MAX_CLOCK_SKEW_SECONDS = 60;
/** Fetched keys are re-fetched after this, to learn a key's `expired_at`. */
const KEY_CACHE_MS = 24 * 60 * 60 * 1000;
/** An unknown `kid` is not asked about again for this long. */
const UNKNOWN_KEY_CACHE_MS = 5 * 60 * 1000;
const MAX_CACHED_KEYS = 32;
/** Key look-ups per minute at most, so forged `kid`s cannot turn us into a Plaid load generator. */
const MAX_KEY_FETCHES_PER_MINUTE = 20;

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

type VerificationKey = Awaited<ReturnType<typeof importJWK>>;

export interface WebhookVerifierOptions {
  plaid: PlaidApi;
  timeoutMs: number;
  now: () => number;
}

/** Returns a function that resolves for a genuine Plaid webhook and throws otherwise. */
export function createWebhookVerifier({ plaid, timeoutMs, now }: WebhookVerifierOptions) {
  const keys = new Map<string, { key: VerificationKey | null; expiresAt: number }>();
  let fetchWindow = { start: 0, count: 0 };

  async function fetchKey(kid: string): Promise<VerificationKey | null> {
    const time = now();
    if (time - fetchWindow.start >= 60_000) fetchWindow = { start: time, count: 0 };
    if (++fetchWindow.count > MAX_KEY_FETCHES_PER_MINUTE)
      throw new WebhookVerificationError('Too many verification key look-ups; try again later.');
    let jwk: JWKPublicKey;
    try {
      ({ key: jwk } = await callPlaid(
        (options) => plaid.webhookVerificationKeyGet({ key_id: kid }, options),
        {
          timeoutMs,
        },
      ));
    } catch (error) {
      if (
        error instanceof LayerApiError &&
        error.details.plaidErrorCode === 'INVALID_WEBHOOK_VERIFICATION_KEY_ID'
      )
        return null;
      throw new WebhookVerificationError('The verification key could not be fetched from Plaid.');
    }
    if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || (jwk.alg !== undefined && jwk.alg !== 'ES256'))
      throw new WebhookVerificationError('Plaid returned a verification key that is not ES256.');
    if (jwk.expired_at != null && jwk.expired_at * 1000 <= now())
      throw new WebhookVerificationError('The verification key has expired.');
    return importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ES256');
  }

  async function keyFor(kid: string): Promise<VerificationKey> {
    const cached = keys.get(kid);
    let key = cached && cached.expiresAt > now() ? cached.key : undefined;
    if (key === undefined) {
      key = await fetchKey(kid);
      keys.delete(kid);
      keys.set(kid, { key, expiresAt: now() + (key ? KEY_CACHE_MS : UNKNOWN_KEY_CACHE_MS) });
      for (const oldest of keys.keys()) {
        if (keys.size <= MAX_CACHED_KEYS) break;
        keys.delete(oldest);
      }
    }
    if (!key) throw new WebhookVerificationError('The verification key id is unknown to Plaid.');
    return key;
  }

  return async function verifyWebhook(
    header: string | undefined,
    body: Uint8Array<ArrayBuffer>,
  ): Promise<void> {
    if (!header || header.length > 4096)
      throw new WebhookVerificationError('Missing Plaid-Verification header.');
    let alg: unknown;
    let kid: unknown;
    try {
      ({ alg, kid } = decodeProtectedHeader(header));
    } catch {
      throw new WebhookVerificationError('Plaid-Verification is not a JWT.');
    }
    if (alg !== 'ES256') throw new WebhookVerificationError('Plaid-Verification must be signed with ES256.');
    if (typeof kid !== 'string' || !kid || kid.length > 256)
      throw new WebhookVerificationError('Plaid-Verification names no key id.');

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(header, await keyFor(kid), {
        algorithms: ['ES256'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw error;
      throw new WebhookVerificationError('The Plaid-Verification signature is not valid.');
    }

    const { iat, request_body_sha256: expected } = payload;
    const nowSeconds = now() / 1000;
    if (typeof iat !== 'number' || nowSeconds - iat > WEBHOOK_MAX_AGE_SECONDS)
      throw new WebhookVerificationError('The webhook is more than 5 minutes old.');
    if (iat - nowSeconds > WEBHOOK_MAX_CLOCK_SKEW_SECONDS)
      throw new WebhookVerificationError('The webhook is dated in the future.');
    if (typeof expected !== 'string' || !timingSafeEqual(await sha256Hex(body), expected.toLowerCase()))
      throw new WebhookVerificationError('The webhook body does not match its signature.');
  };
}
