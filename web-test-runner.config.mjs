// Browser tests in Debian's Chromium (or CHROMIUM_PATH); nothing downloads a browser.
import { writeFileSync } from 'node:fs';

import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { Hono } from 'hono';
import { tsImport } from 'tsx/esm/api';

// The Plaid emulator is TypeScript; tsx loads it for this config without a loader flag on the
// runner. Browser tests reach it at /plaid, as pages do under `npm start`.
const { createPlaidEmulator } = await tsImport('./emulator/index.ts', import.meta.url);
const plaidSite = new Hono().route('/plaid', createPlaidEmulator());

const { CHROMIUM_PATH: executablePath, CHROMIUM_ARGS: args } = await tsImport(
  './test/support/browser.ts',
  import.meta.url,
);

/**
 * Serves a fetch-style app (Hono) from the dev server's Koa stack for the paths under `prefix`:
 * the Koa request becomes a fetch `Request`, the `Response` is written back.
 */
function fetchAppMiddleware(prefix, app) {
  return async function fetchApp(ctx, next) {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.headers)) {
      if (value !== undefined && !['content-length', 'connection', 'transfer-encoding'].includes(name))
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const hasBody = !['GET', 'HEAD'].includes(ctx.method) && chunks.length > 0;
    const response = await app.fetch(
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
  plugins: [esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'auto' })],
  browsers: [chromeLauncher({ launchOptions: { executablePath, headless: true, args } })],
  concurrency: 2,
  // The Plaid emulator at /plaid; MSW's service worker at "/" so its scope covers the test pages.
  middleware: [
    fetchAppMiddleware('/plaid', plaidSite),
    function mswWorker(ctx, next) {
      if (ctx.path === '/mockServiceWorker.js') ctx.url = '/node_modules/msw/lib/mockServiceWorker.js';
      return next();
    },
  ],
  reporters: [defaultReporter(), summaryReporter()],
  testFramework: { config: { timeout: 10000 } },
};
