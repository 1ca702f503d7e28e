/**
 * Signs webhooks the way Plaid does (LAYER.md §2.3), with a key generated for the test run, and
 * builds the broken variants the verifier must refuse.
 */
import { createHash, randomUUID } from 'node:crypto';

import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { JWKPublicKey } from 'plaid';

export interface WebhookSigner {
  kid: string;
  /** The public key as `/webhook_verification_key/get` returns it. */
  jwk: JWKPublicKey;
  /** The `Plaid-Verification` header for these exact body bytes. */
  sign(body: string, options?: SignOptions): Promise<string>;
}

export interface SignOptions {
  /** Seconds since the epoch; now by default. */
  iat?: number;
  kid?: string;
  /** Hash this instead of the body (to sign one body and send another). */
  hashOf?: string;
}

export async function createWebhookSigner(): Promise<WebhookSigner> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const { x, y, crv, kty } = await exportJWK(publicKey);
  const jwk: JWKPublicKey = {
    alg: 'ES256',
    crv: crv!,
    kid,
    kty: kty!,
    use: 'sig',
    x: x!,
    y: y!,
    created_at: Math.floor(Date.now() / 1000) - 3600,
    expired_at: null,
  };
  return { kid, jwk, sign: (body, options) => signWith(privateKey, body, { kid, ...options }) };
}

export function signWith(
  key: CryptoKey,
  body: string,
  { iat, kid, hashOf }: SignOptions = {},
): Promise<string> {
  return new SignJWT({ request_body_sha256: sha256Hex(hashOf ?? body) })
    .setProtectedHeader({ alg: 'ES256', kid: kid ?? randomUUID(), typ: 'JWT' })
    .setIssuedAt(iat ?? Math.floor(Date.now() / 1000))
    .sign(key);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A JWT with `alg: none` and no signature, claiming to be from `kid`. */
export function unsignedJwt(kid: string, body: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', kid, typ: 'JWT' })}.${part({
    iat: Math.floor(Date.now() / 1000),
    request_body_sha256: sha256Hex(body),
  })}.`;
}

/** A webhook body as Plaid serialises it: JSON with 2-space indentation. */
export function webhookBody(webhook: object): string {
  return JSON.stringify(webhook, null, 2);
}
