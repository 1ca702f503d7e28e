/**
 * Plaid webhook verification, exactly as LAYER.md §2.3 (Plaid's "Webhook verification") says:
 * the `Plaid-Verification` header is an ES256 JWT; its key is fetched by `kid` through the `plaid`
 * client and cached per `kid`; `iat` must be at most 5 minutes old; the SHA-256 of the raw body
 * bytes must equal `request_body_sha256` (compared in constant time). As in Plaid's own sample, a
 * key whose `expired_at` is set is refused, whatever date it names.
 *
 * Anyone can post to the webhook URL with a made-up `kid`, and every unknown `kid` costs a call to
 * Plaid. Two things must hold under such a flood: Plaid must not be asked without bound, and a
 * genuine webhook — including one signed with a key we have never seen, after Plaid rotates its
 * keys — must still be verified. So:
 *
 * - Known keys and refused kids are kept apart. A key enters the known-key cache only when Plaid
 *   vouched for it, so forged kids can never push it out; refused kids (unknown to Plaid, or
 *   retired) go to their own bounded cache, where they only push out each other, and are not asked
 *   about again for a while. Concurrent webhooks naming the same new kid share one look-up.
 * - Look-ups of new kids are budgeted per source (the client address, as the rate limits see it):
 *   an attacker spends its own address's budget, never the one Plaid's addresses draw from.
 * - A global budget still caps look-ups for strangers — addresses that never delivered a verified
 *   webhook — so many addresses together cannot make us hammer Plaid. Addresses that did deliver
 *   one (Plaid's webhook senders, in practice) are exempt from it and keep only their own
 *   per-address budget, so when Plaid rotates its key, its next webhook is verified even while
 *   strangers have spent theirs.
 * - Cheap checks (freshness, body hash) run before any look-up, so stale replays cost nothing.
 *
 * Limits, also in SECURITY.md: this relies on knowing the client address. Behind a proxy without
 * `trustProxy` every webhook seems to come from the proxy, and with no address known at all they
 * share one budget; then a flood can again delay a genuine new key (Plaid retries for 24 hours).
 * Anyone with a Plaid account can relay webhooks Plaid signed for them and so become a "known
 * sender"; the known-sender list is bounded and never drops a live entry for a newcomer.
 */
import type * as Jose from 'jose';
import type { importJWK } from 'jose';
import type { JWKPublicKey } from 'plaid';

import { sha256Hex, timingSafeEqual } from './crypto.js';
import { LayerApiError } from './errors.js';
import { badPlaidResponse, callPlaid, type PlaidCalls } from './plaid-client.js';

/** Oldest accepted `iat`, in seconds (Plaid: 5 minutes). */
export const WEBHOOK_MAX_AGE_SECONDS = 5 * 60;
/** How far `iat` may be ahead of our clock, in seconds: clock skew, not a replay window. */
const WEBHOOK_MAX_CLOCK_SKEW_SECONDS = 60;

/** A known key is asked about again after this, to learn that Plaid retired it (`expired_at`). */
const KEY_REFRESH_MS = 60 * 60 * 1000;
/** While Plaid cannot be asked, a known key stays in use this long after it was last confirmed. */
const KEY_MAX_STALE_MS = 24 * 60 * 60 * 1000;
/** After a failed refresh, the next one waits this long. */
const KEY_REFRESH_RETRY_MS = 60 * 1000;
/** Known keys kept; only keys Plaid vouched for enter, least recently used go first. */
const MAX_KNOWN_KEYS = 32;
/** A kid Plaid does not know is not asked about again for this long. */
const UNKNOWN_KID_MS = 5 * 60 * 1000;
/** A retired key (`expired_at` set) is not asked about again for this long. */
const RETIRED_KID_MS = 24 * 60 * 60 * 1000;
/** Refused kids kept; they only push out each other. */
const MAX_REFUSED_KIDS = 1024;

/** Look-ups of new kids per client address per minute. */
export const KEY_LOOKUPS_PER_SOURCE = 5;
/** Look-ups of new kids per minute, together, for addresses that never delivered a verified webhook. */
export const KEY_LOOKUPS_FOR_STRANGERS = 30;
const LOOKUP_WINDOW_MS = 60 * 1000;
/** Per-address windows kept; a dropped one only starts afresh. */
const MAX_TRACKED_SOURCES = 4096;
/** Addresses remembered as having delivered a verified webhook, and for how long. */
const MAX_KNOWN_SENDERS = 64;
const KNOWN_SENDER_MS = 7 * 24 * 60 * 60 * 1000;
/** Plaid gives up on a webhook answer after 10 s: a key look-up, retry included, stays well inside. */
const KEY_LOOKUP_DEADLINE_MS = 8000;
const KEY_LOOKUP_ATTEMPT_MS = 5000;

/** The source name of requests whose client address nobody knows. */
const UNKNOWN_SOURCE = 'unknown';

