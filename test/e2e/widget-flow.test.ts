// The whole Layer flow through `npm start` in emulator mode, in Chromium, typed as a user would:
// the demo page, the widget, the backend and the emulator's Link script and UI, nothing faked.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AUTOFILL_IDENTITY, findSandboxUser } from '../../emulator/sandbox-users.js';
import { openDemo as openDemoAt, submitPhone, type Recorded } from '../support/demo.js';
import { LINK_FRAME, linkClosed, shareInLink } from '../support/link.js';
import { useSite } from '../support/site.js';

// Plain `npm start`, as production-like as it gets by default: Link in an iframe from the other
// loopback name, Plaid's event timing (most events after onSuccess/onExit), late and duplicated
// webhooks, no email. Its demo template lets 415-555-0000 (no Plaid profile, no bank) through
// Extended Autofill, as LAYER.md §5 describes.
const site = useSite();

const openDemo = () => openDemoAt(site.browser, `${site.server.url}/`);

function assertNoSecrets(events: Recorded[], ssn: string): void {
  const text = JSON.stringify(events);
  assert.doesNotMatch(text, /access_token|access-sandbox-|access-production-/);
  assert.ok(!text.includes(ssn), 'the full SSN reached the browser');
}

test('415-555-0011 → code → Share: layer-success with that user’s profile, no secrets, form prefilled', async () => {
  const demo = await openDemo();
  const user = findSandboxUser('+14155550011')!;
  const identity = user.identity!;

  await submitPhone(demo, '415-555-0011');
  assert.deepEqual(await demo.waitFor('layer-eligible'), { via: 'phone' });
  await shareInLink(demo.page);
  const success = await demo.waitFor('layer-success');

  assert.deepEqual(success.profile, {
    name: identity.name,
    address: identity.address,
    phone_number: '+14155550011',
    // Plaid does not return email (LAYER.md §1.3), nor does the emulator by default.
    email: null,
    date_of_birth: identity.date_of_birth,
    ssn_last_4: identity.ssn!.slice(-4),
  });
  // The review step shares the first account unless the user ticks more: one Item.
  assert.equal((success.items as unknown[]).length, 1);
  assert.match(String(success.token), /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.match(String(success.linkSessionId), /\S/);
  assertNoSecrets(await demo.events(), identity.ssn!);

  assert.equal(await demo.widget.getAttribute('state'), 'complete');
  assert.equal(await demo.page.locator('#first-name').inputValue(), identity.name!.first_name);
  assert.equal(await demo.page.locator('#ssn-last-4').inputValue(), identity.ssn!.slice(-4));
  // Nothing claims the email was prefilled: the field is empty and the notice asks for it.
  assert.equal(await demo.page.locator('#email').inputValue(), '');
  assert.equal(
    await demo.page
      .locator('.field.prefilled')
      .filter({ has: demo.page.locator('#email') })
      .count(),
    0,
  );
  assert.match(await demo.page.locator('#notice-success').innerText(), /Please add: Email\./);
  // Link's other events come after onSuccess, as Plaid may send them: they still arrive.
  for (const name of ['SUBMIT_OTP', 'VERIFY_PHONE', 'HANDOFF'])
    await demo.waitForCount('layer-event', 1, name);
  await linkClosed(demo.page);
  await demo.page.waitForFunction((selector) => !document.querySelector(selector), LINK_FRAME);
  assert.equal(await demo.page.locator('script[src*="link-initialize.js"]').count(), 1);
  demo.assertClean();
  await demo.close();
});

test('415-555-0000 → date of birth 1975-01-18 → success through Extended Autofill', async () => {
  const demo = await openDemo();
  await submitPhone(demo, '(415) 555-0000');
  const dob = demo.widget.getByLabel('Date of birth');
  await dob.waitFor();
  await dob.pressSequentially('01/18/1975');
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
  assert.deepEqual(await demo.waitFor('layer-eligible'), { via: 'date_of_birth' });
  await shareInLink(demo.page);
  const success = await demo.waitFor('layer-success');

  const profile = success.profile as Record<string, unknown>;
  assert.deepEqual(profile.name, AUTOFILL_IDENTITY.name);
  assert.equal(profile.phone_number, '+14155550000');
  assert.equal(profile.date_of_birth, '1975-01-18');
  assertNoSecrets(await demo.events(), AUTOFILL_IDENTITY.ssn!);
  demo.assertClean();
  await demo.close();
});

test('415-555-0000 with another date of birth → fallback, the partner form takes over', async () => {
  const demo = await openDemo();
  await submitPhone(demo, '415 555 0000');
  const dob = demo.widget.getByLabel('Date of birth');
  await dob.waitFor();
  await dob.pressSequentially('02/02/1980');
  await demo.widget.getByRole('button', { name: 'Continue' }).click();

  assert.deepEqual(await demo.waitFor('layer-fallback'), {
    reason: 'autofill_not_available',
    phone: '+14155550000',
  });
  assert.equal(await demo.widget.getAttribute('state'), 'fallback');
  assert.equal((await demo.events()).filter((event) => event.type === 'layer-eligible').length, 0);
  // The demo puts nothing in the fallback slot: the widget's own fallback shows.
  assert.equal(await demo.page.locator('layer-onboarding [slot="fallback"]').count(), 0);
  await demo.widget.locator('.fallback').waitFor();
  // fill-form gives the partner's form the number the visitor typed (E.164, as layer-fallback has it).
  assert.equal(await demo.page.locator('#phone').inputValue(), '+14155550000');
  assert.equal(await demo.page.locator('#first-name').inputValue(), '');
  await linkClosed(demo.page);
  demo.assertClean();
  await demo.close();
});

test('three wrong codes → fallback authentication_failed', async () => {
  const demo = await openDemo();
  await submitPhone(demo, '+1 415 555 0011');
  await demo.waitFor('layer-eligible');
  await demo.link.getByRole('button', { name: 'Continue' }).click();
  const code = demo.link.getByLabel('Verification code');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await code.fill('');
    await code.pressSequentially('000000');
    await demo.link.getByRole('button', { name: 'Verify' }).click();
  }
  // Link says it could not verify the number and offers only a way out.
  await demo.link.getByRole('button', { name: 'Exit' }).click();

  assert.deepEqual(await demo.waitFor('layer-fallback'), {
    reason: 'authentication_failed',
    phone: '+14155550011',
  });
  const exit = await demo.waitFor('layer-exit');
  assert.equal((exit.error as Record<string, unknown>).error_code, 'PROFILE_AUTHENTICATION_FAILED');
  // The three SUBMIT_OTP events come after onExit (Plaid's timing): wait for them.
  await demo.waitForCount('layer-event', 3, 'SUBMIT_OTP');
  assert.equal((await demo.events()).filter((event) => event.type === 'layer-success').length, 0);
  demo.assertClean();
  await demo.close();
});

test('Close → layer-exit, back to the phone step, and a retry that succeeds', async () => {
  const demo = await openDemo();
  await submitPhone(demo, '415.555.0011');
  await demo.waitFor('layer-eligible');
  await demo.link.getByRole('button', { name: 'Close' }).click();

  const exit = await demo.waitFor('layer-exit');
  assert.equal(exit.error, null);
  await demo.page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'ready',
  );
  await linkClosed(demo.page);
  // The closed handler is destroyed; a fresh one waits, hidden.
  await demo.page.waitForFunction((selector) => document.querySelectorAll(selector).length === 1, LINK_FRAME);

  const before = (await demo.events()).length;
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
  await demo.waitFor('layer-eligible', before);
  await shareInLink(demo.page);
  const success = await demo.waitFor('layer-success');
  assert.equal((success.profile as Record<string, unknown>).phone_number, '+14155550011');
  assert.equal(await demo.page.locator('script[src*="link-initialize.js"]').count(), 1);
  demo.assertClean();
  await demo.close();
});
