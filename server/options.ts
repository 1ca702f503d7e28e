/**
 * createLayerApi's options, their defaults, and the checks that turn a mistake into an error at
 * start-up instead of a failure on the first request.
 */
import type { Context } from 'hono';
import type { PlaidApi, UserAccountIdentity, UserAccountIdentityEditHistory, UserAccountItem } from 'plaid';

import { DEFAULT_PROFILE_FIELDS, PROFILE_FIELDS, type ProfileField } from '../contract/index.js';
import { clientAddress, NO_PROXY, type ProxyTrust } from './client-address.js';
import {
  lazyPlaidClient,
  PLAID_ENVIRONMENTS,
  plaidEnvironmentOf,
  type PlaidCalls,
  type PlaidCredentials,
  type PlaidEnvironment,
} from './plaid-client.js';
import { redirectUriProblem } from './redirect-uri.js';
import type { Logger } from './request-log.js';
import { createMemoryStore, type KeyValueStore } from './store.js';

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimits {
  /** `POST /link-token` per visitor (signed-in user or anonymous handle). Default 10 per 10 minutes. */
  linkTokenPerVisitor?: RateLimit | false | undefined;
  /** `POST /link-token` per client address. Default 100 per 10 minutes. */
  linkTokenPerAddress?: RateLimit | false | undefined;
  /** `POST /session` per visitor. Default 10 per 10 minutes. */
  sessionPerVisitor?: RateLimit | false | undefined;
}

