/**
 * Webhooks as Plaid signs them (LAYER.md §2): a JSON body with 2-space indentation, signed in the
 * `Plaid-Verification` header by an ES256 JWT whose header names the key (`kid`) and whose payload
 * holds `iat` and the SHA-256 of the exact body bytes. The public keys are served by
 * `/webhook_verification_key/get`; a rotated-out key keeps answering there with `expired_at` set.
 * How they travel (lag, duplicates, retries) is webhook-delivery.ts.
 */

/** `JWKPublicKey` from the OpenAPI spec. */
export interface WebhookVerificationKey {
  alg: 'ES256';
  crv: string;
  kid: string;
  kty: string;
  use: 'sig';
  x: string;
  y: string;
  created_at: number;
  expired_at: number | null;
}

export interface LayerAuthenticationPassedWebhook {
  webhook_type: 'LAYER';
  webhook_code: 'LAYER_AUTHENTICATION_PASSED';
  environment: 'sandbox';
  link_session_id: string;
  link_token: string;
}

export interface SessionFinishedWebhook {
  webhook_type: 'LINK';
  webhook_code: 'SESSION_FINISHED';
  status: 'SUCCESS' | 'EXITED';
  link_session_id: string;
  link_token: string;
  public_tokens?: string[];
  environment: 'sandbox';
}

export type EmulatorWebhook = LayerAuthenticationPassedWebhook | SessionFinishedWebhook;

interface SigningKey {
  privateKey: CryptoKey;
  jwk: WebhookVerificationKey;
}

/** Retired keys kept answering `/webhook_verification_key/get` (emulator choice: Plaid keeps them all). */
const RETIRED_KEYS_KEPT = 20;

export class WebhookSigner {
  private current: Promise<SigningKey> | undefined;
  private readonly keys = new Map<string, SigningKey>();
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** The public key for `kid`, or undefined if this emulator never issued that key. */
  async verificationKey(kid: string): Promise<WebhookVerificationKey | undefined> {
    if (this.current) await this.current;
    const key = this.keys.get(kid);
    return key && { ...key.jwk };
  }

  /** The `Plaid-Verification` header value for these exact body bytes. */
  async sign(body: string): Promise<string> {
    const { privateKey, jwk } = await this.signingKey();
    const { SignJWT } = await import('jose');
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
    const request_body_sha256 = Array.from(new Uint8Array(digest), (byte) =>
      byte.toString(16).padStart(2, '0'),
    ).join('');
    return new SignJWT({ request_body_sha256 })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
      .setIssuedAt(Math.floor(this.now() / 1000))
      .sign(privateKey);
  }

  /**
   * Retires the signing key (its `expired_at` becomes now; it still answers
   * `/webhook_verification_key/get`) and signs from now on with a new one.
   */
  async rotate(): Promise<{ kid: string; retiredKid: string | null }> {
    const retired = this.current ? await this.current : null;
    if (retired) retired.jwk.expired_at = Math.floor(this.now() / 1000);
    this.current = undefined;
    const { jwk } = await this.signingKey();
    return { kid: jwk.kid, retiredKid: retired?.jwk.kid ?? null };
  }

  private signingKey(): Promise<SigningKey> {
    this.current ??= (async () => {
      // Imported on the first webhook, not at start-up (0.05-0.2 s under tsx).
      const { exportJWK, generateKeyPair } = await import('jose');
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const { crv, kty, x, y } = await exportJWK(publicKey);
      const jwk: WebhookVerificationKey = {
        alg: 'ES256',
        crv: crv!,
        kid: crypto.randomUUID(),
        kty: kty!,
        use: 'sig',
        x: x!,
        y: y!,
        created_at: Math.floor(this.now() / 1000),
        expired_at: null,
      };
      const key = { privateKey, jwk };
      this.keys.set(jwk.kid, key);
      // Map order is issue order: the first keys are the oldest retired ones.
      for (const kid of this.keys.keys()) {
        if (this.keys.size <= RETIRED_KEYS_KEPT + 1) break;
        this.keys.delete(kid);
      }
      return key;
    })();
    return this.current;
  }
}
