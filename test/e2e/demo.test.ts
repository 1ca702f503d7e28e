import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { Browser } from 'playwright-core';

import { launchChromium } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo page renders <layer-onboarding> with its phone input', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });

  await page.goto(server.url);
  const input = page.getByLabel('Phone number');
  await input.waitFor();
  assert.equal(await input.getAttribute('type'), 'tel');
  assert.equal(await page.evaluate(() => customElements.get('layer-onboarding') !== undefined), true);
  assert.deepEqual(errors, []);
  await page.close();
});