/** Handed to `onSession`: the one place full identity and access tokens are given out. */
export interface LayerSession {
  /** `getUserId`'s id, or the anonymous visitor's random id. */
  userId: string;
  /** True for the default anonymous visitor (no `getUserId`). */
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
  /**
   * At least 32 random characters. Signs the session handle and the profile token. To rotate it
   * while old and new instances serve side by side, a list: the first signs, every one verifies
   * (README, "Rotating the session secret").
   */
  sessionSecret: string | readonly string[];
  /**
   * Your signed-in user's id, or null/undefined if nobody is signed in (→ 401). Without it, each
   * visitor is anonymous, known by the signed session handle `/link-token` gives the widget.
   */
  getUserId?: ((c: Context) => string | null | undefined | Promise<string | null | undefined>) | undefined;
  /** Called once per exchanged public token with the full identity and access tokens. */
  onSession?: ((session: LayerSession) => void | Promise<void>) | undefined;
  /** Called once per verified, de-duplicated webhook. Throw to have Plaid retry it. */
  onWebhook?: ((webhook: PlaidWebhook) => void | Promise<void>) | undefined;
  /** Profile fields the browser (and the profile token) may carry. Default: all but `ssn`. */
  profileFields?: readonly ProfileField[] | undefined;
  /**
   * The origins of the pages that embed `<layer-onboarding>` — your own site's too — like
   * `https://www.example.com`. Only they may call `/link-token` and `/session` (CORS and an
   * `Origin` check). Required unless `trustProxy` is set, which also allows the origin your proxy
   * reports in `Forwarded` / `X-Forwarded-Host`.
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * Set when the API runs behind proxies you control: `true` for one, a number for several, or
   * `{ hops, header: 'forwarded' }` when they set the standard `Forwarded` header rather than
   * `X-Forwarded-For` / `-Host` / `-Proto`. Then the client address (for rate limits) and the page's
   * origin come from that header family only. Never set it without such a proxy: those headers are
   * easy to forge.
   */
  trustProxy?:
    | boolean
    | number
    | { hops?: number | undefined; header?: 'x-forwarded' | 'forwarded' | undefined }
    | undefined;
  rateLimits?: RateLimits | undefined;
  /**
   * Shared state (rate limits, used public tokens, public-token sources, seen webhooks). Default: in
   * memory, for one process; several instances need a shared one.
   */
  store?: KeyValueStore | undefined;
  /** Sent as `webhook` with each Link token; otherwise the template's webhook applies. */
  webhookUrl?: string | undefined;
  /**
   * Sent as `redirect_uri` with each Link token (OAuth banks). Checked at start-up against Plaid's
   * rules (redirect-uri.ts): no query string, fragment or wildcard; https, except
   * `http://localhost` in Sandbox.
   */
  redirectUri?: string | undefined;
  /**
   * Makes `/session` wait for Plaid's SESSION_FINISHED webhook before exchanging a public token, so
   * the token is exchanged only with the session handle of the Link token Plaid says produced it.
   * Without this, that check holds only when the webhook arrived before the browser's `/session`.
   * `waitMs`: how long to wait for it (the store is polled, 25 ms doubling to 500 ms);
   * `waitMs + timeoutMs` may not exceed 25 000, as the widget gives up an exchange after 30 s.
   * `onTimeout`: when it does not come in time, `'refuse'` (default) answers 503
   * SESSION_NOT_CONFIRMED and the widget may retry; `'proceed'` exchanges anyway, unbound.
   * Needs the webhook to reach this API (`webhookUrl` or the Layer template's webhook), and with
   * several instances a shared `store`. Off by default.
   */
  requireWebhookBinding?: { waitMs: number; onTimeout?: 'refuse' | 'proceed' | undefined } | undefined;
  /** Timeout of each Plaid call, in ms. Default 10 000. */
  timeoutMs?: number | undefined;
  /**
   * Retries of Link token creation after a timeout, a network error (a connection cut mid-answer
   * included) or a Plaid 5xx. Default 2. The exchange (`/session`) is never retried.
   */
  retries?: number | undefined;
  /** First backoff before a retry, in ms, doubled each time (at most 2 s). Default 250. */
  retryDelayMs?: number | undefined;
  /**
   * The most Link token creation may take, retries and backoff included, in ms: no retry starts
   * after it, and an attempt gets only what is left of it (then 503 PLAID_TIMEOUT). Default
   * 15 000 (or `timeoutMs` if larger): under the 29–30 s after which proxies in front (API
   * Gateway, Heroku) answer with their own page.
   */
  linkTokenDeadlineMs?: number | undefined;
  /** Largest accepted request body, in bytes. Default 16 384. */
  bodyLimitBytes?: number | undefined;
  /** How long the profile token is valid, in seconds. Default 600. */
  profileTokenTtlSeconds?: number | undefined;
  /**
   * The client's address for the per-address rate limit. Default: the socket address under
   * @hono/node-server, `Bun.serve` and `Deno.serve` (from what they pass `app.fetch`), or what
   * `trustProxy`'s proxies report. Elsewhere (Workers: `CF-Connecting-IP`), supply it; requests
   * with no known address share one limit.
   */
  getClientAddress?: ((c: Context) => string | undefined) | undefined;
  /**
   * One line per request; `console.log` by default, `false` for none. If it throws or rejects, the
   * answer is unchanged and its first failure is said once with `console.error`.
   */
  logger?: Logger | false | undefined;
  /** Clock in epoch ms, for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
}

export interface ResolvedOptions {
  plaid: PlaidCalls;
  templateId: string;
  /** `sessionSecret` as a list: the first signs, every one verifies. */
  sessionSecrets: readonly string[];
  getUserId: LayerApiOptions['getUserId'];
  onSession: NonNullable<LayerApiOptions['onSession']>;
  onWebhook: NonNullable<LayerApiOptions['onWebhook']>;
  profileFields: ReadonlySet<ProfileField>;
  allowedOrigins: ReadonlySet<string>;
  /** Proxies trusted in front of the server (`hops: 0` for none) and the header they set. */
  proxy: ProxyTrust;
  rateLimits: Required<RateLimits>;
  store: KeyValueStore;
  webhookUrl: string | undefined;
  redirectUri: string | undefined;
  /** undefined: bind only when the webhook came first. */
  webhookBinding: { waitMs: number; onTimeout: 'refuse' | 'proceed' } | undefined;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  linkTokenDeadlineMs: number;
  bodyLimitBytes: number;
  profileTokenTtlSeconds: number;
  getClientAddress: (c: Context) => string | undefined;
  logger: Logger | undefined;
  now: () => number;
}

