import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage } from '../support/browser.js';
import { useSite } from '../support/site.js';

const site = useSite();

test('the demo page renders <layer-onboarding> with its phone input', async () => {
  const { page, errors } = await openPage(site.browser);
  await page.goto(site.server.url);
  const input = page.getByLabel('Phone number');
  await input.waitFor();
  assert.equal(await input.getAttribute('type'), 'tel');
  assert.equal(await page.evaluate(() => customElements.get('layer-onboarding') !== undefined), true);
  assert.deepEqual(errors, []);
  await page.close();
});
