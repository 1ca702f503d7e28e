// Hashes, HMACs and random ids for the backend, on any runtime with Web Crypto (Node ≥ 20, Deno,
// Bun, Workers). Where the runtime also offers Node's crypto module, found through
// `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno) rather than imported, so this module still
// loads where there is none, the same hashes and HMACs are computed with it: synchronously, about
// 5 µs each, where a Web Crypto job costs 35 µs and importing its key another 60 µs (per request
// the API makes 4 to 7 of them). Both paths give the same bytes (test/server/crypto.test.ts).

const encoder = new TextEncoder();

/** The few parts of Node's `crypto` module used here (structural: no Node types in this layer). */
interface NodeDigest {
  update(data: string | Uint8Array): NodeDigest;
  digest(): Uint8Array;
}
export interface NodeCrypto {
  createHash(algorithm: 'sha256'): NodeDigest;
  createHmac(algorithm: 'sha256', key: Uint8Array): NodeDigest;
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

/** Node's crypto module when the runtime has one, without importing a Node built-in. */
export function findNodeCrypto(): NodeCrypto | undefined {
  const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  try {
    const found = host.process?.getBuiltinModule?.('node:crypto') as Partial<NodeCrypto> | undefined;
    return typeof found?.createHmac === 'function' && typeof found.createHash === 'function'
      ? (found as NodeCrypto)
      : undefined;
  } catch {
    return undefined;
  }
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  let hex = '';
  for (const byte of new Uint8Array(bytes)) hex += HEX[byte];
  return hex;
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

/** The purposes the integrator's single `sessionSecret` is split into; no two share a key. */
export type KeyPurpose = 'session-handle' | 'profile-token' | 'user-id';

/** Signs and checks messages with one derived key, derived (and imported) once. */
export interface Signer {
  sign(message: string): Promise<Uint8Array<ArrayBuffer>>;
  /** Constant-time. */
  verify(message: string, signature: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

export interface Hashing {
  sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string>;
  /** HMAC-SHA-256 of `message` under `secret`. */
  hmac(secret: string | Uint8Array<ArrayBuffer>, message: string): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * A key for one purpose derived from the integrator's single `sessionSecret`, so the session
   * handle, the profile token and the pseudonyms never share a key.
   */
  deriveKey(secret: string, purpose: KeyPurpose): Promise<Uint8Array<ArrayBuffer>>;
  createSigner(secret: string, purpose: KeyPurpose): Signer;
}

const bytesOf = (data: string | Uint8Array<ArrayBuffer>) =>
  typeof data === 'string' ? encoder.encode(data) : data;
/** A Node Buffer (perhaps a slice of a shared pool) as a plain Uint8Array of its own. */
const own = (bytes: Uint8Array) => new Uint8Array(bytes) as Uint8Array<ArrayBuffer>;
const derivation = (purpose: KeyPurpose) => `layer-onboarding/${purpose}/v1`;

/** The helpers on Node's crypto module, or on Web Crypto when `node` is undefined. */
export function createHashing(node: NodeCrypto | undefined): Hashing {
  if (node) {
    const hmacNow = (key: Uint8Array, message: string) =>
      own(node.createHmac('sha256', key).update(message).digest());
    const deriveNow = (secret: string, purpose: KeyPurpose) =>
      hmacNow(encoder.encode(secret), derivation(purpose));
    return {
      sha256Hex: async (data) => toHex(node.createHash('sha256').update(data).digest()),
      hmac: async (secret, message) => hmacNow(bytesOf(secret), message),
      deriveKey: async (secret, purpose) => deriveNow(secret, purpose),
      createSigner(secret, purpose) {
        let key: Uint8Array | undefined;
        const sign = (message: string) => hmacNow((key ??= deriveNow(secret, purpose)), message);
        return {
          sign: async (message) => sign(message),
          async verify(message, signature) {
            const expected = sign(message);
            return expected.length === signature.length && node.timingSafeEqual(expected, signature);
          },
        };
      },
    };
  }
  const importHmacKey = (bytes: Uint8Array<ArrayBuffer>) =>
    crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const hmac = async (secret: string | Uint8Array<ArrayBuffer>, message: string) =>
    new Uint8Array(
      await crypto.subtle.sign('HMAC', await importHmacKey(bytesOf(secret)), encoder.encode(message)),
    );
  const deriveKey = (secret: string, purpose: KeyPurpose) => hmac(secret, derivation(purpose));
  return {
    sha256Hex: async (data) => toHex(await crypto.subtle.digest('SHA-256', bytesOf(data))),
    hmac,
    deriveKey,
    createSigner(secret, purpose) {
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
    },
  };
}

const hashing = createHashing(findNodeCrypto());
export const { sha256Hex, hmac, deriveKey, createSigner } = hashing;

/**
 * `sessionSecret` as given: one secret, or while it is rotated a list of them, the one that signs
 * first. Always a list here.
 */
export function secretList(secrets: string | readonly string[]): readonly string[] {
  return typeof secrets === 'string' ? [secrets] : secrets;
}

/**
 * A {@link Signer} for a secret being rotated: signs with the first secret's key, and accepts what
 * any of them signed, so instances of a rolling deploy accept each other's handles.
 */
export function createRotatingSigner(secrets: string | readonly string[], purpose: KeyPurpose): Signer {
  const [signer, ...older] = secretList(secrets).map((secret) => createSigner(secret, purpose));
  if (!signer) throw new TypeError('At least one secret is needed.');
  return {
    sign: (message) => signer.sign(message),
    async verify(message, signature) {
      if (await signer.verify(message, signature)) return true;
      for (const each of older) if (await each.verify(message, signature)) return true;
      return false;
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
