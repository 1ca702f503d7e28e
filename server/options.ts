/**
 * createLayerApi's options, their defaults, and the checks that turn a mistake into an error at
 * start-up instead of a failure on the first request.
 */
import type { Context } from 'hono';
import type { PlaidApi, UserAccountIdentity, UserAccountIdentityEditHistory, UserAccountItem } from 'plaid';

import { createPlaidClient, PLAID_ENVIRONMENTS, type PlaidCredentials } from './plaid-client.js';
import type { Logger } from './request-log.js';
import { createMemoryStore, type KeyValueStore } from './store.js';
import { DEFAULT_PROFILE_FIELDS, PROFILE_FIELDS, type ProfileField } from './types.js';

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimits {
  /** `POST /link-token` per session (user). Default 10 per 10 minutes. */
  linkTokenPerSession?: RateLimit | false;
  /** `POST /link-token` per client address. Default 100 per 10 minutes. */
  linkTokenPerAddress?: RateLimit | false;
  /** `POST /session` per session (user). Default 10 per 10 minutes. */
  sessionPerSession?: RateLimit | false;
}

export interface SessionCookieOptions {
  /** Default `layer_session`. */
  name?: string;
  /** Default: true when the request URL is https. Set it behind a TLS-terminating proxy. */
  secure?: boolean;
  /** Default `Lax`. `None` needs `secure: true`. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Default: none (host-only cookie). */
  domain?: string;
  /** Default `/`. */
  path?: string;
  /** Default: none (the cookie lasts until the browser session ends). */
  maxAgeSeconds?: number;
}

/** Handed to `onSession`: the one place full identity and access tokens are given out. */
export interface LayerSession {
  /** `getUserId`'s id, or the anonymous session's id. */
  userId: string;
  /** True when the user is the default anonymous cookie session. */
  anonymous: boolean;
  /** Everything the user shared, unfiltered: full SSN included. */
  identity: UserAccountIdentity | null;
  /** With their access tokens: store them server-side if you need the bank data. */
  items: UserAccountItem[];
  identityEditHistory: UserAccountIdentityEditHistory | null;
  /** Plaid's request id of the `/user_account/session/get` call. */
  plaidRequestId: string;
  /** The request, e.g. to sign the user in with your own cookie. */
  context: Context;
}

/** A webhook that passed verification (parsed JSON body). */
export interface PlaidWebhook {
  webhook_type: string;
  webhook_code: string;
  [field: string]: unknown;
}

