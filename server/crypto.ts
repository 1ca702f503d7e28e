// Web Crypto helpers, so the backend runs on any runtime with `crypto.subtle` (Node ≥ 20, Deno,
// Bun, Workers).

const encoder = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The bytes of a base64url string, or null if it is not one. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[\w-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

/** HMAC-SHA-256 of `message` under `secret`. */
export async function hmac(
  secret: string | Uint8Array<ArrayBuffer>,
  message: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await importHmacKey(typeof secret === 'string' ? encoder.encode(secret) : secret);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}

function importHmacKey(bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** The purposes the integrator's single `sessionSecret` is split into; no two share a key. */
export type KeyPurpose = 'session-handle' | 'profile-token' | 'user-id';

/**
 * A key for one purpose derived from the integrator's single `sessionSecret`, so the session
 * handle, the profile token and the pseudonyms never share a key.
 */
export function deriveKey(secret: string, purpose: KeyPurpose): Promise<Uint8Array<ArrayBuffer>> {
  return hmac(secret, `layer-onboarding/${purpose}/v1`);
}

/** Signs and checks messages with one derived key, imported once rather than on every call. */
export interface Signer {
  sign(message: string): Promise<Uint8Array<ArrayBuffer>>;
  /** Constant-time: Web Crypto's own HMAC verification. */
  verify(message: string, signature: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

export function createSigner(secret: string, purpose: KeyPurpose): Signer {
  let key: Promise<CryptoKey> | undefined;
  const getKey = () => (key ??= deriveKey(secret, purpose).then(importHmacKey));
  return {
    async sign(message) {
      return new Uint8Array(await crypto.subtle.sign('HMAC', await getKey(), encoder.encode(message)));
    },
    async verify(message, signature) {
      return crypto.subtle.verify('HMAC', await getKey(), signature, encoder.encode(message));
    },
  };
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++)
    difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return difference === 0;
}

/** 128 random bits, base64url. */
export function randomId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}
