/** `createPlaidEmulator`'s options and their defaults. */
import { checkAllowListEntry } from './api/redirect-uri.js';
import type { FaultSpec } from './faults.js';
import type { EventTiming } from './link-protocol/messages.js';
import { DEFAULT_TEMPLATES, type LayerTemplate } from './templates.js';
import {
  resolveWebhookDelivery,
  type ResolvedWebhookDelivery,
  type WebhookDeliveryOptions,
  type WebhookFailure,
} from './webhook-delivery.js';

/** The credentials the emulator accepts unless told otherwise. */
export const EMULATOR_CLIENT_ID = 'emulator-client-id';
export const EMULATOR_SECRET = 'emulator-secret';

/**
 * How many link tokens, public tokens, Link sessions and OAuth states one emulator remembers at
 * most; past it the oldest are forgotten (emulator choice: Plaid's own limits are not published).
 */
export const DEFAULT_STATE_LIMIT = 10_000;

export interface PlaidEmulatorOptions {
  /** The accepted `client_id`; default {@link EMULATOR_CLIENT_ID}. */
  clientId?: string;
  /** The accepted `secret`; default {@link EMULATOR_SECRET}. */
  secret?: string;
  /**
   * Where webhooks go when `/session/token/create` named no `webhook` (Plaid takes it from the
   * Layer template). Without either, no webhook is sent.
   */
  webhookUrl?: string;
  /**
   * How webhooks travel: lag, duplicates, out-of-order delivery, retries. The default is like
   * Plaid's: 100–500 ms of lag, one webhook in ten sent twice, retries 30 s apart ×4 up to 24 h.
   */
  webhookDelivery?: WebhookDeliveryOptions;
  /** Layer templates by id, added to (or replacing) the built-in ones. */
  templates?: Record<string, LayerTemplate>;
  /**
   * The Dashboard's "Allowed redirect URIs": a `redirect_uri` on a link token must match one. An
   * entry may put `*` in place of the left-most subdomain label (`https://*.example.com/oauth`).
   * Default: any `redirect_uri` that follows Plaid's rules is allowed.
   */
  redirectUris?: readonly string[];
  /**
   * Whether `/user_account/session/get` returns the user's email and the review step shows it.
   * Default false: Plaid documents `email` as "currently not returned".
   */
  returnEmail?: boolean;
  /** Faults active from the start; more can be set at `POST /emulator/faults`. */
  faults?: FaultSpec[];
  /** The clock, for expiry tests; default the system clock. */
  now?: () => Date;
  /** Waits out a fault's `latencyMs`; default a `setTimeout`. Tests pass their own to stay untimed. */
  sleep?: (ms: number) => Promise<void>;
  /** Delivers webhooks; default the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Whether a link token may start another session after one succeeded with it: true in Plaid's
   * Sandbox (the default); false behaves as Production, answering `INVALID_LINK_TOKEN`.
   */
  linkTokenReuse?: boolean;
  /**
   * When Link delivers its non-real-time events; see {@link EventTiming}. Default
   * `batched-after-callback`, the order Plaid's docs warn of: everything but `OPEN` and the
   * `LAYER_*` events arrives after `onSuccess`/`onExit`.
   */
  eventTiming?: EventTiming;
  /**
   * Told when a webhook delivery attempt failed; default a one-line `console.warn`. May be async:
   * a throw or a rejection is logged (its error's name only) and delivery goes on.
   */
  onWebhookFailure?: (failure: WebhookFailure) => void;
  /** Aborting it closes the emulator (see `PlaidEmulator.close()`). */
  signal?: AbortSignal;
  /** At most this many of each kind of token, session and OAuth state; default {@link DEFAULT_STATE_LIMIT}. */
  stateLimit?: number;
}

export interface ResolvedOptions {
  clientId: string;
  secret: string;
  webhookUrl: string | null;
  webhookDelivery: ResolvedWebhookDelivery;
  templates: Readonly<Record<string, LayerTemplate>>;
  redirectUris: readonly string[] | null;
  returnEmail: boolean;
  faults: readonly FaultSpec[];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  fetch: typeof fetch;
  linkTokenReuse: boolean;
  eventTiming: EventTiming;
  onWebhookFailure: (failure: WebhookFailure) => void;
  stateLimit: number;
}

export function resolveOptions({
  clientId = EMULATOR_CLIENT_ID,
  secret = EMULATOR_SECRET,
  webhookUrl,
  webhookDelivery = {},
  templates = {},
  redirectUris,
  returnEmail = false,
  faults = [],
  now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  fetch: fetchImpl,
  linkTokenReuse = true,
  eventTiming = 'batched-after-callback',
  onWebhookFailure = ({ url, webhook_code, reason, attempt, final }) =>
    console.warn(
      `[plaid emulator] ${webhook_code} webhook to ${withoutQuery(url)} failed (attempt ${attempt}${final ? ', giving up' : ', will retry'}): ${reason}`,
    ),
  stateLimit = DEFAULT_STATE_LIMIT,
}: PlaidEmulatorOptions = {}): ResolvedOptions {
  if (!(Number.isInteger(stateLimit) && stateLimit >= 1))
    throw new TypeError('stateLimit must be a positive whole number');
  redirectUris?.forEach(checkAllowListEntry);
  return {
    clientId,
    secret,
    webhookUrl: webhookUrl ?? null,
    webhookDelivery: resolveWebhookDelivery(webhookDelivery),
    templates: { ...DEFAULT_TEMPLATES, ...templates },
    redirectUris: redirectUris ? [...redirectUris] : null,
    returnEmail,
    faults,
    now: now ? () => now().getTime() : () => Date.now(),
    sleep,
    // Looked up at call time, so a test that swaps the global fetch later is still honoured.
    fetch: fetchImpl ?? ((input, init) => fetch(input, init)),
    linkTokenReuse,
    eventTiming,
    onWebhookFailure,
    stateLimit,
  };
}

/** A webhook URL may carry a secret in its query string or credentials: log origin and path only. */
export function withoutQuery(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
