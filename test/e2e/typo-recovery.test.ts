// A typo is not a dead end (issue 12): a visitor who mistypes their number gets back to the phone
// field with "Use a different number", from the date-of-birth step and from fallback, corrects it
// and signs up. Through `npm start` in emulator mode and Chromium, typed as a visitor would, on a
// page holding only the element (the demo's fallback slot would replace the widget's own words).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { findSandboxUser } from '../../emulator/sandbox-users.js';
import type { Demo } from '../support/demo.js';
import { openHostPage } from '../support/host-page.js';
import { shareInLink } from '../support/link.js';
import { useSite } from '../support/site.js';

const site = useSite();

const phoneField = (demo: Demo) => demo.widget.getByLabel('Phone number', { exact: true });

/** Resolves once the element's `state` attribute is `state`. */
async function stateIs(demo: Demo, state: string): Promise<void> {
  await demo.page.waitForFunction(
    (wanted) => document.querySelector('layer-onboarding')?.getAttribute('state') === wanted,
    state,
  );
}

/** Resolves once the phone field has the focus (inside the element's shadow root). */
async function phoneFieldFocused(demo: Demo): Promise<void> {
  const input = await phoneField(demo).elementHandle();
  await demo.page.waitForFunction(
    (field) => field !== null && (field.getRootNode() as ShadowRoot).activeElement === field,
    input,
  );
}

async function typePhone(demo: Demo, phone: string): Promise<void> {
  await stateIs(demo, 'ready');
  const input = phoneField(demo);
  await input.click();
  await input.pressSequentially(phone);
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
}

test('415-555-0000 by mistake → date of birth → "Use a different number" → 415-555-0011 → layer-success with Leslie’s profile', async () => {
  const demo = await openHostPage(site.browser, site.server.url);
  await typePhone(demo, '415-555-0000');
  // 415-555-0000 has no Plaid profile: Link answers LAYER_NOT_AVAILABLE, the widget asks for a
  // date of birth. The visitor sees their typo instead.
  await demo.widget.getByLabel('Date of birth').waitFor();
  assert.equal(await demo.widget.getAttribute('state'), 'dob');
  await demo.widget.getByRole('button', { name: 'Use a different number' }).click();

  // Back to the phone step, with what they typed, focused, ready to fix the last two digits.
  const input = phoneField(demo);
  await input.waitFor();
  await phoneFieldFocused(demo);
  assert.equal(await input.inputValue(), '415-555-0000');
  assert.equal(await demo.widget.getByLabel('Date of birth').count(), 0, 'the date-of-birth step is gone');
  await input.press('End');
  await input.press('Backspace');
  await input.press('Backspace');
  await input.pressSequentially('11');
  assert.equal(await input.inputValue(), '415-555-0011');
  await stateIs(demo, 'ready');
  await demo.widget.getByRole('button', { name: 'Continue' }).click();

  assert.deepEqual(await demo.waitFor('layer-eligible'), { via: 'phone' });
  await shareInLink(demo.page);
  const success = await demo.waitFor('layer-success');
  const identity = findSandboxUser('+14155550011')!.identity!;
  const profile = success.profile as Record<string, unknown>;
  assert.deepEqual(profile.name, { first_name: 'Leslie', last_name: 'Knope' });
  assert.deepEqual(profile.name, identity.name);
  assert.deepEqual(profile.address, identity.address);
  assert.equal(profile.phone_number, '+14155550011');
  assert.equal(profile.date_of_birth, identity.date_of_birth);
  await stateIs(demo, 'complete');

  // The typo cost the visitor nothing: no fallback, and the first attempt never reached Link's UI.
  const events = await demo.events();
  assert.deepEqual(
    events.filter((event) => event.type === 'layer-fallback' || event.type === 'layer-error'),
    [],
  );
  assert.equal(events.filter((event) => event.type === 'layer-eligible').length, 1);
  demo.assertClean();
  await demo.close();
});

test('+44 20 7946 0958 → fallback not_eligible with the number, no date of birth → "Use a different number" → the phone step', async () => {
  const demo = await openHostPage(site.browser, site.server.url);
  await typePhone(demo, '+44 20 7946 0958');

  // Layer serves US numbers only: fallback at once, with the number for the partner's form.
  assert.deepEqual(await demo.waitFor('layer-fallback'), { reason: 'not_eligible', phone: '+442079460958' });
  assert.equal(await demo.widget.getAttribute('state'), 'fallback');
  const states = (await demo.events())
    .filter((event) => event.type === 'layer-state-change')
    .map((event) => event.detail.state);
  assert.ok(!states.includes('dob'), `no date-of-birth step: ${states.join(' → ')}`);

  // Without a `fallback` slot, the widget's own fallback offers the way back.
  await demo.widget.getByRole('button', { name: 'Use a different number' }).click();
  const input = phoneField(demo);
  await input.waitFor();
  await phoneFieldFocused(demo);
  assert.equal(await input.inputValue(), '+44 20 7946 0958');
  await stateIs(demo, 'ready');
  assert.equal(await demo.widget.getByRole('button', { name: 'Continue' }).isEnabled(), true);
  demo.assertClean();
  await demo.close();
});
