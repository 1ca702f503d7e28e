// The OAuth path end to end through plain `npm start`: the emulator's OAuth user (+1 415-555-0031)
// shares from a bank that connects through OAuth, so Link sends the whole page to the Link token's
// redirect_uri (npm start's default in emulator mode: its own demo on http://localhost:<port>/) with
// an oauth_state_id; the widget on that page resumes Link with the token and session handle it kept
// in sessionStorage, and the form is prefilled. A reload of the return URL never resumes twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Route } from 'playwright-core';

import { OAUTH_SANDBOX_PHONE, findSandboxUser } from '../../emulator/sandbox-users.js';
import { openDemo, submitPhone, type Demo } from '../support/demo.js';
import { shareInLink } from '../support/link.js';
import { useSite } from '../support/site.js';

const site = useSite();
const identity = findSandboxUser(OAUTH_SANDBOX_PHONE)!.identity!;
/** Where the widget keeps the `/link-token` answer across the bank's redirect (widget/link-token-storage.ts). */
const STORED_TOKEN = 'layer-onboarding:link-token:/api/layer';

/** The demo on http://localhost:<port>/: the origin of npm start's default redirect_uri. */
const localhostDemo = () => {
  const url = new URL(site.server.url);
  url.hostname = 'localhost';
  return url.origin;
};

const exchanges = () => site.server.output().match(/^POST \/api\/layer\/session 200 /gm)?.length ?? 0;
const ofType = async (demo: Demo, type: string) =>
  (await demo.events()).filter((event) => event.type === type);

test('+1 415-555-0031: Share → the bank redirect → the widget resumes Link on the return page → prefilled; a reload does not resume twice', async () => {
  const origin = localhostDemo();
  const demo = await openDemo(site.browser, `${origin}/`);
  const exchangesBefore = exchanges();

  await submitPhone(demo, '415-555-0031');
  await demo.waitFor('layer-eligible');
  await demo.waitForCount('layer-event', 1, 'OPEN');
  const opened = (await ofType(demo, 'layer-event')).find((event) => event.detail.eventName === 'OPEN');
  const linkSessionId = (opened?.detail.metadata as { link_session_id?: string } | undefined)
    ?.link_session_id;
  assert.match(String(linkSessionId), /\S/, 'Link’s OPEN names its session');
  const stored = await demo.page.evaluate((key) => sessionStorage.getItem(key), STORED_TOKEN);
  assert.ok(stored, 'the widget keeps its Link token for the way back');

  // Share at an OAuth bank: Link sends the top window to redirect_uri?oauth_state_id=….
  await shareInLink(demo.page);
  await demo.page.waitForURL(/[?&]oauth_state_id=/);
  const returnUrl = new URL(demo.page.url());
  assert.equal(`${returnUrl.origin}${returnUrl.pathname}`, `${origin}/`);
  assert.match(returnUrl.searchParams.get('oauth_state_id') ?? '', /^[0-9a-f-]{36}$/);

  // The return page: the widget resumes the same Link session and exchanges with its handle.
  const success = await demo.waitFor('layer-success');
  assert.equal(success.linkSessionId, linkSessionId, 'the resumed session is the one that went to the bank');
  const profile = success.profile as { name: unknown; phone_number: string; email: unknown };
  assert.deepEqual(profile.name, identity.name);
  assert.equal(profile.phone_number, OAUTH_SANDBOX_PHONE);
  assert.equal(profile.email, null);
  assert.equal(await demo.widget.getAttribute('state'), 'complete');
  assert.equal(await demo.page.getByLabel('First name').inputValue(), identity.name!.first_name);
  assert.equal(await demo.page.getByLabel('Date of birth').inputValue(), identity.date_of_birth);
  const states = (await ofType(demo, 'layer-state-change')).map((event) => event.detail.state);
  assert.deepEqual(states, ['loading', 'open', 'finishing', 'complete'], 'no phone step on the way back');
  assert.equal(exchanges(), exchangesBefore + 1);
  assert.equal(await demo.page.evaluate((key) => sessionStorage.getItem(key), STORED_TOKEN), null);
  demo.assertClean();

  // A reload of the return URL: nothing to resume (the token was used up), a fresh phone step.
  await demo.page.reload();
  await demo.page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'ready',
  );
  assert.deepEqual(await ofType(demo, 'layer-success'), []);
  assert.deepEqual(await ofType(demo, 'layer-error'), []);
  assert.equal(exchanges(), exchangesBefore + 1);
  demo.assertClean();
  await demo.close();
});

