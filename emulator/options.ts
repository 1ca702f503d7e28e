/** `createPlaidEmulator`'s options and their defaults. */
import type { FaultSpec } from './faults.js';
import type { EventTiming } from './link-protocol/messages.js';
import { DEFAULT_TEMPLATES, type LayerTemplate } from './templates.js';
import type { WebhookFailure } from './webhooks.js';

/** The credentials the emulator accepts unless told otherwise. */
export const EMULATOR_CLIENT_ID = 'emulator-client-id';
export const EMULATOR_SECRET = 'emulator-secret';

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
  /** Layer templates by id, added to (or replacing) the built-in ones. */
  templates?: Record<string, LayerTemplate>;
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
  /** When Link delivers its non-real-time events; see {@link EventTiming}. Default `realtime`. */
  eventTiming?: EventTiming;
  /** Told when a webhook could not be delivered; default a one-line `console.warn`. */
  onWebhookFailure?: (failure: WebhookFailure) => void;
}

export interface ResolvedOptions {
  clientId: string;
  secret: string;
  webhookUrl: string | null;
  templates: Readonly<Record<string, LayerTemplate>>;
  faults: readonly FaultSpec[];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  fetch: typeof fetch;
  linkTokenReuse: boolean;
  eventTiming: EventTiming;
  onWebhookFailure: (failure: WebhookFailure) => void;
}

export function resolveOptions({
  clientId = EMULATOR_CLIENT_ID,
  secret = EMULATOR_SECRET,
  webhookUrl,
  templates = {},
  faults = [],
  now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  fetch: fetchImpl,
  linkTokenReuse = true,
  eventTiming = 'realtime',
  onWebhookFailure = ({ url, webhook_code, reason }) =>
    console.warn(`[plaid emulator] ${webhook_code} webhook to ${withoutQuery(url)} failed: ${reason}`),
}: PlaidEmulatorOptions = {}): ResolvedOptions {
  return {
    clientId,
    secret,
    webhookUrl: webhookUrl ?? null,
    templates: { ...DEFAULT_TEMPLATES, ...templates },
    faults,
    now: now ? () => now().getTime() : () => Date.now(),
    sleep,
    // Looked up at call time, so a test that swaps the global fetch later is still honoured.
    fetch: fetchImpl ?? ((input, init) => fetch(input, init)),
    linkTokenReuse,
    eventTiming,
    onWebhookFailure,
  };
}

/** A webhook URL may carry a secret in its query string or credentials: log origin and path only. */
function withoutQuery(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
