/**
 * Who is calling: the integrator's signed-in user (`getUserId`) or, by default, an anonymous
 * session whose random id lives in a signed, HttpOnly, SameSite cookie.
 *
 * Each session also gets a pseudonym, an HMAC of its id under a key derived from the session
 * secret. It is the `client_user_id` sent to Plaid (so an email used as a user id never reaches
 * Plaid) and the name of the session's entries in the store.
 */
import type { Context } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';

import { deriveKey, hmac, randomId, toHex } from './crypto.js';
import { ApiError } from './errors.js';
import type { ResolvedOptions } from './options.js';

export interface Session {
  userId: string;
  anonymous: boolean;
  /** Pseudonymous id: Plaid's `client_user_id` and the store's key for this session. */
  pseudonym: string;
}

export interface SessionManager {
  /** The caller's session; a new anonymous one if `create` and there is none. Throws 401 if none. */
  require(c: Context, options: { create: boolean }): Promise<Session>;
  /** A stable pseudonym for any string (a user id, a client address). */
  pseudonymize(value: string): Promise<string>;
}

const ANONYMOUS_PREFIX = 'anon_';

export function createSessionManager({
  sessionSecret,
  getUserId,
  cookie,
}: Pick<ResolvedOptions, 'sessionSecret' | 'getUserId' | 'cookie'>): SessionManager {
  const cookieKey = deriveKey(sessionSecret, 'session-cookie');
  const pseudonymKey = deriveKey(sessionSecret, 'user-id');

  async function pseudonymize(value: string): Promise<string> {
    return toHex(await hmac(await pseudonymKey, value)).slice(0, 32);
  }

  async function session(userId: string, anonymous: boolean): Promise<Session> {
    return { userId, anonymous, pseudonym: await pseudonymize(userId) };
  }

  return {
    pseudonymize,
    async require(c, { create }) {
      if (getUserId) {
        const userId = await getUserId(c);
        if (typeof userId !== 'string' || !userId)
          throw new ApiError(401, 'NO_SESSION', 'Sign in first: this API serves signed-in users only.');
        return session(userId, false);
      }
      const existing = await getSignedCookie(c, await cookieKey, cookie.name);
      if (typeof existing === 'string' && existing.startsWith(ANONYMOUS_PREFIX))
        return session(existing, true);
      if (!create)
        throw new ApiError(401, 'NO_SESSION', 'No session: request a Link token from this browser first.');
      const userId = `${ANONYMOUS_PREFIX}${randomId()}`;
      await setSignedCookie(c, cookie.name, userId, await cookieKey, {
        httpOnly: true,
        sameSite: cookie.sameSite,
        secure: cookie.secure ?? new URL(c.req.url).protocol === 'https:',
        path: cookie.path,
        ...(cookie.domain !== undefined ? { domain: cookie.domain } : {}),
        ...(cookie.maxAgeSeconds !== undefined ? { maxAge: cookie.maxAgeSeconds } : {}),
      });
      return session(userId, true);
    },
  };
}
