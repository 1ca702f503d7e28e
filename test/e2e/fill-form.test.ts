// `fill-form` on a partner's own page (another site than the API: http://localhost:A, while
// `npm start` is http://127.0.0.1:B), in Chromium, through the whole Layer flow in the emulated
// Link: a plain HTML form, and a Vue 3 form bound with v-model, whose reactive state (not only its
// inputs) must hold the profile afterwards. Nothing is faked but Plaid (the emulator).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import type { Browser } from 'playwright-core';

import { LINK_SCRIPT_PATH } from '../../contract/index.js';
import { findSandboxUser } from '../../emulator/sandbox-users.js';
import { launchChromium } from '../support/browser.js';
import { openDemo, type Demo } from '../support/demo.js';
import { shareInLink } from '../support/link.js';
import { startServer, type RunningServer } from '../support/server.js';

const identity = findSandboxUser('+14155550011')!.identity!;

const VUE = new URL('../../node_modules/vue/dist/vue.esm-browser.prod.js', import.meta.url);

let partner: Server;
let partnerOrigin = '';
let api: RunningServer;
let browser: Browser;

/** The widget as a partner on another site embeds it, with `attributes` added. */
const widget = (attributes: string) =>
  `<script src="${api.url}/layer-onboarding.js"></script>
  <layer-onboarding api="${api.url}/api/layer" link-script-src="${api.url}/plaid${LINK_SCRIPT_PATH}" ${attributes}></layer-onboarding>`;

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const STATES = ['IL', 'IN', 'NY'].map((code) => `<option>${code}</option>`).join('');

/** A sign-up form in plain HTML, its fields named for the profile; the page logs its change events. */
const plainPage = (attributes: string) =>
  page(
    'Plain partner',
    `${widget(`fill-form="signup" ${attributes}`)}
    <form id="signup">
      <label>First name <input name="given" data-layer-field="first_name"></label>
      <label>Last name <input name="family" data-layer-field="last_name"></label>
      <label>Phone <input name="tel" type="tel" data-layer-field="phone_number"></label>
      <label>Email <input name="email" type="email" data-layer-field="email"></label>
      <label>Date of birth <input name="dob" type="date" data-layer-field="date_of_birth"></label>
      <label>Street <input name="street" data-layer-field="address.street"></label>
      <label>City <input name="city" data-layer-field="address.city"></label>
      <label for="state">State</label> <select id="state" name="state" data-layer-field="address.region"><option value="">Choose</option>${STATES}</select>
      <label>ZIP <input name="zip" data-layer-field="address.postal_code"></label>
      <label>SSN (last 4) <input name="ssn4" data-layer-field="ssn_last_4"></label>
    </form>
    <script>
      window.changes = [];
      document.getElementById('signup').addEventListener('change', (event) => window.changes.push(event.target.name));
    </script>`,
  );

/**
 * The same form in a Vue 3 app: every field bound with v-model to one reactive object (the city
 * with `.lazy`, so only `change` updates it), the object shown in the page and kept on `window`.
 */
const vuePage = () =>
  page(
    'Vue partner',
    `${widget('fill-form="signup"')}
  <div id="app">
    <form id="signup" @submit.prevent>
      <label>First name <input v-model="person.firstName" data-layer-field="first_name"></label>
      <label>Last name <input v-model="person.lastName" data-layer-field="last_name"></label>
      <label>Phone <input type="tel" v-model="person.phone" data-layer-field="phone_number"></label>
      <label>Date of birth <input type="date" v-model="person.dob" data-layer-field="date_of_birth"></label>
      <label>City <input v-model.lazy="person.city" data-layer-field="address.city"></label>
      <label>State <select v-model="person.state" data-layer-field="address.region"><option value="">Choose</option>
        <option v-for="code in states" :key="code" :value="code">{{ code }}</option></select></label>
      <label>ZIP <input v-model.trim="person.zip" data-layer-field="address.postal_code"></label>
    </form>
    <p id="summary">{{ person.firstName }} {{ person.lastName }}, {{ person.city }} {{ person.state }}, born {{ person.dob }}</p>
  </div>
  <script type="module">
    import { createApp, reactive } from '/vue.esm-browser.prod.js';
    const person = reactive({ firstName: '', lastName: '', phone: '', dob: '', city: '', state: '', zip: '' });
    window.person = person;
    createApp({ setup: () => ({ person, states: ['IL', 'IN', 'NY'] }) }).mount('#app');
    window.vueMounted = true;
  </script>`,
  );