export const DEFAULT_RATE_LIMITS: { readonly [K in keyof RateLimits]-?: RateLimit } = {
  linkTokenPerVisitor: { limit: 10, windowSeconds: 600 },
  linkTokenPerAddress: { limit: 100, windowSeconds: 600 },
  sessionPerVisitor: { limit: 10, windowSeconds: 600 },
};

export const MIN_SESSION_SECRET_LENGTH = 32;
/** `requireWebhookBinding.waitMs + timeoutMs` at most: the widget gives up an exchange after 30 s. */
export const MAX_EXCHANGE_BUDGET_MS = 25_000;

function fail(message: string): never {
  throw new TypeError(`createLayerApi: ${message}`);
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    fail(`${name} must be a whole number ≥ 0, got ${String(value)}.`);
  return value;
}

/**
 * The request logger. Checked here because each call is guarded (safe-logger.ts): a logger object
 * (`pino()`, winston) passed in place of a function would otherwise drop every line, said only once.
 */
function logger(value: Logger | false | undefined): Logger | undefined {
  if (value === false) return undefined;
  if (value === undefined) return (line) => console.log(line);
  if (typeof value !== 'function') {
    const kind = value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
    fail(
      `logger must be a function (line, entry) => void, or false; got ${kind}` +
        ' (for pino: (line, entry) => log.info(entry, line)).',
    );
  }
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

/**
 * The `plaid` client, and the Plaid environment it talks to when known: the credentials' `env`
 * (sandbox by default), or for a PlaidApi instance whatever its host says (undefined for any host
 * but Plaid's own).
 */
function plaidClient(plaid: LayerApiOptions['plaid']): {
  client: PlaidCalls;
  env: PlaidEnvironment | undefined;
} {
  if (!plaid) fail('`plaid` is required: a PlaidApi instance or { clientId, secret, env }.');
  if (!('clientId' in plaid)) return { client: plaid, env: plaidEnvironmentOf(plaid) };
  if (!plaid.clientId || !plaid.secret) fail('`plaid.clientId` and `plaid.secret` are required.');
  if (plaid.env !== undefined && !PLAID_ENVIRONMENTS.includes(plaid.env))
    fail(`\`plaid.env\` must be one of ${PLAID_ENVIRONMENTS.join(', ')}, got ${JSON.stringify(plaid.env)}.`);
  httpUrl(plaid.basePath, '`plaid.basePath`');
  return { client: lazyPlaidClient(plaid), env: plaid.env ?? 'sandbox' };
}

/** One secret, or while rotating a list whose first signs: each checked like a single one. */
function sessionSecretList(value: LayerApiOptions['sessionSecret']): readonly string[] {
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0)
    fail('`sessionSecret` is an empty list: give at least one secret (the first signs, every one verifies).');
  for (const secret of list)
    if (typeof secret !== 'string' || secret.length < MIN_SESSION_SECRET_LENGTH)
      fail(
        `\`sessionSecret\` must be a random string of at least ${MIN_SESSION_SECRET_LENGTH} characters` +
          (Array.isArray(value) ? ', and so must every secret in its list.' : '.'),
      );
  return Object.freeze([...(list as string[])]);
}

function webhookBinding(
  value: LayerApiOptions['requireWebhookBinding'],
  timeoutMs: number,
): ResolvedOptions['webhookBinding'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null)
    fail('requireWebhookBinding must be { waitMs, onTimeout? }.');
  const { waitMs, onTimeout = 'refuse' } = value;
  if (!Number.isInteger(waitMs) || waitMs < 0)
    fail(`requireWebhookBinding.waitMs must be a whole number of ms ≥ 0, got ${String(waitMs)}.`);
  if (waitMs + timeoutMs > MAX_EXCHANGE_BUDGET_MS)
    fail(
      `requireWebhookBinding.waitMs (${waitMs}) + timeoutMs (${timeoutMs}) must not exceed ${MAX_EXCHANGE_BUDGET_MS} ms: the widget gives up an exchange after 30 s.`,
    );
  if (onTimeout !== 'refuse' && onTimeout !== 'proceed')
    fail(`requireWebhookBinding.onTimeout must be 'refuse' or 'proceed', got ${JSON.stringify(onTimeout)}.`);
  return { waitMs, onTimeout };
}