export class WebhookVerificationError extends Error {
  /** For the log line only: what the integrator can change. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.hint = hint;
  }
}

type VerificationKey = Awaited<ReturnType<typeof importJWK>>;

export interface WebhookVerifierOptions {
  plaid: PlaidCalls;
  timeoutMs: number;
  /** Clock in epoch ms. */
  now: () => number;
}

/**
 * Resolves for a genuine Plaid webhook and throws {@link WebhookVerificationError} otherwise.
 * `source` is the client address (undefined when unknown): it decides whose look-up budget a new
 * `kid` spends.
 */
export type WebhookVerifier = (
  header: string | undefined,
  body: Uint8Array<ArrayBuffer>,
  source?: string,
) => Promise<void>;

type Lookup = { kind: 'key'; key: VerificationKey } | { kind: 'unknown' } | { kind: 'retired' };

interface KnownKey {
  key: VerificationKey;
  /** When Plaid last confirmed it. */
  confirmedAt: number;
  /** When to ask Plaid about it again. */
  refreshAt: number;
}

/** Sets `key` as the newest entry of `map`, dropping the oldest beyond `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}

/** Fixed one-minute windows per name: `take(name)` spends one, false when none is left. */
function lookupBudget(limit: number, maxNames: number, now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  return function take(name: string): boolean {
    const time = now();
    let window = windows.get(name);
    if (!window || time - window.start >= LOOKUP_WINDOW_MS || time < window.start) {
      window = { start: time, count: 0 };
      remember(windows, name, window, maxNames);
    }
    if (window.count >= limit) return false;
    window.count++;
    return true;
  };
}

/** `jose`, imported on the first webhook rather than at start-up (0.05-0.2 s under tsx). */
let jose: Promise<typeof Jose> | undefined;
const loadJose = () =>
  (jose ??= import('jose').catch((error: unknown) => {
    jose = undefined;
    throw error;
  }));

