/**
 * Who is calling the API: the integrator's signed-in user (`getUserId`) or, by default, an
 * anonymous visitor whose random id travels in the session handle (see session-handle.ts).
 *
 * Each visitor also has a pseudonym, an HMAC of its id under a key derived from the session
 * secret. It is the `client_user_id` sent to Plaid (so an email used as a user id never reaches
 * Plaid), the name of the visitor's rate limits, and what the session handle carries.
 */
import type { Context } from 'hono';

import { createSigner, randomId, toHex } from './crypto.js';
import { LayerApiError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { SessionHandle } from './session-handle.js';

export interface Visitor {
  /** `getUserId`'s id, or the anonymous visitor's random id. */
  userId: string;
  anonymous: boolean;
  /** Pseudonymous id: Plaid's `client_user_id` and the store's key for this visitor. */
  pseudonym: string;
}

export interface Visitors {
  /**
   * The caller. With `getUserId`, the signed-in user (401 `NO_SESSION` if none); otherwise the
   * anonymous visitor `handle` names, or a new one.
   */
  identify(c: Context, handle: SessionHandle | null): Promise<Visitor>;
  /** A stable pseudonym for any string (a user id, a client address). */
  pseudonymize(value: string): Promise<string>;
}

const ANONYMOUS_PREFIX = 'anon_';

export function createVisitors({
  sessionSecret,
  getUserId,
}: Pick<ResolvedOptions, 'sessionSecret' | 'getUserId'>): Visitors {
  const signer = createSigner(sessionSecret, 'user-id');

  async function pseudonymize(value: string): Promise<string> {
    return toHex(await signer.sign(value)).slice(0, 32);
  }

  async function visitor(userId: string, anonymous: boolean): Promise<Visitor> {
    return { userId, anonymous, pseudonym: await pseudonymize(userId) };
  }

  return {
    pseudonymize,
    async identify(c, handle) {
      if (getUserId) {
        const userId = await getUserId(c);
        if (typeof userId !== 'string' || !userId)
          throw new LayerApiError('NO_SESSION', 'Sign in first: this API serves signed-in users only.');
        return visitor(userId, false);
      }
      const known = handle?.anonymousId;
      if (known?.startsWith(ANONYMOUS_PREFIX)) return visitor(known, true);
      return visitor(`${ANONYMOUS_PREFIX}${randomId()}`, true);
    },
  };
}