function redirectUri(value: string | undefined, env: PlaidEnvironment | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = redirectUriProblem(value, env);
  if (problem) fail(`redirectUri ${problem}`);
  return value;
}

function proxyTrust(value: LayerApiOptions['trustProxy']): ProxyTrust {
  if (value === undefined || value === false) return NO_PROXY;
  const { hops = 1, header = 'x-forwarded' } =
    typeof value === 'object' ? value : { hops: value === true ? 1 : value };
  if (!Number.isInteger(hops) || hops < 0)
    fail(
      `trustProxy must be true, false, a whole number of proxies or { hops, header }, got ${JSON.stringify(value)}.`,
    );
  if (header !== 'x-forwarded' && header !== 'forwarded')
    fail(`trustProxy.header must be 'x-forwarded' or 'forwarded', got ${JSON.stringify(header)}.`);
  return { hops, header };
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
  const { client: plaid, env: plaidEnv } = plaidClient(options.plaid);
  if (typeof options.templateId !== 'string' || !options.templateId)
    fail('`templateId` is required: the Layer template id from the Plaid Dashboard.');
  const sessionSecrets = sessionSecretList(options.sessionSecret);

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

  const proxy = proxyTrust(options.trustProxy);
  if (allowedOrigins.size === 0 && proxy.hops === 0)
    fail(
      'allowedOrigins is required: list the origins of the pages that embed <layer-onboarding>, your own ' +
        "site's included, e.g. allowedOrigins: ['https://www.example.com'] (or set trustProxy behind your proxy).",
    );

  for (const key of Object.keys(options.rateLimits ?? {}))
    if (!(key in DEFAULT_RATE_LIMITS))
      fail(
        `unknown rate limit rateLimits.${key}; choose from ${Object.keys(DEFAULT_RATE_LIMITS).join(', ')}.`,
      );
  const limits = options.rateLimits ?? {};

  const timeoutMs = positiveInteger(options.timeoutMs, 10_000, 'timeoutMs');
  if (timeoutMs === 0) fail('timeoutMs must be > 0.');
  const linkTokenDeadlineMs = positiveInteger(
    options.linkTokenDeadlineMs,
    Math.max(15_000, timeoutMs),
    'linkTokenDeadlineMs',
  );
  if (linkTokenDeadlineMs === 0) fail('linkTokenDeadlineMs must be > 0.');
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
    sessionSecrets,
    getUserId: options.getUserId,
    onSession: options.onSession ?? (() => undefined),
    onWebhook: options.onWebhook ?? (() => undefined),
    profileFields: new Set(fields),
    allowedOrigins,
    proxy,
    rateLimits: {
      linkTokenPerVisitor: rateLimit(
        limits.linkTokenPerVisitor,
        DEFAULT_RATE_LIMITS.linkTokenPerVisitor,
        'linkTokenPerVisitor',
      ),
      linkTokenPerAddress: rateLimit(
        limits.linkTokenPerAddress,
        DEFAULT_RATE_LIMITS.linkTokenPerAddress,
        'linkTokenPerAddress',
      ),
      sessionPerVisitor: rateLimit(
        limits.sessionPerVisitor,
        DEFAULT_RATE_LIMITS.sessionPerVisitor,
        'sessionPerVisitor',
      ),
    },
    store: options.store ?? createMemoryStore({ now: options.now ?? Date.now }),
    webhookUrl: httpUrl(options.webhookUrl, 'webhookUrl'),
    redirectUri: redirectUri(options.redirectUri, plaidEnv),
    webhookBinding: webhookBinding(options.requireWebhookBinding, timeoutMs),
    timeoutMs,
    retries: positiveInteger(options.retries, 2, 'retries'),
    retryDelayMs: positiveInteger(options.retryDelayMs, 250, 'retryDelayMs'),
    linkTokenDeadlineMs,
    bodyLimitBytes,
    profileTokenTtlSeconds,
    getClientAddress: options.getClientAddress ?? ((c) => clientAddress(c, { proxy })),
    logger: logger(options.logger),
    now: options.now ?? Date.now,
  };
}
