/**
 * What `npm start` serves for a checked environment (server/environment.ts) once it knows its
 * port: the site (server/site.ts) with the Layer API for real Plaid or, with no keys, for the
 * emulator mounted beside it, and the lines to print before "listening". No Node built-ins and no
 * `process`: server/main.ts reads the environment and listens.
 */
import type { Hono } from 'hono';

import { LINK_SCRIPT_PATH } from '../contract/index.js';
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, type PlaidEmulator } from '../emulator/index.js';

import { toBase64Url } from './crypto.js';
import type { StartConfig } from './environment.js';
import { createLayerApi } from './create-layer-api.js';
import type { LayerApiOptions } from './options.js';
import type { createRedisStore } from './redis-store.js';
import { createSiteApp, demoContentSecurityPolicy, EMULATOR_LINK_SCRIPT } from './site.js';
import { createEmulatorMode, DEMO_TEMPLATE_ID, emulatorHelp } from './start-emulator.js';

export interface StartSite {
  app: Hono;
  /** The address a browser on this machine opens, without a trailing slash. */
  url: string;
  /** What to print before the "listening on" line: the mode and what to try. */
  banner: string;
  /** Stops what the site runs besides answering requests: the emulator's webhook deliveries. */
  close: () => Promise<void>;
  /** In emulator mode, the emulator (for its `stats()`). */
  emulator?: PlaidEmulator;
}

/** The host a client on this machine uses to reach a server bound to `host`. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** The origins a browser on this machine uses to open the server: with loopback, both names. */
export function ownOrigins(host: string, port: number): string[] {
  const loopback =
    host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '0.0.0.0' || host === '::';
  const origins = [`http://${reachableHost(host)}:${port}`];
  if (loopback) origins.push(`http://localhost:${port}`, `http://127.0.0.1:${port}`);
  return [...new Set(origins)];
}

/**
 * Whether both loopback names surely reach a server bound to `host`: 127.0.0.1 itself, or every
 * address. (`localhost` alone may bind ::1 only, where http://127.0.0.1 finds nothing.)
 */
function servesBothLoopbackNames(host: string): boolean {
  return host === '127.0.0.1' || host === '0.0.0.0' || host === '::';
}

/**
 * The demo's `link-script-src` in emulator mode: from the OTHER loopback name than the page's
 * (page on http://127.0.0.1:P → Link from http://localhost:P/plaid/…, and the reverse), so Link's
 * iframe is cross-origin to the page, as real Link's (cdn.plaid.com) is to a partner's. Under any
 * other name the page uses its own origin.
 */
export function crossOriginLinkScript(host: string, port: number): (pageUrl: URL) => string {
  return (pageUrl) => {
    const other = { '127.0.0.1': 'localhost', localhost: '127.0.0.1' }[pageUrl.hostname];
    if (!other || !servesBothLoopbackNames(host) || Number(pageUrl.port) !== port)
      return EMULATOR_LINK_SCRIPT;
    return `http://${other}:${port}${EMULATOR_LINK_SCRIPT}`;
  };
}

/**
 * In emulator mode with no REDIRECT_URI: the demo page on `http://localhost:<port>/`, so the
 * emulator's OAuth user works out of the box (Plaid allows plain http for localhost only).
 */
function defaultRedirectUri(host: string, port: number): string | undefined {
  return servesBothLoopbackNames(host) || host === 'localhost' ? `http://localhost:${port}/` : undefined;
}

/** A throwaway session secret: emulator mode needs none that survives a restart. */
function randomSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Everything local use and test suites send comes from 127.0.0.1: keep the limits out of the way,
 * unless EMULATOR_RATE_LIMITS=default asks for createLayerApi's own (`npm run test:load` does).
 */
const RELAXED_RATE_LIMITS = {
  linkTokenPerVisitor: { limit: 1000, windowSeconds: 600 },
  linkTokenPerAddress: { limit: 1000, windowSeconds: 600 },
  sessionPerVisitor: { limit: 1000, windowSeconds: 600 },
};

/** What `createStartSite` is given rather than imports: the Redis store (and `redis`) only with REDIS_URL. */
export interface StartSiteDeps {
  createRedisStore?: typeof createRedisStore;
}