before(async () => {
  const vue = await readFile(VUE);
  partner = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') return response.writeHead(204).end();
    if (path === '/vue.esm-browser.prod.js')
      return response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(vue);
    const html = {
      '/plain': () => plainPage(''),
      '/plain-no-autofill': () => plainPage('no-autofill'),
      '/vue': vuePage,
    }[path];
    if (!html) return response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html());
  });
  await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
  partnerOrigin = `http://localhost:${(partner.address() as AddressInfo).port}`;
  // The one documented setting for a page on another site: its origin in ALLOWED_ORIGINS.
  [api, browser] = await Promise.all([startServer({ ALLOWED_ORIGINS: partnerOrigin }), launchChromium()]);
});

after(async () => {
  await browser?.close();
  await api?.stop();
  partner?.closeAllConnections();
  await new Promise((resolve) => partner?.close(resolve));
});

async function open(path: string): Promise<Demo> {
  const demo = await openDemo(browser, `${partnerOrigin}${path}`);
  await demo.page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'ready',
  );
  return demo;
}

async function submitPhone(demo: Demo, phone: string): Promise<void> {
  await demo.widget.getByLabel('Phone number', { exact: true }).pressSequentially(phone);
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
}

test('a plain HTML form: 415-555-0011 → code → Share fills every field the profile has, with change events', async () => {
  const demo = await open('/plain');
  await submitPhone(demo, '415-555-0011');
  await demo.waitFor('layer-eligible');
  await shareInLink(demo.page);
  await demo.waitFor('layer-success');

  const value = (label: string) => demo.page.getByLabel(label, { exact: true }).inputValue();
  assert.equal(await value('First name'), identity.name!.first_name);
  assert.equal(await value('Last name'), identity.name!.last_name);
  assert.equal(await value('Phone'), '+14155550011');
  assert.equal(await value('Date of birth'), identity.date_of_birth);
  assert.equal(await value('Street'), identity.address!.street);
  assert.equal(await value('City'), identity.address!.city);
  assert.equal(await value('State'), identity.address!.region);
  assert.equal(await value('ZIP'), identity.address!.postal_code);
  assert.equal(await value('SSN (last 4)'), identity.ssn!.slice(-4));
  // Plaid shares no email: left as it was, and no event claims otherwise.
  assert.equal(await value('Email'), '');
  const changes = await demo.page.evaluate(() => (window as unknown as { changes: string[] }).changes);
  assert.deepEqual(changes, ['given', 'family', 'tel', 'dob', 'street', 'city', 'state', 'zip', 'ssn4']);
  demo.assertClean();
  await demo.close();
});

test('a plain HTML form: not eligible → the phone field holds the number typed, the rest stays empty', async () => {
  const demo = await open('/plain-no-autofill');
  await submitPhone(demo, '415-555-0000');
  assert.deepEqual(await demo.waitFor('layer-fallback'), { reason: 'not_eligible', phone: '+14155550000' });
  assert.equal(await demo.page.getByLabel('Phone', { exact: true }).inputValue(), '+14155550000');
  assert.equal(await demo.page.getByLabel('First name').inputValue(), '');
  demo.assertClean();
  await demo.close();
});

test('a Vue 3 form bound with v-model: its reactive state holds the profile after success', async () => {
  const demo = await open('/vue');
  await demo.page.waitForFunction(() => (window as { vueMounted?: boolean }).vueMounted === true);
  await submitPhone(demo, '415-555-0011');
  await demo.waitFor('layer-eligible');
  await shareInLink(demo.page);
  await demo.waitFor('layer-success');

  const person = await demo.page.evaluate(() => ({ ...(window as unknown as { person: object }).person }));
  assert.deepEqual(person, {
    firstName: identity.name!.first_name,
    lastName: identity.name!.last_name,
    phone: '+14155550011',
    dob: identity.date_of_birth,
    city: identity.address!.city,
    state: identity.address!.region,
    zip: identity.address!.postal_code,
  });
  // Vue re-rendered from that state.
  await demo.page
    .locator('#summary')
    .filter({
      hasText: `${identity.name!.first_name} ${identity.name!.last_name}, ${identity.address!.city} ${identity.address!.region}, born ${identity.date_of_birth}`,
    })
    .waitFor();
  demo.assertClean();
  await demo.close();
});
