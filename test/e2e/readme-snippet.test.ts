// The plain-HTML snippet in README.md, pasted as it stands into a page next to `npm start`, works:
// the widget renders, the Layer flow runs through the emulator and the snippet's own form is
// prefilled. If the README's snippet breaks, this fails.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { findSandboxUser } from '../../emulator/sandbox-users.js';
import { EMULATOR_LINK_SCRIPT, injectLinkScriptSrc } from '../../server/site.js';
import { openPage } from '../support/browser.js';
import { shareInLink } from '../support/link.js';
import { useSite } from '../support/site.js';

const site = useSite();

async function readmeSnippet(): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## The element'));
  const match = /```html\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has an html snippet in "The element"');
  return match[1]!;
}

test('the README snippet, pasted into a page served by npm start, prefills its form', async () => {
  const snippet = await readmeSnippet();
  // Served the way the README says: an HTML file dropped into demo/ (npm start points it at the
  // emulator's Link script). A route stands in for the file so the test leaves demo/ untouched.
  const { page, errors, violations } = await openPage(site.browser);
  await page.route(`${site.server.url}/pasted.html`, (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pasted</title></head><body>${injectLinkScriptSrc(snippet, EMULATOR_LINK_SCRIPT)}</body></html>`,
    }),
  );
  await page.goto(`${site.server.url}/pasted.html`);

  const widget = page.locator('layer-onboarding');
  await widget.getByLabel('Phone number', { exact: true }).pressSequentially('415-555-0011');
  await widget.getByRole('button', { name: 'Continue' }).click();
  await shareInLink(page);

  const identity = findSandboxUser('+14155550011')!.identity!;
  const firstName = page.getByLabel('First name');
  await page.waitForFunction(
    () => (document.querySelector('input[name=first_name]') as HTMLInputElement).value !== '',
  );
  assert.equal(await firstName.inputValue(), identity.name!.first_name);
  assert.equal(await page.getByLabel('Last name').inputValue(), identity.name!.last_name);
  assert.equal(await page.getByLabel('Date of birth').inputValue(), identity.date_of_birth);
  assert.deepEqual(errors, []);
  assert.deepEqual(violations, [], 'in Link’s iframe, under its own policy');
  await page.close();
});