export function createStartSite(config: StartConfig, port: number, deps: StartSiteDeps = {}): StartSite {
  const rateLimits = config.emulatorRateLimits === 'default' ? undefined : RELAXED_RATE_LIMITS;
  const url = `http://${reachableHost(config.host)}:${port}`;
  const templateId = config.templateId ?? DEMO_TEMPLATE_ID;
  const origins = ownOrigins(config.host, port);
  const redirectUri = config.plaid
    ? config.redirectUri
    : (config.redirectUri ?? defaultRedirectUri(config.host, port));
  // REDIS_URL: one store for every instance (README "Running several instances").
  if (config.redisUrl && !deps.createRedisStore)
    throw new Error('REDIS_URL is set: pass createRedisStore (server/redis-store.ts) to createStartSite.');
  const store = config.redisUrl
    ? deps.createRedisStore!({ url: config.redisUrl, logger: (line) => console.warn(line) })
    : undefined;
  const storeLine = store
    ? `Store: ${store.description}.`
    : 'Store: in memory (this process only; set REDIS_URL to share it between instances).';
  const closeStore = async () => {
    await store?.close();
  };
  const options: Omit<LayerApiOptions, 'plaid'> = {
    templateId,
    // With keys, readStartConfig insists on SESSION_SECRET; the emulator may use a throwaway one.
    sessionSecret: config.sessionSecret ?? randomSecret(),
    // The demo's own origin (both loopback names when bound to loopback) and whatever ALLOWED_ORIGINS adds.
    allowedOrigins: [...origins, ...config.allowedOrigins],
    trustProxy: config.trustProxy,
    logger: (line) => console.log(line),
    ...(config.webhookUrl ? { webhookUrl: config.webhookUrl } : {}),
    ...(redirectUri ? { redirectUri } : {}),
    ...(config.webhookBindingWaitMs !== undefined
      ? { requireWebhookBinding: { waitMs: config.webhookBindingWaitMs } }
      : {}),
    ...(store ? { store } : {}),
  };
  const binding =
    config.webhookBindingWaitMs === undefined
      ? []
      : [
          `Exchanges wait up to ${config.webhookBindingWaitMs} ms for Plaid's SESSION_FINISHED webhook (WEBHOOK_BINDING_WAIT_MS).`,
        ];

  if (config.plaid)
    return {
      app: createSiteApp({
        api: createLayerApi({ ...options, plaid: config.plaid }),
        contentSecurityPolicy: (nonce) => demoContentSecurityPolicy({ plaid: true }, nonce),
      }),
      url,
      banner: [
        `Plaid ${config.plaid.env} with template ${templateId}.`,
        ...(redirectUri ? [`OAuth banks send visitors back to ${redirectUri} (REDIRECT_URI).`] : []),
        ...binding,
        storeLine,
      ].join('\n'),
      close: closeStore,
    };

  // PLAID_EMULATOR_URL: another instance's emulator serves this one too (its API calls and the
  // page's Link script), so several instances share one emulator as they would share Plaid.
  const external = config.plaidEmulatorUrl;
  if (external)
    return {
      app: createSiteApp({
        api: createLayerApi({
          ...options,
          plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: external },
          rateLimits,
        }),
        linkScriptSrc: `${external}${LINK_SCRIPT_PATH}`,
        contentSecurityPolicy: demoContentSecurityPolicy({ emulatorOrigins: [new URL(external).origin] }),
      }),
      url,
      banner: `Emulator mode: Plaid is the emulator at ${external} (PLAID_EMULATOR_URL); template ${templateId}.\n${storeLine}`,
      close: closeStore,
    };

  const { emulator, plaid } = createEmulatorMode(url);
  return {
    app: createSiteApp({
      api: createLayerApi({ ...options, plaid, rateLimits }),
      emulator,
      linkScriptSrc: crossOriginLinkScript(config.host, port),
      contentSecurityPolicy: demoContentSecurityPolicy({ emulatorOrigins: origins }),
    }),
    url,
    banner: `${emulatorHelp(url, templateId, { redirectUri, settings: binding })}\n${storeLine}`,
    close: async () => {
      await emulator.close();
      await closeStore();
    },
    emulator,
  };
}
