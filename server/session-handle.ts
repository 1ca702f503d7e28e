/**
 * The session handle: what ties a browser's `POST /session` to the `POST /link-token` before it,
 * without a cookie. The page may be on another site than the API, in a browser that blocks
 * third-party cookies, so the widget keeps the handle itself and sends it back in the
 * `Layer-Session` header — which also makes every cross-origin call preflighted, so only the
 * allowed origins can send it.
 *
 * A handle is `v1.<payload>.<signature>`, base64url: the payload names the visitor (a pseudonym,
 * never a user id in the clear) and the Link token it was issued with (a hash), and expires with
 * that token. It is signed with a key derived from `sessionSecret`, so it needs no store and
 * survives restarts and several instances (and, given a list of secrets, their rotation). Hand-written rather than a JWT: it is verified on every
 * exchange, and a cached HMAC key costs a third of what a JWT library's per-call key import does.
 */
import { createRotatingSigner, fromBase64Url, toBase64Url } from './crypto.js';
import { LayerApiError } from './errors.js';

const VERSION = 'v1';
/** A handle never outlives this, whatever the Link token says (Link tokens live 4 hours). */
export const MAX_HANDLE_LIFETIME_MS = 4 * 60 * 60 * 1000;
/** Longer headers are refused before any work. */
const MAX_HANDLE_LENGTH = 1024;
/** For the log line of a refused handle: what an integrator can check. */
const INVALID_HINT =
  'the widget must send the session_handle from /link-token unchanged, and every instance needs the same sessionSecret (SESSION_SECRET), or while it is rotated the secret that signed it in its list';

export interface SessionHandle {
  /** The visitor's pseudonym: Plaid's `client_user_id` and the key of its rate limits. */
  visitor: string;
  /** For an anonymous visitor, its random id (what `onSession` gets as `userId`). */
  anonymousId?: string;
  /** SHA-256 (hex) of the Link token the handle was issued with. */
  linkTokenHash: string;
  /** Epoch ms. */
  expiresAt: number;
}

interface Payload {
  v: string;
  a?: string;
  l: string;
  e: number;
}

export interface SessionHandles {
  /** Whether `value` has a handle's form (not whether it is valid): a cheap first look. */
  looksLikeHandle(value: string): boolean;
  issue(handle: SessionHandle): Promise<string>;
  /**
   * The handle a header carries. Throws `SESSION_HANDLE_INVALID` for anything this server did not
   * sign, and `SESSION_HANDLE_EXPIRED` past its expiry unless `allowExpired`.
   */
  read(value: string, options?: { allowExpired?: boolean }): Promise<SessionHandle>;
}

/** `secrets`: `sessionSecret`, one or a list (the first signs, every one verifies). */
export function createSessionHandles(secrets: string | readonly string[], now: () => number): SessionHandles {
  const signer = createRotatingSigner(secrets, 'session-handle');
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const invalid = (why: string) =>
    new LayerApiError(
      'SESSION_HANDLE_INVALID',
      'The Layer-Session header is not a session handle from this server: request a new Link token.',
      { log: { handle: why, hint: INVALID_HINT } },
    );

  return {
    looksLikeHandle: (value) => value.startsWith(`${VERSION}.`),

    async issue({ visitor, anonymousId, linkTokenHash, expiresAt }) {
      const payload: Payload = { v: visitor, l: linkTokenHash, e: Math.floor(expiresAt / 1000) };
      if (anonymousId !== undefined) payload.a = anonymousId;
      const body = `${VERSION}.${toBase64Url(encoder.encode(JSON.stringify(payload)))}`;
      return `${body}.${toBase64Url(await signer.sign(body))}`;
    },

    async read(value, { allowExpired = false } = {}) {
      if (value.length > MAX_HANDLE_LENGTH) throw invalid('too long');
      const [version, encoded, signature, ...rest] = value.split('.');
      if (version !== VERSION || !encoded || !signature || rest.length) throw invalid('malformed');
      const signatureBytes = fromBase64Url(signature);
      if (!signatureBytes || !(await signer.verify(`${version}.${encoded}`, signatureBytes)))
        throw invalid('bad signature');
      let payload: Partial<Payload>;
      try {
        payload = JSON.parse(decoder.decode(fromBase64Url(encoded) ?? new Uint8Array())) as Partial<Payload>;
      } catch {
        throw invalid('malformed');
      }
      const { v: visitor, a: anonymousId, l: linkTokenHash, e: expires } = payload;
      if (typeof visitor !== 'string' || typeof linkTokenHash !== 'string' || typeof expires !== 'number')
        throw invalid('malformed');
      const expiresAt = expires * 1000;
      if (!allowExpired && expiresAt <= now())
        throw new LayerApiError(
          'SESSION_HANDLE_EXPIRED',
          'The session handle has expired with its Link token: request a new Link token.',
          {
            log: {
              handle: 'expired',
              hint: 'it lives as long as its Link token; the widget requests a new one',
            },
          },
        );
      return {
        visitor,
        ...(typeof anonymousId === 'string' ? { anonymousId } : {}),
        linkTokenHash,
        expiresAt,
      };
    },
  };
}
