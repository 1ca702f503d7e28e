// A partner page that enforces Trusted Types (`require-trusted-types-for 'script'`), as fintech
// pages do: under it Chromium throws a TypeError for a plain string given to a script URL or HTML
// sink. The widget must load Link and finish a sign-up there with only the policy names the README
// lists allowed, and without a single violation, through `npm start` in emulator mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openHostPage } from '../support/host-page.js';
import { shareInLink } from '../support/link.js';
import { useSite } from '../support/site.js';

const site = useSite();

/** What a partner adds for Trusted Types, with the names the README tells them to allow. */
const TRUSTED_TYPES_CSP = "require-trusted-types-for 'script'; trusted-types lit-html layer-onboarding";

test('under require-trusted-types-for, the widget loads Link and a returning user signs up, with no violation', async () => {
  const demo = await openHostPage(site.browser, site.server.url, {
    contentSecurityPolicy: TRUSTED_TYPES_CSP,
  });
  try {
    // Either Link loads (state `ready`) or the widget gives up (`error`): never wait for a hang.
    await demo.page.waitForFunction(() =>
      ['ready', 'error'].includes(document.querySelector('layer-onboarding')?.getAttribute('state') ?? ''),
    );
    assert.deepEqual(
      (await demo.events()).filter((event) => event.type === 'layer-error').map((event) => event.detail),
      [],
      'layer-error',
    );
    const input = demo.widget.getByLabel('Phone number', { exact: true });
    await input.click();
    await input.pressSequentially('415-555-0011');
    await demo.widget.getByRole('button', { name: 'Continue' }).click();
    assert.deepEqual(await demo.waitFor('layer-eligible'), { via: 'phone' });
    await shareInLink(demo.page);
    const success = await demo.waitFor('layer-success');
    assert.equal((success.profile as { phone_number: string }).phone_number, '+14155550011');
    demo.assertClean();
  } finally {
    await demo.close();
  }
});

test('a page whose trusted-types leaves out layer-onboarding gets a layer-error that names the policy, not a hang', async () => {
  const demo = await openHostPage(site.browser, site.server.url, {
    contentSecurityPolicy: "require-trusted-types-for 'script'; trusted-types lit-html",
  });
  try {
    const error = await demo.waitFor('layer-error');
    assert.match(String(error.message), /layer-onboarding/);
    await demo.page.waitForFunction(
      () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'error',
    );
  } finally {
    await demo.close();
  }
});
