/**
 * What of Plaid's answer may reach the browser: the allow-listed profile, item ids, and a signed
 * profile token carrying both, which the partner's back end checks with {@link verifyProfileToken}.
 */
import type { UserAccountIdentity, UserAccountItem } from 'plaid';

import { createSigner, deriveKey, randomId, secretList, toBase64Url } from './crypto.js';
import type { BrowserItem, BrowserProfile, ProfileField } from '../contract/index.js';

const ISSUER = 'layer-onboarding';
const AUDIENCE = 'layer-onboarding/profile';

/**
 * The browser-safe profile: fields not in `fields` are `null`; `ssn` appears only if listed. Plaid's
 * answer is read as untyped JSON: a value that is not a string (an object, a number, from a broken
 * or changed upstream) becomes `null` rather than reaching the browser, or failing the exchange.
 */
export function toBrowserProfile(
  identity: UserAccountIdentity | null,
  fields: ReadonlySet<ProfileField>,
): BrowserProfile {
  const pick = <T>(field: ProfileField, value: T | null): T | null => (fields.has(field) ? value : null);
  const ssn = text(identity?.ssn);
  const ssnLast4 = text(identity?.ssn_last_4) ?? (ssn ? ssn.slice(-4) : null);
  const name = record(identity?.name);
  const address = record(identity?.address);
  const profile: BrowserProfile = {
    name: pick('name', name ? { first_name: text(name.first_name), last_name: text(name.last_name) } : null),
    address: pick(
      'address',
      address
        ? {
            street: text(address.street),
            street2: text(address.street2),
            city: text(address.city),
            region: text(address.region),
            postal_code: text(address.postal_code),
            country: text(address.country),
          }
        : null,
    ),
    phone_number: pick('phone_number', text(identity?.phone_number)),
    email: pick('email', text(identity?.email)),
    date_of_birth: pick('date_of_birth', text(identity?.date_of_birth)),
    ssn_last_4: pick('ssn_last_4', ssnLast4),
  };
  if (fields.has('ssn')) profile.ssn = ssn;
  return profile;
}

/** Items as the browser sees them: the id only, never the access token. */
export function toBrowserItems(items: readonly UserAccountItem[]): BrowserItem[] {
  return items.flatMap((item) => {
    const id = text(record(item)?.item_id);
    return id === null ? [] : [{ item_id: id }];
  });
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export interface ProfileTokenInput {
  profile: BrowserProfile;
  items: BrowserItem[];
  /** The integrator's user id (from `getUserId`); omitted for anonymous sessions. */
  userId?: string;
  /** Epoch milliseconds. */
  now: number;
  ttlSeconds: number;
}

const encoder = new TextEncoder();
/** A JWT part: the base64url of `value`'s JSON. */
const jwtPart = (value: unknown) => toBase64Url(encoder.encode(JSON.stringify(value)));

/** The JWS header of every profile token. */
const JWT_HEADER = jwtPart({ alg: 'HS256', typ: 'JWT' });

/** Signs profile tokens under one `sessionSecret`. */
export interface ProfileTokens {
  sign(input: ProfileTokenInput): Promise<string>;
}

/**
 * The profile token: a compact HS256 JWT (RFC 7519). Signed here rather than with jose's SignJWT,
 * which signs through Web Crypto (an async crypto job per token, about 5 × the CPU of Node's HMAC
 * in bench/server.ts), while `createSigner` uses Node's HMAC where the runtime has it, with its key
 * derived once, when the API is created (as the session handles' is). Two header/claims encodings
 * and an HMAC are all there is to it; any JWT library verifies the result
 * ({@link verifyProfileToken} uses jose, and its tests check that).
 */
export function createProfileTokens(secrets: string | readonly string[]): ProfileTokens {
  // Signed with the first secret only: the partner's back end may not have the others yet.
  const signer = createSigner(secretList(secrets)[0]!, 'profile-token');
  return {
    async sign({ profile, items, userId, now, ttlSeconds }) {
      const issuedAt = Math.floor(now / 1000);
      const claims = {
        profile,
        items,
        iss: ISSUER,
        aud: AUDIENCE,
        jti: randomId(),
        iat: issuedAt,
        exp: issuedAt + ttlSeconds,
        ...(userId !== undefined ? { sub: userId } : {}),
      };
      const body = `${JWT_HEADER}.${jwtPart(claims)}`;
      return `${body}.${toBase64Url(await signer.sign(body))}`;
    },
  };
}

/** A profile token that passed {@link verifyProfileToken}. */
export interface VerifiedProfile {
  profile: BrowserProfile;
  items: BrowserItem[];
  /** The integrator's user id the profile was issued to, or null for an anonymous session. */
  userId: string | null;
  /** The token's unique id (`jti`): remember it to accept each token once. */
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface VerifyProfileTokenOptions {
  /** Clock in epoch milliseconds; `Date.now` by default. */
  now?: () => number;
}

/** Thrown by {@link verifyProfileToken} for a token that is malformed, forged or expired. */
export class ProfileTokenError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid' | 'expired',
  ) {
    super(message);
    this.name = 'ProfileTokenError';
  }
}

/**
 * Checks a profile token from `POST /session` (e.g. posted with the partner's sign-up form) with
 * the same `sessionSecret` the API was given, and returns what it carries.
 * @param token What the request carried, as it came: `form.get('layer_token')`, `req.body.layer_token`.
 *   Anything but a non-empty string (a missing field, a file) is an `invalid` token, not a crash.
 * @param secrets The API's `sessionSecret`: one, or while it is rotated the list, any of which may
 *   have signed the token.
 * @throws {ProfileTokenError} if the token is not one these secrets signed, or has expired.
 */
export async function verifyProfileToken(
  token: unknown,
  secrets: string | readonly string[],
  { now = Date.now }: VerifyProfileTokenOptions = {},
): Promise<VerifiedProfile> {
  if (typeof token !== 'string' || !token) throw new ProfileTokenError('No profile token given.', 'invalid');
  const list = typeof secrets === 'string' || !Array.isArray(secrets) ? [secrets as unknown] : secrets;
  if (list.length === 0 || !list.every((secret) => typeof secret === 'string' && secret))
    throw new TypeError('verifyProfileToken needs the sessionSecret.');
  // Imported here: the API itself signs tokens without jose, and need not load it at start-up.
  const { jwtVerify } = await import('jose');
  let payload: Record<string, unknown> | undefined;
  for (const [index, secret] of (list as readonly string[]).entries()) {
    try {
      ({ payload } = await jwtVerify(token, await deriveKey(secret, 'profile-token'), {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['iat', 'exp', 'jti'],
        currentDate: new Date(now()),
      }));
      break;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      // Another secret may have signed it; any other failure is the token's own.
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' && index < list.length - 1) continue;
      const expired = code === 'ERR_JWT_EXPIRED';
      throw new ProfileTokenError(
        expired ? 'The profile token has expired.' : 'The profile token is not valid.',
        expired ? 'expired' : 'invalid',
      );
    }
  }
  if (!payload) throw new ProfileTokenError('The profile token is not valid.', 'invalid');
  const { profile, items, sub, jti, iat, exp } = payload;
  if (typeof profile !== 'object' || profile === null || !Array.isArray(items))
    throw new ProfileTokenError('The profile token carries no profile.', 'invalid');
  return {
    profile: profile as BrowserProfile,
    items: items as BrowserItem[],
    userId: typeof sub === 'string' ? sub : null,
    tokenId: String(jti),
    issuedAt: new Date(Number(iat) * 1000),
    expiresAt: new Date(Number(exp) * 1000),
  };
}
