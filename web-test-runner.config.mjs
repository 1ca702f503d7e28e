// Browser tests in Debian's Chromium (or CHROMIUM_PATH); nothing downloads a browser.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { Hono } from 'hono';
import { tsImport } from 'tsx/esm/api';

import { CHROMIUM_ARGS as args, CHROMIUM_PATH as executablePath } from './scripts/chromium.mjs';

// The Plaid emulator and the real backend are TypeScript; tsx loads them for this config without
// a loader flag on the runner.
const { createPlaidEmulator, DEFAULT_TEMPLATES, EMULATOR_CLIENT_ID, EMULATOR_SECRET, EMULATOR_TEMPLATE_ID } =
  await tsImport('./emulator/index.ts', import.meta.url);
const { createLayerApi } = await tsImport('./server/index.ts', import.meta.url);

/** Where browser tests reach the emulator and the backend, as pages do under `npm start`. */
const EMULATOR_PATH = '/plaid';
const API_PATH = '/api/layer';
/** Test-only: the backend once per emulator template, at `/api/templates/<template id>`. */
const TEMPLATE_API_PATH = '/api/templates';

const emulator = createPlaidEmulator();

/**
 * The real backend (`createLayerApi`) at /api/layer on the emulator's default template, beside the
 * emulator at /plaid. Its `plaid` client calls the emulator through this same dev server, whose
 * origin — the test pages' origin, the only one allowed — is known at the first request.
 */
function createTestSite(origin) {
  const layerApi = (templateId) =>
    createLayerApi({
      plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: `${origin}${EMULATOR_PATH}` },
      templateId,
      sessionSecret: randomBytes(32).toString('base64url'),
      allowedOrigins: [origin],
      // Every test shares one address and many visitors: keep the limits out of the way.
      rateLimits: {
        linkTokenPerVisitor: { limit: 100_000, windowSeconds: 600 },
        linkTokenPerAddress: { limit: 100_000, windowSeconds: 600 },
        sessionPerVisitor: { limit: 100_000, windowSeconds: 600 },
      },
      // Tests print nothing on success; a failing test shows the error body it got.
      logger: false,
    });
  const site = new Hono().route(EMULATOR_PATH, emulator).route(API_PATH, layerApi(EMULATOR_TEMPLATE_ID));
  for (const templateId of Object.keys(DEFAULT_TEMPLATES))
    site.route(`${TEMPLATE_API_PATH}/${templateId}`, layerApi(templateId));
  return site;
}

let testSite;

/**
 * Serves a fetch-style app (Hono) from the dev server's Koa stack for the paths under `prefixes`:
 * the Koa request becomes a fetch `Request`, the `Response` is written back. `app` is called with
 * the dev server's origin on the first request and may build itself then.
 */
function fetchAppMiddleware(prefixes, app) {
  return async function fetchApp(ctx, next) {
    if (!prefixes.some((prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`))) return next();
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.headers)) {
      if (value !== undefined && !['content-length', 'connection', 'transfer-encoding'].includes(name))
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const hasBody = !['GET', 'HEAD'].includes(ctx.method) && chunks.length > 0;
    const response = await app(ctx.origin).fetch(
      new Request(new URL(ctx.originalUrl, `http://${ctx.host}`), {
        method: ctx.method,
        headers,
        body: hasBody ? Buffer.concat(chunks) : undefined,
      }),
    );
    ctx.status = response.status;
    response.headers.forEach((value, name) => ctx.set(name, value));
    ctx.body = Buffer.from(await response.arrayBuffer());
  };
}

/**
 * `executeServerCommand('emulate-forced-colors', { active })`: Windows High Contrast in Chromium.
 * `emulateMedia({ forcedColors })` from @web/test-runner-commands drops `forcedColors` under
 * Puppeteer (its plugin forwards only colour scheme and reduced motion, and Puppeteer's
 * `emulateMediaFeatures` rejects the feature), so a forced-colours test through it would pass
 * without ever being in forced colours. DevTools' own emulation renders the forced palette.
 */
function forcedColorsPlugin() {
  // A session's overrides end when it detaches: one session per page, kept.
  const sessions = new WeakMap();
  return {
    name: 'emulate-forced-colors',
    async executeCommand({ command, payload, session }) {
      if (command !== 'emulate-forced-colors') return undefined;
      const page = session.browser.getPage(session.id);
      if (!sessions.has(page)) sessions.set(page, await page.createCDPSession());
      await sessions.get(page).send('Emulation.setEmulatedMedia', {
        features: [{ name: 'forced-colors', value: payload?.active ? 'active' : 'none' }],
      });
      return true;
    },
  };
}

/** Writes `{ passed, failed, skipped }` to WTR_SUMMARY_FILE so `npm test` can total all tiers. */
function summaryReporter() {
  return {
    onTestRunFinished({ sessions }) {
      const file = process.env.WTR_SUMMARY_FILE;
      if (!file) return;
      const totals = { passed: 0, failed: 0, skipped: 0 };
      const walk = (suite) => {
        for (const test of suite.tests) {
          if (test.skipped) totals.skipped += 1;
          else if (test.passed) totals.passed += 1;
          else totals.failed += 1;
        }
        for (const child of suite.suites) walk(child);
      };
      for (const session of sessions) {
        if (session.testResults) walk(session.testResults);
        // A file that failed to load or threw outside a test has no test results: count it.
        if (!session.passed && (!session.testResults || session.errors.length > 0)) totals.failed += 1;
      }
      writeFileSync(file, JSON.stringify(totals));
    },
  };
}

export default {
  files: ['test/widget/**/*.test.ts', 'test/emulator/**/*.browser.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  plugins: [esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'auto' }), forcedColorsPlugin()],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath, headless: true, args },
      // Each file in a window of its own, not a tab behind the other file's: a background tab is
      // hidden, so Chromium runs no rendering steps there and a media-query change (the
      // prefers-color-scheme tests) fires only once the tab is shown, which it never is. A window
      // is visible and focused, as the page a visitor is looking at.
      createPage: ({ context }) => context.newPage({ type: 'window' }),
    }),
  ],
  concurrency: 2,
  // Two files run at once on a machine that may be busy: give each file, and each test, room.
  testsFinishTimeout: 600_000,
  browserStartTimeout: 120_000,
  // The emulator at /plaid and the real backend at /api; MSW's service worker at "/" so its scope
  // covers the test pages.
  middleware: [
    fetchAppMiddleware([EMULATOR_PATH, '/api'], (origin) => (testSite ??= createTestSite(origin))),
    function mswWorker(ctx, next) {
      if (ctx.path === '/mockServiceWorker.js') ctx.url = '/node_modules/msw/lib/mockServiceWorker.js';
      return next();
    },
  ],
  reporters: [defaultReporter(), summaryReporter()],
  // Tests wait for conditions up to 20 s (support/wait.ts); a test may wait for a few in a row.
  testFramework: { config: { timeout: 60_000 } },
};
