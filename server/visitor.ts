/**
 * Who is calling the API: the integrator's signed-in user (`getUserId`) or, by default, an
 * anonymous visitor whose random id travels in the session handle (see session-handle.ts).
 *
 * Each visitor also has a pseudonym, an HMAC of its id under a key derived from the session
 * secret. It is the `client_user_id` sent to Plaid (so an email used as a user id never reaches
 * Plaid), the name of the visitor's rate limits, and what the session handle carries.
 */
import type { Context } from 'hono';

import { createSigner, randomId, toHex, type Signer } from './crypto.js';
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
  /** A stable pseudonym for any string (a user id, a client address), under the signing secret. */
  pseudonymize(value: string): Promise<string>;
  /**
   * Whether `pseudonym` is `visitor`'s under any of the secrets: a session handle issued by an
   * instance that signs with another secret of the list names the visitor by that secret's.
   */
  isPseudonymOf(visitor: Visitor, pseudonym: string): Promise<boolean>;
}

const ANONYMOUS_PREFIX = 'anon_';

export function createVisitors({
  sessionSecrets,
  getUserId,
}: Pick<ResolvedOptions, 'sessionSecrets' | 'getUserId'>): Visitors {
  const [signer, ...older] = sessionSecrets.map((secret) => createSigner(secret, 'user-id'));
  const pseudonymUnder = async (key: Signer, value: string) => toHex(await key.sign(value)).slice(0, 32);

  async function pseudonymize(value: string): Promise<string> {
    return pseudonymUnder(signer!, value);
  }

  async function visitor(userId: string, anonymous: boolean): Promise<Visitor> {
    return { userId, anonymous, pseudonym: await pseudonymize(userId) };
  }

  return {
    pseudonymize,
    async isPseudonymOf(visitor, pseudonym) {
      if (visitor.pseudonym === pseudonym) return true;
      for (const key of older) if ((await pseudonymUnder(key, visitor.userId)) === pseudonym) return true;
      return false;
    },
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