export function createWebhookVerifier({ plaid, timeoutMs, now }: WebhookVerifierOptions): WebhookVerifier {
  const knownKeys = new Map<string, KnownKey>();
  const refusedKids = new Map<string, { reason: 'unknown' | 'retired'; until: number }>();
  const inFlight = new Map<string, Promise<Lookup>>();
  const perSource = lookupBudget(KEY_LOOKUPS_PER_SOURCE, MAX_TRACKED_SOURCES, now);
  const forStrangers = lookupBudget(KEY_LOOKUPS_FOR_STRANGERS, 1, now);
  /** Addresses that delivered a verified webhook, with when they last did. */
  const knownSenders = new Map<string, number>();

  function isKnownSender(source: string): boolean {
    const last = knownSenders.get(source);
    return last !== undefined && now() - last < KNOWN_SENDER_MS;
  }

  function rememberSender(source: string): void {
    const time = now();
    if (!knownSenders.has(source)) {
      for (const [address, last] of knownSenders)
        if (time - last >= KNOWN_SENDER_MS) knownSenders.delete(address);
      // Full of live senders: keep them rather than let newcomers push Plaid's addresses out.
      if (knownSenders.size >= MAX_KNOWN_SENDERS) return;
    }
    knownSenders.set(source, time);
  }

  /** Spends a look-up for a new kid from `source`, or throws if its budget is spent. */
  function spendLookup(source: string): void {
    const hint =
      source === UNKNOWN_SOURCE
        ? 'no client address is known, so all webhooks share one look-up budget: pass getClientAddress, or set trustProxy (TRUST_PROXY) behind a proxy'
        : 'a flood of made-up key ids; behind a proxy, set trustProxy (TRUST_PROXY) so each sender has its own budget';
    if (!perSource(source) || (!isKnownSender(source) && !forStrangers(UNKNOWN_SOURCE)))
      throw new WebhookVerificationError('Too many verification key look-ups; try again later.', hint);
  }

  async function lookUp(kid: string): Promise<Lookup> {
    let answer: { key?: JWKPublicKey; request_id?: string } | null;
    try {
      answer = await callPlaid((options) => plaid.webhookVerificationKeyGet({ key_id: kid }, options), {
        ready: plaid.ready,
        timeoutMs: Math.min(timeoutMs, KEY_LOOKUP_ATTEMPT_MS),
        retries: 1,
        deadlineMs: KEY_LOOKUP_DEADLINE_MS,
      });
    } catch (error) {
      if (!(error instanceof LayerApiError))
        throw new WebhookVerificationError('The verification key could not be fetched from Plaid.');
      if (error.details.plaidErrorCode === 'INVALID_WEBHOOK_VERIFICATION_KEY_ID') return { kind: 'unknown' };
      // Plaid could not be asked (timeout, unreachable, 5xx, our keys refused): the webhook gets
      // that error's 5xx, not a 401, so the partner's logs and alerts tell an outage from a forgery.
      // Plaid resends a webhook not answered 200 either way.
      throw error;
    }
    // A 200 that is not Plaid's answer (a proxy's page, a cut or empty body) is an outage as well.
    const jwk = answer?.key;
    if (typeof jwk !== 'object' || jwk === null)
      throw badPlaidResponse('verification key', answer?.request_id);
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || (jwk.alg !== undefined && jwk.alg !== 'ES256'))
      throw new WebhookVerificationError('Plaid returned a verification key that is not ES256.');
    // Plaid's sample refuses any key with `expired_at` set: a retired key signs nothing new.
    if (jwk.expired_at != null) return { kind: 'retired' };
    try {
      return {
        kind: 'key',
        key: await (await loadJose()).importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ES256'),
      };
    } catch {
      throw new WebhookVerificationError('Plaid returned a verification key that is not ES256.');
    }
  }

  /** One look-up per kid at a time; its outcome updates the caches. */
  function lookUpOnce(kid: string): Promise<Lookup> {
    let pending = inFlight.get(kid);
    if (!pending) {
      pending = lookUp(kid)
        .then((result) => {
          const time = now();
          if (result.kind === 'key') {
            refusedKids.delete(kid);
            remember(
              knownKeys,
              kid,
              { key: result.key, confirmedAt: time, refreshAt: time + KEY_REFRESH_MS },
              MAX_KNOWN_KEYS,
            );
          } else {
            knownKeys.delete(kid);
            const until = time + (result.kind === 'retired' ? RETIRED_KID_MS : UNKNOWN_KID_MS);
            remember(refusedKids, kid, { reason: result.kind, until }, MAX_REFUSED_KIDS);
          }
          return result;
        })
        .finally(() => inFlight.delete(kid));
      inFlight.set(kid, pending);
    }
    return pending;
  }

  function refused(reason: 'unknown' | 'retired'): WebhookVerificationError {
    return new WebhookVerificationError(
      reason === 'retired'
        ? 'The verification key has expired.'
        : 'The verification key id is unknown to Plaid.',
    );
  }

  async function keyFor(kid: string, source: string): Promise<VerificationKey> {
    const time = now();
    const known = knownKeys.get(kid);
    if (known && time < known.refreshAt) {
      remember(knownKeys, kid, known, MAX_KNOWN_KEYS);
      return known.key;
    }
    const refusal = refusedKids.get(kid);
    if (!known && refusal && time < refusal.until) throw refused(refusal.reason);
    // A new kid costs its sender's budget; refreshing a key Plaid vouched for does not (it happens
    // at most once per KEY_REFRESH_MS, or KEY_REFRESH_RETRY_MS after a failure).
    if (!known && !inFlight.has(kid)) spendLookup(source);
    let result: Lookup;
    try {
      result = await lookUpOnce(kid);
    } catch (error) {
      // Plaid cannot be asked right now: a key it confirmed recently is still good.
      if (known && time - known.confirmedAt < KEY_MAX_STALE_MS) {
        known.refreshAt = now() + KEY_REFRESH_RETRY_MS;
        return known.key;
      }
      throw error;
    }
    if (result.kind !== 'key') throw refused(result.kind);
    return result.key;
  }

  /** The freshness and body checks, on a payload that is signed or about to be checked. */
  async function checkPayload(payload: Record<string, unknown>, body: Uint8Array<ArrayBuffer>) {
    const { iat, request_body_sha256: expected } = payload;
    const nowSeconds = now() / 1000;
    if (typeof iat !== 'number' || nowSeconds - iat > WEBHOOK_MAX_AGE_SECONDS)
      throw new WebhookVerificationError('The webhook is more than 5 minutes old.');
    if (iat - nowSeconds > WEBHOOK_MAX_CLOCK_SKEW_SECONDS)
      throw new WebhookVerificationError('The webhook is dated in the future.');
    if (typeof expected !== 'string' || !timingSafeEqual(await sha256Hex(body), expected.toLowerCase()))
      throw new WebhookVerificationError('The webhook body does not match its signature.');
  }

  return async function verifyWebhook(header, body, source) {
    if (!header) throw new WebhookVerificationError('Missing Plaid-Verification header.');
    if (header.length > 4096) throw new WebhookVerificationError('Plaid-Verification is too long.');
    const { decodeJwt, decodeProtectedHeader, jwtVerify } = await loadJose();
    let alg: unknown;
    let kid: unknown;
    let claimed: Record<string, unknown>;
    try {
      ({ alg, kid } = decodeProtectedHeader(header));
      claimed = decodeJwt(header);
    } catch {
      throw new WebhookVerificationError('Plaid-Verification is not a JWT.');
    }
    if (alg !== 'ES256') throw new WebhookVerificationError('Plaid-Verification must be signed with ES256.');
    if (typeof kid !== 'string' || !kid || kid.length > 256)
      throw new WebhookVerificationError('Plaid-Verification names no key id.');
    // Unsigned yet: refuse what would fail anyway before spending a key look-up on it.
    await checkPayload(claimed, body);

    const sender = source || UNKNOWN_SOURCE;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(header, await keyFor(kid, sender), {
        algorithms: ['ES256'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      if (error instanceof WebhookVerificationError || error instanceof LayerApiError) throw error;
      throw new WebhookVerificationError('The Plaid-Verification signature is not valid.');
    }
    await checkPayload(payload, body);
    if (sender !== UNKNOWN_SOURCE) rememberSender(sender);
  };
}