test('a reload of the return URL while the resumed Link is still finishing: a fresh phone step, never the used OAuth state again', async () => {
  const origin = localhostDemo();
  // The resumed Link's last call (it finishes the session) is held, so the visitor can reload
  // while Link is open on the return page.
  const held: Route[] = [];
  let resumeAsked!: () => void;
  const resumeHeld = new Promise<void>((resolve) => (resumeAsked = resolve));
  const demo = await openDemo(site.browser, `${origin}/`, {
    beforeLoad: (page) =>
      page.route('**/emulator/link/sessions/*/resume', (route) => {
        held.push(route);
        resumeAsked();
      }),
  });
  try {
    await submitPhone(demo, '415-555-0031');
    await demo.waitFor('layer-eligible');
    await shareInLink(demo.page);
    await demo.page.waitForURL(/[?&]oauth_state_id=/);
    await demo.page.waitForFunction(
      () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'open',
    );
    await resumeHeld;
    assert.equal(
      await demo.page.evaluate((key) => sessionStorage.getItem(key), STORED_TOKEN),
      null,
      'the token of an OAuth state Plaid has processed is kept for a reload',
    );

    await demo.page.reload();
    await demo.page.waitForFunction(() =>
      ['ready', 'error'].includes(document.querySelector('layer-onboarding')?.getAttribute('state') ?? ''),
    );
    assert.deepEqual(await ofType(demo, 'layer-error'), [], 'the reload resumed the used OAuth state');
    assert.equal(await demo.widget.getAttribute('state'), 'ready');
    assert.equal(held.length, 1);
    assert.deepEqual(demo.violations, []);
  } finally {
    await demo.close();
  }
});

test('a return URL whose OAuth state was already used (OAUTH_STATE_ID_ALREADY_PROCESSED): an error the visitor can get past, nothing exchanged', async () => {
  const origin = localhostDemo();
  const demo = await openDemo(site.browser, `${origin}/`);
  await submitPhone(demo, '415-555-0031');
  await demo.waitFor('layer-eligible');
  const stored = await demo.page.evaluate((key) => sessionStorage.getItem(key), STORED_TOKEN);
  await shareInLink(demo.page);
  await demo.page.waitForURL(/[?&]oauth_state_id=/);
  await demo.waitFor('layer-success');
  const exchangesBefore = exchanges();

  // As if the page had been reloaded while the widget still held the token (mid-resume, another
  // tab): it resumes with an oauth_state_id Plaid has already processed.
  await demo.page.evaluate(([key, value]) => sessionStorage.setItem(key!, value!), [STORED_TOKEN, stored]);
  await demo.page.reload();
  const error = await demo.waitFor('layer-error');
  assert.equal(error.code, 'OAUTH_STATE_ID_ALREADY_PROCESSED');
  assert.deepEqual(await demo.waitFor('layer-fallback'), { reason: 'error' });
  assert.equal(await demo.widget.getAttribute('state'), 'error');
  // The visitor reads that instant sign-up is unavailable (the form below is theirs to fill) and
  // may try again: a fresh phone step.
  assert.match(await demo.widget.locator('[part=error]').innerText(), /Please fill in the form\./);
  assert.deepEqual(await ofType(demo, 'layer-success'), []);
  assert.equal(exchanges(), exchangesBefore, 'nothing was exchanged a second time');
  assert.equal(await demo.page.evaluate((key) => sessionStorage.getItem(key), STORED_TOKEN), null);
  await demo.widget.getByRole('button', { name: 'Try again' }).click();
  await demo.page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'ready',
  );
  // The one console error is Link's own: the iframe's call that Plaid answers 400 with the OAuth error.
  assert.deepEqual(
    demo.errors.filter((error) => !/status of 400 \(Bad Request\)/.test(error)),
    [],
  );
  assert.ok(demo.errors.length <= 1, demo.errors.join('\n'));
  assert.deepEqual(demo.violations, []);
  await demo.close();
});
