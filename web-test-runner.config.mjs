// Browser tests in Debian's Chromium (or CHROMIUM_PATH); nothing downloads a browser.
import { writeFileSync } from 'node:fs';

import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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
  // MSW's service worker must be served at "/" so its scope covers the test pages.
  middleware: [
    function mswWorker(ctx, next) {
      if (ctx.path === '/mockServiceWorker.js') ctx.url = '/node_modules/msw/lib/mockServiceWorker.js';
      return next();
    },
  ],
  reporters: [defaultReporter(), summaryReporter()],
  testFramework: { config: { timeout: 10000 } },
};
