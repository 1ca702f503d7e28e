/**
 * `npm start`'s environment variables (DESIGN.md §4), checked all at once so one run lists every
 * problem with what to do about it. Pure: main.ts passes `process.env` in.
 */
import { MAX_EXCHANGE_BUDGET_MS, MIN_SESSION_SECRET_LENGTH, normalizeOrigin } from './options.js';
import { PLAID_ENVIRONMENTS, type PlaidEnvironment } from './plaid-client.js';
import { redirectUriProblem } from './redirect-uri.js';
import { redisUrlProblem } from './redis-url.js';

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

export interface StartConfig {
  port: number;
  host: string;
  /** Real Plaid keys, or null: emulator mode. */
  plaid: { clientId: string; secret: string; env: PlaidEnvironment } | null;
  /** Required with keys; in emulator mode the emulator's template when unset. */
  templateId: string | undefined;
  /** Required with keys; in emulator mode a random per-process secret when unset. */
  sessionSecret: string | undefined;
  allowedOrigins: string[];
  webhookUrl: string | undefined;
  /** Where OAuth banks send the visitor back (REDIRECT_URI); checked against Plaid's rules. */
  redirectUri: string | undefined;
  /**
   * Proxies in front of the server whose forwarding headers are believed: 0 for none, a number of
   * `X-Forwarded-*` proxies, or `{ hops, header: 'forwarded' }` for RFC 7239 `Forwarded`.
   */
  trustProxy: number | { hops: number; header: 'forwarded' };
  /**
   * WEBHOOK_BINDING_WAIT_MS: `/session` waits up to this long for Plaid's SESSION_FINISHED
   * (createLayerApi's `requireWebhookBinding`); undefined when unset.
   */
  webhookBindingWaitMs: number | undefined;
  // Several instances (README "Running several instances"): set only when given.
  /** REDIS_URL: the store every instance shares; unset: in this process's memory. */
  redisUrl?: string;
  /** PLAID_EMULATOR_URL: emulator mode with another `npm start`'s emulator (`…/plaid`), none mounted. */
  plaidEmulatorUrl?: string;
  /**
   * EMULATOR_RATE_LIMITS=default: emulator mode with createLayerApi's own rate limits (as with real
   * keys) instead of the relaxed ones local use gets; set only when given.
   */
  emulatorRateLimits?: 'default';
}

export type StartConfigResult =
  { ok: true; config: StartConfig; warnings: string[] } | { ok: false; problems: string[] };

/** The Plaid call timeout createLayerApi uses by default, which WEBHOOK_BINDING_WAIT_MS adds to. */
const PLAID_TIMEOUT_MS = 10_000;
const MAX_BINDING_WAIT_MS = MAX_EXCHANGE_BUDGET_MS - PLAID_TIMEOUT_MS;

const GENERATE_SECRET = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;
const KEYS_PAGE = 'https://dashboard.plaid.com/developers/keys';

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

