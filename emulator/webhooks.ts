/**
 * Webhooks as Plaid sends them (LAYER.md §2): a POST whose body is JSON with 2-space indentation,
 * signed in the `Plaid-Verification` header by an ES256 JWT whose header names the key (`kid`) and
 * whose payload holds `iat` and the SHA-256 of the exact body bytes. The public key is served by
 * `/webhook_verification_key/get`.
 */
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

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

/** Reported when a webhook could not be delivered (no retries: the emulator keeps no timers). */
export interface WebhookFailure {
  url: string;
  webhook_code: string;
  /** The receiver's HTTP status, or the network error's message. */
  reason: string;
}

interface SigningKey {
  privateKey: CryptoKey;
  jwk: WebhookVerificationKey;
}

export interface WebhookSenderOptions {
  now: () => number;
  fetch: typeof fetch;
  onFailure: (failure: WebhookFailure) => void;
}

export class WebhookSender {
  private key: Promise<SigningKey> | undefined;
  /** Deliveries for one Link session go out in order, one at a time. */
  private queues = new Map<string, Promise<void>>();
  private readonly options: WebhookSenderOptions;

  constructor(options: WebhookSenderOptions) {
    this.options = options;
  }

  /** The public key for `kid`, or undefined if this emulator never issued that key. */
  async verificationKey(kid: string): Promise<WebhookVerificationKey | undefined> {
    if (!this.key) return undefined;
    const { jwk } = await this.key;
    return jwk.kid === kid ? jwk : undefined;
  }

  /** The `Plaid-Verification` header value for these exact body bytes. */
  async sign(body: string): Promise<string> {
    const { privateKey, jwk } = await this.signingKey();
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
    const request_body_sha256 = Array.from(new Uint8Array(digest), (byte) =>
      byte.toString(16).padStart(2, '0'),
    ).join('');
    return new SignJWT({ request_body_sha256 })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
      .setIssuedAt(Math.floor(this.options.now() / 1000))
      .sign(privateKey);
  }

  /** Queues a delivery; resolves once it was attempted. Never rejects. */
  send(url: string, webhook: EmulatorWebhook): Promise<void> {
    const previous = this.queues.get(webhook.link_session_id) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(url, webhook));
    this.queues.set(webhook.link_session_id, next);
    void next.then(() => {
      if (this.queues.get(webhook.link_session_id) === next) this.queues.delete(webhook.link_session_id);
    });
    return next;
  }

  private async deliver(url: string, webhook: EmulatorWebhook): Promise<void> {
    const failure = (reason: string) =>
      this.options.onFailure({ url, webhook_code: webhook.webhook_code, reason });
    try {
      const body = JSON.stringify(webhook, null, 2);
      const response = await this.options.fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await this.sign(body) },
        body,
      });
      // Drain the body so the connection is released.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) failure(`HTTP ${response.status}`);
    } catch (error) {
      failure(error instanceof Error ? error.message : String(error));
    }
  }

  private signingKey(): Promise<SigningKey> {
    this.key ??= (async () => {
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
        created_at: Math.floor(this.options.now() / 1000),
        expired_at: null,
      };
      return { privateKey, jwk };
    })();
    return this.key;
  }
}