export interface LayerApiOptions {
  /** A `plaid` client, or credentials to build one (`env` defaults to `sandbox`). */
  plaid: PlaidApi | PlaidCredentials;
  /** The Layer template id from the Plaid Dashboard. */
  templateId: string;
  /** At least 32 characters. Signs the session cookie and the profile token. */
  sessionSecret: string;
  /**
   * Your signed-in user's id, or null/undefined if nobody is signed in (→ 401). Without it, each
   * browser gets an anonymous session in a signed, HttpOnly cookie.
   */
  getUserId?: (c: Context) => string | null | undefined | Promise<string | null | undefined>;
  /** Called once per exchanged public token with the full identity and access tokens. */
  onSession?: (session: LayerSession) => void | Promise<void>;
  /** Called once per verified, de-duplicated webhook. Throw to have Plaid retry it. */
  onWebhook?: (webhook: PlaidWebhook) => void | Promise<void>;
  /** Profile fields the browser (and the profile token) may carry. Default: all but `ssn`. */
  profileFields?: readonly ProfileField[];
  /** Other origins whose pages may call the API with credentials (CORS). Same origin is always allowed. */
  allowedOrigins?: readonly string[];
  rateLimits?: RateLimits;
  /** Shared state (rate limits, grants, used tokens, seen webhooks). Default: in memory. */
  store?: KeyValueStore;
  /** Sent as `webhook` with each Link token; otherwise the template's webhook applies. */
  webhookUrl?: string;
  /** Sent as `redirect_uri` with each Link token (OAuth banks). */
  redirectUri?: string;
  /** Timeout of each Plaid call, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Retries of Link token creation after a timeout, network error or Plaid 5xx. Default 2. */
  retries?: number;
  /** First backoff before a retry, in ms, doubled each time (at most 2 s). Default 250. */
  retryDelayMs?: number;
  /** Largest accepted request body, in bytes. Default 16 384. */
  bodyLimitBytes?: number;
  /** How long the profile token is valid, in seconds. Default 600. */
  profileTokenTtlSeconds?: number;
  /** The anonymous session cookie. */
  cookie?: SessionCookieOptions;
  /**
   * The client's address for the per-address rate limit. Default: the socket address under
   * @hono/node-server; elsewhere, or behind a proxy, supply it (or the limit is not applied).
   */
  getClientAddress?: (c: Context) => string | undefined;
  /** One line per request; `console.log` by default, `false` for none. */
  logger?: Logger | false;
  /** Clock in epoch ms, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedOptions {
  plaid: PlaidApi;
  templateId: string;
  sessionSecret: string;
  getUserId: LayerApiOptions['getUserId'];
  onSession: NonNullable<LayerApiOptions['onSession']>;
  onWebhook: NonNullable<LayerApiOptions['onWebhook']>;
  profileFields: ReadonlySet<ProfileField>;
  allowedOrigins: ReadonlySet<string>;
  rateLimits: Required<RateLimits>;
  store: KeyValueStore;
  webhookUrl: string | undefined;
  redirectUri: string | undefined;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  bodyLimitBytes: number;
  profileTokenTtlSeconds: number;
  cookie: Required<Pick<SessionCookieOptions, 'name' | 'sameSite' | 'path'>> &
    Pick<SessionCookieOptions, 'secure' | 'domain' | 'maxAgeSeconds'>;
  getClientAddress: (c: Context) => string | undefined;
  logger: Logger | undefined;
  now: () => number;
}

export const DEFAULT_RATE_LIMITS: { readonly [K in keyof RateLimits]-?: RateLimit } = {
  linkTokenPerSession: { limit: 10, windowSeconds: 600 },
  linkTokenPerAddress: { limit: 100, windowSeconds: 600 },
  sessionPerSession: { limit: 10, windowSeconds: 600 },
};

export const MIN_SESSION_SECRET_LENGTH = 32;

/** The socket address under @hono/node-server, which passes `{ incoming }` as the env. */
function nodeSocketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : undefined;
}

function fail(message: string): never {
  throw new TypeError(`createLayerApi: ${message}`);
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    fail(`${name} must be a whole number ≥ 0, got ${String(value)}.`);
  return value;
}

function httpUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    fail(`${name} must be an http(s) URL, got ${JSON.stringify(value)}.`);
  return value;
}