export function readStartConfig(env: Readonly<Record<string, string | undefined>>): StartConfigResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };

  let port = DEFAULT_PORT;
  const rawPort = value('PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535) {
      problems.push(
        `PORT must be a whole number from 0 to 65535, got "${rawPort}". Unset it to use ${DEFAULT_PORT}.`,
      );
      port = DEFAULT_PORT;
    }
  }
  const host = value('HOST') ?? DEFAULT_HOST;

  const clientId = value('PLAID_CLIENT_ID');
  const secret = value('PLAID_SECRET');
  const rawEnv = value('PLAID_ENV') ?? 'sandbox';
  const plaidEnv = PLAID_ENVIRONMENTS.find((name) => name === rawEnv);
  if (!plaidEnv)
    problems.push(
      `PLAID_ENV must be ${PLAID_ENVIRONMENTS.join(' or ')}, got "${rawEnv}" (Plaid retired "development" in 2024).`,
    );
  if (clientId && !secret)
    problems.push(
      `PLAID_CLIENT_ID is set but PLAID_SECRET is not. Set PLAID_SECRET to your ${rawEnv} secret from ${KEYS_PAGE}, ` +
        'or unset PLAID_CLIENT_ID to run with the offline Plaid emulator.',
    );
  if (secret && !clientId)
    problems.push(
      `PLAID_SECRET is set but PLAID_CLIENT_ID is not. Set PLAID_CLIENT_ID from ${KEYS_PAGE}, ` +
        'or unset PLAID_SECRET to run with the offline Plaid emulator.',
    );
  const withKeys = Boolean(clientId || secret);

  const templateId = value('LAYER_TEMPLATE_ID');
  if (withKeys && !templateId)
    problems.push(
      'LAYER_TEMPLATE_ID is missing. With Plaid keys set, create a Layer template in the Plaid Dashboard ' +
        '(Layer → Templates) and set LAYER_TEMPLATE_ID to its id (template_…); or unset PLAID_CLIENT_ID ' +
        'and PLAID_SECRET to run with the offline Plaid emulator.',
    );

  const sessionSecret = value('SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < MIN_SESSION_SECRET_LENGTH)
    problems.push(
      `SESSION_SECRET is too short (${sessionSecret.length} characters): use at least ` +
        `${MIN_SESSION_SECRET_LENGTH} random characters, e.g. SESSION_SECRET=$(${GENERATE_SECRET}).`,
    );
  else if (withKeys && sessionSecret === undefined)
    problems.push(
      `SESSION_SECRET is missing. With Plaid keys set, it signs session handles and profile tokens and must ` +
        `stay the same across restarts: set it to at least ${MIN_SESSION_SECRET_LENGTH} random characters, ` +
        `e.g. SESSION_SECRET=$(${GENERATE_SECRET}).`,
    );

  const allowedOrigins: string[] = [];
  for (const entry of (value('ALLOWED_ORIGINS') ?? '').split(',').map((item) => item.trim())) {
    if (!entry) continue;
    const origin = normalizeOrigin(entry);
    if (origin) allowedOrigins.push(origin);
    else
      problems.push(
        `ALLOWED_ORIGINS entry "${entry}" is not an origin. Use a comma-separated list of scheme and host, ` +
          'e.g. ALLOWED_ORIGINS=https://www.example.com,https://shop.example.com (no paths, no *).',
      );
  }

  const webhookUrl = value('WEBHOOK_URL');
  if (webhookUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(webhookUrl);
    } catch {
      // reported below
    }
    const https = url?.protocol === 'https:';
    if (!url || !(https || (url.protocol === 'http:' && plaidEnv !== 'production')))
      problems.push(
        `WEBHOOK_URL must be a full URL Plaid can reach${plaidEnv === 'production' ? ' over https' : ''}, got ` +
          `"${webhookUrl}", e.g. WEBHOOK_URL=https://api.example.com/api/layer/webhook.`,
      );
  }

  const trustProxy = readTrustProxy(value('TRUST_PROXY')?.toLowerCase(), problems);

  const redirectUri = value('REDIRECT_URI');
  if (redirectUri !== undefined) {
    // In emulator mode the rules are Sandbox's, as the emulator applies them.
    const problem = redirectUriProblem(redirectUri, withKeys ? plaidEnv : 'sandbox');
    if (problem)
      problems.push(
        `REDIRECT_URI ${problem} It must also be listed under "Allowed redirect URIs" in the Plaid ` +
          'Dashboard (Developers → API). Unset it if none of your users connects through an OAuth bank.',
      );
  }

  let webhookBindingWaitMs: number | undefined;
  const rawWait = value('WEBHOOK_BINDING_WAIT_MS');
  if (rawWait !== undefined) {
    webhookBindingWaitMs = Number(rawWait);
    if (!/^\d+$/.test(rawWait) || webhookBindingWaitMs > MAX_BINDING_WAIT_MS) {
      problems.push(
        `WEBHOOK_BINDING_WAIT_MS must be a whole number of milliseconds from 0 to ${MAX_BINDING_WAIT_MS} ` +
          `(with Plaid's ${PLAID_TIMEOUT_MS / 1000} s call timeout, within the widget's patience), got "${rawWait}", ` +
          'e.g. WEBHOOK_BINDING_WAIT_MS=10000.',
      );
      webhookBindingWaitMs = undefined;
    }
  }

  if (withKeys && webhookUrl === undefined)
    warnings.push(
      'WEBHOOK_URL is not set: Plaid then sends its webhooks to the webhook URL set in the Layer template ' +
        `(${templateId ?? 'LAYER_TEMPLATE_ID'}) in the Plaid Dashboard (Layer → Templates). Set it there to ` +
        'https://<this server>/api/layer/webhook, or set WEBHOOK_URL; otherwise onWebhook never fires' +
        (webhookBindingWaitMs !== undefined
          ? ', and with WEBHOOK_BINDING_WAIT_MS every exchange fails with SESSION_NOT_CONFIRMED.'
          : '.'),
    );

  // ── several instances ──
  const redisUrl = value('REDIS_URL');
  const redisProblem = redisUrl === undefined ? undefined : redisUrlProblem(redisUrl);
  if (redisProblem)
    problems.push(
      `REDIS_URL ${redisProblem} (the value is not shown: it may hold a password). Use e.g. ` +
        'REDIS_URL=redis://localhost:6379, redis://:password@redis.internal:6379/0, or rediss:// for TLS.',
    );
  const plaidEmulatorUrl = value('PLAID_EMULATOR_URL')?.replace(/\/+$/, '');
  if (plaidEmulatorUrl !== undefined && withKeys)
    problems.push(
      'PLAID_EMULATOR_URL is for emulator mode: unset it, or unset PLAID_CLIENT_ID and PLAID_SECRET.',
    );
  else if (plaidEmulatorUrl !== undefined && !isHttpUrl(plaidEmulatorUrl))
    problems.push(
      `PLAID_EMULATOR_URL must be the http(s) URL of another npm start's emulator, got "${plaidEmulatorUrl}", ` +
        'e.g. PLAID_EMULATOR_URL=http://127.0.0.1:8787/plaid.',
    );

  const emulatorRateLimits = value('EMULATOR_RATE_LIMITS');
  if (emulatorRateLimits !== undefined && withKeys)
    problems.push(
      'EMULATOR_RATE_LIMITS is for emulator mode (with Plaid keys the default rate limits always apply): unset it.',
    );
  else if (
    emulatorRateLimits !== undefined &&
    emulatorRateLimits !== 'default' &&
    emulatorRateLimits !== 'relaxed'
  )
    problems.push(
      `EMULATOR_RATE_LIMITS must be "relaxed" (the emulator-mode default) or "default" (createLayerApi's own), got "${emulatorRateLimits}".`,
    );

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    warnings,
    config: {
      port,
      host,
      plaid: clientId && secret && plaidEnv ? { clientId, secret, env: plaidEnv } : null,
      templateId,
      sessionSecret,
      allowedOrigins,
      webhookUrl,
      redirectUri,
      trustProxy,
      webhookBindingWaitMs,
      ...(redisUrl ? { redisUrl } : {}),
      ...(plaidEmulatorUrl ? { plaidEmulatorUrl } : {}),
      ...(emulatorRateLimits === 'default' ? { emulatorRateLimits } : {}),
    },
  };
}

/**
 * TRUST_PROXY: `true`/`false`, a number of `X-Forwarded-*` proxies, or `forwarded` /
 * `forwarded:<n>` for proxies that set the standard `Forwarded` header (RFC 7239) instead.
 */
function readTrustProxy(raw: string | undefined, problems: string[]): StartConfig['trustProxy'] {
  if (raw === undefined || raw === 'false') return 0;
  if (raw === 'true') return 1;
  const match = /^(?:(forwarded)(?::(\d+))?|(\d+))$/.exec(raw);
  const hops = Number(match?.[2] ?? match?.[3] ?? (match?.[1] ? 1 : NaN));
  if (!match || !(hops <= 10)) {
    problems.push(
      'TRUST_PROXY must be true, false, the number of proxies in front of the server (e.g. 1), or ' +
        `forwarded / forwarded:<number> when they set the standard Forwarded header, got "${raw}".`,
    );
    return 0;
  }
  return match[1] && hops > 0 ? { hops, header: 'forwarded' } : hops;
}
