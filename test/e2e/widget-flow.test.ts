// The whole Layer flow through `npm start` in emulator mode, in Chromium, typed as a user would:
// the demo page, the widget, the backend and the emulator's Link script and UI, nothing faked.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Locator, Page } from 'playwright-core';

import { AUTOFILL_IDENTITY, findSandboxUser, SANDBOX_OTP } from '../../emulator/sandbox-users.js';
import { LAYER_EVENT_NAMES } from '../../widget/events.js';
import { openPage } from '../support/browser.js';
import { useSite } from '../support/site.js';

interface Recorded {
  type: string;
  detail: Record<string, unknown>;
}

// Plain `npm start`: its demo template lets 415-555-0000 (no Plaid profile, no bank) through
// Extended Autofill, as LAYER.md §5 describes.
const site = useSite();

interface Demo {
  page: Page;
  widget: Locator;
  link: Locator;
  /** Page errors and console errors seen so far. */
  errors: string[];
  events: () => Promise<Recorded[]>;
  /** Waits for the next event of a type after `from` events, and returns its detail. */
  waitFor: (type: string, from?: number) => Promise<Record<string, unknown>>;
  close: () => Promise<void>;
}

async function openDemo(): Promise<Demo> {
  const { page, errors } = await openPage(site.browser);
  await page.addInitScript((types) => {
    const recorded: { type: string; detail: unknown }[] = [];
    (window as unknown as { layerEvents: typeof recorded }).layerEvents = recorded;
    for (const type of types)
      document.addEventListener(type, (event) =>
        recorded.push({ type, detail: (event as CustomEvent).detail }),
      );
  }, LAYER_EVENT_NAMES);
  await page.goto(site.server.url);
  const events = () =>
    page.evaluate(() => (window as unknown as { layerEvents: Recorded[] }).layerEvents.slice());
  return {
    page,
    widget: page.locator('layer-onboarding'),
    link: page.getByRole('dialog', { name: /Plaid/ }),
    errors,
    events,
    waitFor: async (type, from = 0) => {
      const handle = await page.waitForFunction(
        ([wanted, skip]) =>
          (window as unknown as { layerEvents: Recorded[] }).layerEvents
            .slice(skip)
            .find((e) => e.type === wanted)?.detail,
        [type, from] as const,
      );
      return (await handle.jsonValue()) as Record<string, unknown>;
    },
    close: () => page.close(),
  };
}

/** Types a phone number into the widget and presses its button. */
async function submitPhone(demo: Demo, phone: string): Promise<void> {
  const input = demo.widget.getByLabel('Phone number', { exact: true });
  await input.click();
  await input.pressSequentially(phone);
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
}

/** Consent, one-time code and review in the emulator's Link UI. */
async function completeLink(demo: Demo, code = SANDBOX_OTP): Promise<void> {
  await demo.link.getByRole('button', { name: 'Continue' }).click();
  await demo.link.getByLabel('Verification code').pressSequentially(code);
  await demo.link.getByRole('button', { name: 'Verify' }).click();
  await demo.link.getByRole('button', { name: 'Share' }).click();
}

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
  await completeLink(demo);
  const success = await demo.waitFor('layer-success');

  assert.deepEqual(success.profile, {
    name: identity.name,
    address: identity.address,
    phone_number: '+14155550011',
    email: identity.email,
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
  assert.equal(await demo.link.count(), 0);
  assert.equal(await demo.page.locator('script[src*="link-initialize.js"]').count(), 1);
  assert.deepEqual(demo.errors, []);
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
  await completeLink(demo);
  const success = await demo.waitFor('layer-success');

  const profile = success.profile as Record<string, unknown>;
  assert.deepEqual(profile.name, AUTOFILL_IDENTITY.name);
  assert.equal(profile.phone_number, '+14155550000');
  assert.equal(profile.date_of_birth, '1975-01-18');
  assertNoSecrets(await demo.events(), AUTOFILL_IDENTITY.ssn!);
  assert.deepEqual(demo.errors, []);
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
  await demo.page.locator('#fallback-text').waitFor();
  assert.match(await demo.page.locator('#fallback-text').innerText(), /fill in the form/);
  assert.equal(await demo.link.count(), 0);
  assert.deepEqual(demo.errors, []);
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
  const linkEvents = (await demo.events()).filter((event) => event.type === 'layer-event');
  assert.ok(linkEvents.some((event) => event.detail.eventName === 'SUBMIT_OTP'));
  assert.equal((await demo.events()).filter((event) => event.type === 'layer-success').length, 0);
  assert.deepEqual(demo.errors, []);
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
  assert.equal(await demo.link.count(), 0);

  const before = (await demo.events()).length;
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
  await demo.waitFor('layer-eligible', before);
  await completeLink(demo);
  const success = await demo.waitFor('layer-success');
  assert.equal((success.profile as Record<string, unknown>).phone_number, '+14155550011');
  assert.equal(await demo.page.locator('script[src*="link-initialize.js"]').count(), 1);
  assert.deepEqual(demo.errors, []);
  await demo.close();
});
