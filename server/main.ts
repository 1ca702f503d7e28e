/**
 * `npm start`: the one file that reads the environment, serves files and listens.
 *
 * It serves the partner demo at `/` (and any other file under demo/), the widget builds at
 * `/layer-onboarding.js` (IIFE) and `/layer-onboarding.mjs` (ES module), the API at `/api/layer`,
 * `/health`, and — with no Plaid keys — the Plaid emulator at `/plaid`.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';

import {
  AUTOFILL_DATE_OF_BIRTH,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  LINK_SCRIPT_PATH,
  SANDBOX_OTP,
  SANDBOX_USERS,
  createPlaidEmulator,
  type LayerTemplate,
} from '../emulator/index.js';
import { readStartConfig, type StartConfig } from './environment.js';
import { createLayerApi, type LayerApiOptions } from './index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the API and, in emulator mode, the emulator are mounted. */
export const API_PATH = '/api/layer';
export const EMULATOR_PATH = '/plaid';
export const EMULATOR_LINK_SCRIPT = `${EMULATOR_PATH}${LINK_SCRIPT_PATH}`;

const JS = 'text/javascript; charset=utf-8';
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': JS,
  '.mjs': JS,
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const WIDGET_BUILDS = [
  'layer-onboarding.js',
  'layer-onboarding.mjs',
  'layer-onboarding.js.map',
  'layer-onboarding.mjs.map',
];

export interface SiteOptions {
  /** Folder that holds `demo/` and `dist/`; the repository root by default. */
  root?: string;
  /** The Layer API, mounted at `/api/layer`. */
  api?: Hono;
  /** The Plaid emulator, mounted at `/plaid`. */
  emulator?: Hono;
  /** Written as `link-script-src` into each `<layer-onboarding>` tag of the demo's HTML pages. */
  linkScriptSrc?: string;
}

/**
 * Adds `link-script-src="…"` to every `<layer-onboarding …>` start tag that has none, so the demo
 * page (written for real Plaid) loads the emulator's Link script in emulator mode.
 */
export function injectLinkScriptSrc(html: string, src: string): string {
  const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return html.replace(
    /<layer-onboarding(?=[\s/>])(?![^>]*\slink-script-src\s*=)/gi,
    (tag) => `${tag} link-script-src="${attribute}"`,
  );
}

