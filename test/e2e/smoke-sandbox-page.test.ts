// The manual half of `npm run smoke:sandbox`, as a developer does it: the page the script serves,
// opened in Chromium, runs Link (here the emulator's, by base URL) with the script's Link token;
// the printed steps — 415-555-0011, code 123456, Share — hand the public token back and the
// script's exchange passes. Under the page's strict policy, with no violation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { Browser } from 'playwright-core';

import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/support/emulator-server.js';
import { launchChromium, openPage } from '../support/browser.js';
import { shareInLink } from '../support/link.js';
import { settlesWithin, spawnNode } from '../support/processes.js';
import { START_TIMEOUT_MS } from '../support/server.js';

let emulator: RunningEmulator;
let browser: Browser;

before(async () => {
  [emulator, browser] = await Promise.all([startEmulator({}, '/plaid'), launchChromium()]);
});

after(async () => {
  await Promise.all([browser?.close(), emulator?.close()]);
});

test('the printed steps on the served page hand the public token back, and the smoke test passes', async () => {
  const run = spawnNode(['scripts/smoke-sandbox.ts'], {
    PATH: process.env.PATH ?? '',
    PLAID_CLIENT_ID: EMULATOR_CLIENT_ID,
    PLAID_SECRET: EMULATOR_SECRET,
    LAYER_TEMPLATE_ID: EMULATOR_TEMPLATE_ID,
    PLAID_BASE_URL: emulator.base,
    SMOKE_WAIT_SECONDS: '300',
  });
  try {
    const [, url] = (await run.waitFor(
      /open (http:\/\/127\.0\.0\.1:\d+\/) in a browser/,
      START_TIMEOUT_MS,
      'the page URL',
    )) as [string, string];
    const { page, errors, violations } = await openPage(browser);
    await page.goto(url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await shareInLink(page);
    await page.getByText(/Handed back: see the terminal\./).waitFor();
    assert.ok(await settlesWithin(run.exited, 120_000), `still running:\n${run.output()}`);
    assert.equal((await run.exited).code, 0, run.output());
    assert.match(run.output(), /Smoke test passed: 3 of 3 checks\./);
    assert.deepEqual(errors, []);
    assert.deepEqual(violations, []);
    await page.close();
  } finally {
    await run.stop(5_000);
  }
});