/** `https://www.example.com` from `https://www.example.com/`; rejects paths, queries, `*`. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (`${url.origin}/` !== value && url.origin !== value) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function plaidClient(plaid: LayerApiOptions['plaid']): PlaidApi {
  if (!plaid) fail('`plaid` is required: a PlaidApi instance or { clientId, secret, env }.');
  if (!('clientId' in plaid)) return plaid;
  if (!plaid.clientId || !plaid.secret) fail('`plaid.clientId` and `plaid.secret` are required.');
  if (plaid.env !== undefined && !PLAID_ENVIRONMENTS.includes(plaid.env))
    fail(`\`plaid.env\` must be one of ${PLAID_ENVIRONMENTS.join(', ')}, got ${JSON.stringify(plaid.env)}.`);
  httpUrl(plaid.basePath, '`plaid.basePath`');
  return createPlaidClient(plaid);
}

function rateLimit(
  value: RateLimit | false | undefined,
  fallback: RateLimit,
  name: string,
): RateLimit | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (!Number.isInteger(value.limit) || value.limit < 1 || !(value.windowSeconds > 0))
    fail(`rateLimits.${name} needs a whole limit ≥ 1 and windowSeconds > 0 (or false to turn it off).`);
  return value;
}

export function resolveOptions(options: LayerApiOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') fail('options are required.');
  const plaid = plaidClient(options.plaid);
  if (typeof options.templateId !== 'string' || !options.templateId)
    fail('`templateId` is required: the Layer template id from the Plaid Dashboard.');
  if (typeof options.sessionSecret !== 'string' || options.sessionSecret.length < MIN_SESSION_SECRET_LENGTH)
    fail(`\`sessionSecret\` must be a random string of at least ${MIN_SESSION_SECRET_LENGTH} characters.`);

  const fields = options.profileFields ?? DEFAULT_PROFILE_FIELDS;
  for (const field of fields)
    if (!PROFILE_FIELDS.includes(field))
      fail(`unknown profile field ${JSON.stringify(field)}; choose from ${PROFILE_FIELDS.join(', ')}.`);

  const allowedOrigins = new Set<string>();
  for (const origin of options.allowedOrigins ?? []) {
    const normalized = normalizeOrigin(origin);
    if (!normalized)
      fail(`allowedOrigins entry ${JSON.stringify(origin)} is not an origin like https://www.example.com.`);
    allowedOrigins.add(normalized);
  }

  const limits = options.rateLimits ?? {};
  const cookie = options.cookie ?? {};
  const sameSite = cookie.sameSite ?? 'Lax';
  if (sameSite === 'None' && cookie.secure !== true)
    fail('cookie.sameSite "None" needs cookie.secure: true.');

  const timeoutMs = positiveInteger(options.timeoutMs, 10_000, 'timeoutMs');
  if (timeoutMs === 0) fail('timeoutMs must be > 0.');
  const bodyLimitBytes = positiveInteger(options.bodyLimitBytes, 16_384, 'bodyLimitBytes');
  const profileTokenTtlSeconds = positiveInteger(
    options.profileTokenTtlSeconds,
    600,
    'profileTokenTtlSeconds',
  );
  if (profileTokenTtlSeconds === 0) fail('profileTokenTtlSeconds must be > 0.');

  return {
    plaid,
    templateId: options.templateId,
    sessionSecret: options.sessionSecret,
    getUserId: options.getUserId,
    onSession: options.onSession ?? (() => undefined),
    onWebhook: options.onWebhook ?? (() => undefined),
    profileFields: new Set(fields),
    allowedOrigins,
    rateLimits: {
      linkTokenPerSession: rateLimit(
        limits.linkTokenPerSession,
        DEFAULT_RATE_LIMITS.linkTokenPerSession,
        'linkTokenPerSession',
      ),
      linkTokenPerAddress: rateLimit(
        limits.linkTokenPerAddress,
        DEFAULT_RATE_LIMITS.linkTokenPerAddress,
        'linkTokenPerAddress',
      ),
      sessionPerSession: rateLimit(
        limits.sessionPerSession,
        DEFAULT_RATE_LIMITS.sessionPerSession,
        'sessionPerSession',
      ),
    },
    store: options.store ?? createMemoryStore({ now: options.now ?? Date.now }),
    webhookUrl: httpUrl(options.webhookUrl, 'webhookUrl'),
    redirectUri: httpUrl(options.redirectUri, 'redirectUri'),
    timeoutMs,
    retries: positiveInteger(options.retries, 2, 'retries'),
    retryDelayMs: positiveInteger(options.retryDelayMs, 250, 'retryDelayMs'),
    bodyLimitBytes,
    profileTokenTtlSeconds,
    cookie: {
      name: cookie.name ?? 'layer_session',
      sameSite,
      path: cookie.path ?? '/',
      ...(cookie.secure !== undefined ? { secure: cookie.secure } : {}),
      ...(cookie.domain !== undefined ? { domain: cookie.domain } : {}),
      ...(cookie.maxAgeSeconds !== undefined ? { maxAgeSeconds: cookie.maxAgeSeconds } : {}),
    },
    getClientAddress: options.getClientAddress ?? nodeSocketAddress,
    logger: options.logger === false ? undefined : (options.logger ?? ((line) => console.log(line))),
    now: options.now ?? Date.now,
  };
}