/** `demo/<path>`, or null if the path is not a plain file inside demo/. */
async function demoFile(demoRoot: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (
    decoded.includes('\0') ||
    decoded.split(/[/\\]/).some((segment) => segment === '..' || segment.startsWith('.'))
  )
    return null;
  const file = resolve(demoRoot, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  if (!file.startsWith(demoRoot + sep)) return null;
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? file : null;
}

export function createSiteApp({ root = ROOT, api, emulator, linkScriptSrc }: SiteOptions = {}): Hono {
  const app = new Hono();
  const demoRoot = resolve(root, 'demo');

  app.get('/health', (c) => c.json({ ok: true }, 200));

  for (const name of WIDGET_BUILDS) {
    app.get(`/${name}`, async (c) => {
      const body = await readFile(join(root, 'dist', name)).catch(() => null);
      if (!body)
        return c.json(
          {
            error: {
              code: 'NOT_BUILT',
              message: `dist/${name} is missing: run npm run build.`,
              request_id: '',
            },
          },
          404,
        );
      return c.body(body, 200, {
        'Content-Type': CONTENT_TYPES[extname(name)] ?? JS,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
    });
  }

  if (api) app.route(API_PATH, api);
  if (emulator) app.route(EMULATOR_PATH, emulator);

  app.get('*', async (c) => {
    const file = await demoFile(demoRoot, c.req.path);
    if (!file) return c.req.path === '/favicon.ico' ? c.body(null, 204) : c.text('Not found', 404);
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const headers = {
      'Content-Type': type,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    };
    if (linkScriptSrc && type.startsWith('text/html'))
      return c.body(injectLinkScriptSrc(await readFile(file, 'utf8'), linkScriptSrc), 200, headers);
    return c.body(await readFile(file), 200, headers);
  });

  return app;
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

function formatPhone(e164: string): string {
  const digits = e164.replace(/^\+1/, '');
  return `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}

/**
 * The Layer template `npm start` uses in emulator mode when LAYER_TEMPLATE_ID is unset: the demo
 * bank asks for the identity a KYC form needs but lets users skip bank accounts, so every
 * documented Sandbox path works in the demo — 415-555-0011 straight through, and 415-555-0000
 * (no profile) or a partial profile through Extended Autofill with 1975-01-18.
 */
export const DEMO_TEMPLATE_ID = 'template_emulator_demo';
const DEMO_TEMPLATE: LayerTemplate = {
  requiredFields: ['name', 'address', 'date_of_birth', 'ssn'],
  accounts: 'optional',
  clientName: 'Northwind Bank',
};

/** The whole site for `config`, once the listening port (and so the emulator's URL) is known. */
function createApp(config: StartConfig, port: number): Hono {
  const base = `http://${reachableHost(config.host)}:${port}`;
  const emulated = config.plaid === null;
  const emulator = emulated
    ? createPlaidEmulator({
        templates: { [DEMO_TEMPLATE_ID]: DEMO_TEMPLATE },
        // Plaid takes the webhook from the Layer template; the emulator's stand-in is this server.
        webhookUrl: `${base}${API_PATH}/webhook`,
        onWebhookFailure: ({ webhook_code, reason }) =>
          console.warn(`plaid emulator: ${webhook_code} webhook delivery failed: ${reason}`),
      })
    : undefined;
  const options: LayerApiOptions = {
    plaid: config.plaid ?? {
      clientId: EMULATOR_CLIENT_ID,
      secret: EMULATOR_SECRET,
      basePath: `${base}${EMULATOR_PATH}`,
    },
    templateId: config.templateId ?? DEMO_TEMPLATE_ID,
    // With keys, readStartConfig insists on SESSION_SECRET; the emulator may use a throwaway one.
    sessionSecret: config.sessionSecret ?? randomBytes(32).toString('base64url'),
    // The demo's own origin (both loopback names when bound to loopback) and whatever ALLOWED_ORIGINS adds.
    allowedOrigins: [...ownOrigins(config.host, port), ...config.allowedOrigins],
    trustProxy: config.trustProxy,
    logger: (line) => console.log(line),
    ...(config.webhookUrl ? { webhookUrl: config.webhookUrl } : {}),
    // Everything comes from 127.0.0.1 in local use and test suites: keep the limits out of the way.
    ...(emulated
      ? {
          rateLimits: {
            linkTokenPerVisitor: { limit: 1000, windowSeconds: 600 },
            linkTokenPerAddress: { limit: 1000, windowSeconds: 600 },
            sessionPerVisitor: { limit: 1000, windowSeconds: 600 },
          },
        }
      : {}),
  };
  return createSiteApp({
    api: createLayerApi(options),
    ...(emulator ? { emulator, linkScriptSrc: EMULATOR_LINK_SCRIPT } : {}),
  });
}

function printEmulatorHelp(url: string, templateId: string): void {
  const width = Math.max(...SANDBOX_USERS.map((user) => formatPhone(user.phone_number).length));
  console.log(
    [
      `Emulator mode: PLAID_CLIENT_ID is not set, so Plaid is emulated offline at ${url}${EMULATOR_PATH}`,
      '(no Plaid account, no network). Open the demo and try a sandbox phone number:',
      ...SANDBOX_USERS.map(
        (user) => `  ${formatPhone(user.phone_number).padEnd(width)}  ${user.description}`,
      ),
      `One-time code: ${SANDBOX_OTP}. After "not eligible" (e.g. +1 415-555-0000), the date of birth`,
      `${AUTOFILL_DATE_OF_BIRTH} tries Extended Autofill. Layer template: ${templateId}${
        templateId === DEMO_TEMPLATE_ID
          ? ' (the demo bank: name, address, date of birth and SSN required; bank accounts optional)'
          : ''
      }.`,
      'To use real Plaid, set PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV, LAYER_TEMPLATE_ID and SESSION_SECRET.',
    ].join('\n'),
  );
}

function start(): void {
  const result = readStartConfig(process.env);
  if (!result.ok) {
    console.error(
      `layer-onboarding cannot start:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    process.exitCode = 1;
    return;
  }
  const { config } = result;
  let app: Hono | undefined;
  const server: ServerType = serve(
    {
      // The app needs the real port (PORT=0 picks one), so it is built once listening.
      fetch: (request, env) => (app ? app.fetch(request, env) : new Response('Starting', { status: 503 })),
      port: config.port,
      hostname: config.host,
    },
    (info) => {
      app = createApp(config, info.port);
      const url = `http://${reachableHost(config.host)}:${info.port}`;
      if (config.plaid) console.log(`Plaid ${config.plaid.env} with template ${config.templateId}.`);
      else printEmulatorHelp(url, config.templateId ?? DEMO_TEMPLATE_ID);
      // Last, so whoever waits for this line (the e2e harness) has everything above it too.
      console.log(`layer-onboarding listening on ${url}/`);
    },
  );
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(
      error.code === 'EADDRINUSE'
        ? `layer-onboarding cannot start: port ${config.port} on ${config.host} is in use. Stop the other server or set PORT.`
        : `layer-onboarding cannot start: ${error.code ?? error.message}`,
    );
    process.exit(1);
  });

  const stop = () => {
    server.close(() => process.exit(0));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    // Browsers keep connections open; give requests in flight a moment, then close the rest.
    setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && resolve(fileURLToPath(import.meta.url)) === resolve(process.argv[1])) start();
