/**
 * What `npm start` serves for a checked environment (server/environment.ts) once it knows its
 * port: the site (server/site.ts) with the Layer API for real Plaid or, with no keys, for the
 * emulator mounted beside it, and the lines to print before "listening". No Node built-ins and no
 * `process`: server/main.ts reads the environment and listens.
 */
import type { Hono } from 'hono';

import { LINK_SCRIPT_PATH } from '../contract/index.js';
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET } from '../emulator/index.js';
import { toBase64Url } from './crypto.js';
import type { StartConfig } from './environment.js';
import { createLayerApi, type LayerApiOptions } from './index.js';
import { createRedisStore } from './redis-store.js';
import { createSiteApp, EMULATOR_LINK_SCRIPT } from './site.js';
import { createEmulatorMode, DEMO_TEMPLATE_ID, emulatorHelp } from './start-emulator.js';

export interface StartSite {
  app: Hono;
  /** The address a browser on this machine opens, without a trailing slash. */
  url: string;
  /** What to print before the "listening on" line: the mode and what to try. */
  banner: string;
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

/** A throwaway session secret: emulator mode needs none that survives a restart. */
function randomSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Everything local use and test suites send comes from 127.0.0.1: keep the limits out of the way. */
const EMULATOR_RATE_LIMITS = {
  linkTokenPerVisitor: { limit: 1000, windowSeconds: 600 },
  linkTokenPerAddress: { limit: 1000, windowSeconds: 600 },
  sessionPerVisitor: { limit: 1000, windowSeconds: 600 },
};

export function createStartSite(config: StartConfig, port: number): StartSite {
  const url = `http://${reachableHost(config.host)}:${port}`;
  const templateId = config.templateId ?? DEMO_TEMPLATE_ID;
  // REDIS_URL: one store for every instance (README "Running several instances").
  const store = config.redisUrl
    ? createRedisStore({ url: config.redisUrl, logger: (line) => console.warn(line) })
    : undefined;
  const storeLine = store
    ? `Store: ${store.description}.`
    : 'Store: in memory (this process only; set REDIS_URL to share it between instances).';
  const options: Omit<LayerApiOptions, 'plaid'> = {
    templateId,
    // With keys, readStartConfig insists on SESSION_SECRET; the emulator may use a throwaway one.
    sessionSecret: config.sessionSecret ?? randomSecret(),
    // The demo's own origin (both loopback names when bound to loopback) and whatever ALLOWED_ORIGINS adds.
    allowedOrigins: [...ownOrigins(config.host, port), ...config.allowedOrigins],
    trustProxy: config.trustProxy,
    logger: (line) => console.log(line),
    ...(config.webhookUrl ? { webhookUrl: config.webhookUrl } : {}),
    ...(store ? { store } : {}),
  };

  if (config.plaid)
    return {
      app: createSiteApp({ api: createLayerApi({ ...options, plaid: config.plaid }) }),
      url,
      banner: `Plaid ${config.plaid.env} with template ${templateId}.\n${storeLine}`,
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
          rateLimits: EMULATOR_RATE_LIMITS,
        }),
        linkScriptSrc: `${external}${LINK_SCRIPT_PATH}`,
      }),
      url,
      banner: `Emulator mode: Plaid is the emulator at ${external} (PLAID_EMULATOR_URL); template ${templateId}.\n${storeLine}`,
    };

  const { emulator, plaid } = createEmulatorMode(url);
  return {
    app: createSiteApp({
      api: createLayerApi({ ...options, plaid, rateLimits: EMULATOR_RATE_LIMITS }),
      emulator,
      linkScriptSrc: EMULATOR_LINK_SCRIPT,
    }),
    url,
    banner: `${emulatorHelp(url, templateId)}\n${storeLine}`,
  };
}
