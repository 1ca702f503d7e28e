// The demo page of `npm start` as it is served: under a strict Content-Security-Policy, with Link's
// script and iframe from the OTHER loopback name than the page's (so the iframe is cross-origin, as
// real Link's is), working under either name with zero policy violations — and a policy that does
// block what it must, so the zero means something. The sign-up form is filled by the widget
// (`fill-form`), and the page follows the visitor's light or dark setting, at WCAG AA in both.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import type { AxeResults, RunOptions } from 'axe-core';

import { findSandboxUser } from '../../emulator/sandbox-users.js';
import { openPage } from '../support/browser.js';
import { openDemo, submitPhone, type Demo } from '../support/demo.js';
import { LINK_FRAME, shareInLink } from '../support/link.js';
import { useSite } from '../support/site.js';

const site = useSite();

/** The page URL under a loopback name, on the server's port. */
const demoUrl = (hostname: '127.0.0.1' | 'localhost') => {
  const url = new URL(site.server.url);
  url.hostname = hostname;
  return url.origin;
};

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

test('the demo page renders <layer-onboarding> with its phone input', async () => {
  const { page, errors, violations } = await openPage(site.browser);
  await page.goto(site.server.url);
  const input = page.getByLabel('Phone number');
  await input.waitFor();
  assert.equal(await input.getAttribute('type'), 'tel');
  assert.equal(await page.evaluate(() => customElements.get('layer-onboarding') !== undefined), true);
  assert.deepEqual(errors, []);
  assert.deepEqual(violations, []);
  await page.close();
});

test('the demo is served with a strict CSP, no referrer, no sniffing, no framing', async () => {
  for (const hostname of ['127.0.0.1', 'localhost'] as const) {
    const response = await fetch(`${demoUrl(hostname)}/`);
    assert.equal(response.status, 200);
    const policy = response.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/, policy);
    const csp = directives(policy);
    const port = new URL(site.server.url).port;
    const emulatorOrigins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    assert.deepEqual(csp.get('default-src'), ["'self'"]);
    assert.deepEqual(csp.get('script-src')?.sort(), ["'self'", ...emulatorOrigins].sort());
    assert.deepEqual(csp.get('frame-src')?.sort(), ["'self'", ...emulatorOrigins].sort());
    assert.deepEqual(csp.get('connect-src'), ["'self'"]);
    assert.deepEqual(csp.get('style-src'), ["'self'"]);
    assert.deepEqual(csp.get('img-src'), ["'self'", 'data:']);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('form-action'), ["'self'"]);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
  }
  // The emulator's scripts, like every file served, are never sniffed.
  for (const path of ['/plaid/link/v2/stable/link-initialize.js', '/layer-onboarding.js', '/demo.js']) {
    const response = await fetch(`${site.server.url}${path}`);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type') ?? '', /javascript/, path);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
  }
});

for (const [pageHost, linkHost] of [
  ['127.0.0.1', 'localhost'],
  ['localhost', '127.0.0.1'],
] as const) {
  test(`on http://${pageHost}: Link comes from http://${linkHost}, cross-origin, and the flow completes with zero CSP violations`, async () => {
    const demo = await openDemo(site.browser, `${demoUrl(pageHost)}/`);
    const port = new URL(site.server.url).port;
    assert.equal(
      await demo.widget.getAttribute('link-script-src'),
      `http://${linkHost}:${port}/plaid/link/v2/stable/link-initialize.js`,
    );
    await submitPhone(demo, '415-555-0011');
    await demo.waitFor('layer-eligible');
    const frameSrc = await demo.page.locator(`${LINK_FRAME}:visible`).getAttribute('src');
    assert.equal(new URL(frameSrc!).origin, `http://${linkHost}:${port}`);
    // Cross-origin: the page cannot reach into Link's document.
    assert.equal(
      await demo.page.evaluate((selector) => {
        const frames = [...document.querySelectorAll<HTMLIFrameElement>(selector)];
        return frames.some((frame) => frame.contentDocument !== null);
      }, LINK_FRAME),
      false,
    );
    await shareInLink(demo.page);
    const success = await demo.waitFor('layer-success');
    const identity = findSandboxUser('+14155550011')!.identity!;
    assert.deepEqual((success.profile as { name: unknown }).name, identity.name);
    assert.equal(await demo.page.getByLabel('First name').inputValue(), identity.name!.first_name);
    demo.assertClean();
    await demo.close();
  });
}

test('the policy is enforced: injected inline script and style are blocked and reported, in the page and in Link’s iframe', async () => {
  const { page, violations } = await openPage(site.browser);
  await page.goto(site.server.url);
  await page.getByLabel('Phone number').waitFor();
  assert.deepEqual(violations, []);
  // An injected inline script is refused twice over: Trusted Types refuse its text (a plain
  // string, here a text node, which no policy vouched for) before `script-src` would.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.append('window.injectedScriptRan = true;');
    document.body.append(script);
    document.querySelector('h1')!.setAttribute('style', 'color: red');
  });
  // Reported asynchronously: wait for both in the page, then for the reports to reach the test.
  await page.waitForFunction(() => (window as { cspViolationCount?: number }).cspViolationCount === 2);
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  assert.equal(await page.evaluate(() => 'injectedScriptRan' in window), false, 'the inline script ran');
  assert.notEqual(
    await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color),
    'rgb(255, 0, 0)',
  );
  assert.ok(
    violations.some((violation) =>
      /^require-trusted-types-for blocked .*\(http:\/\/[^/]+\/\)$/.test(violation),
    ),
    violations.join('\n'),
  );
  assert.ok(
    violations.some((violation) => /^style-src-attr blocked \(?inline/.test(violation)),
    violations.join('\n'),
  );

  // Link's iframe (its own document, on the other loopback name) is watched too.
  await page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'ready',
  );
  const frame = page.frames().find((candidate) => candidate.url().includes('/link/v2/stable/link.html'));
  assert.ok(frame, 'Link’s iframe is there once the widget is ready');
  await frame.evaluate(() => {
    const script = document.createElement('script');
    script.append('window.injectedScriptRan = true;');
    document.body.append(script);
  });
  await frame.waitForFunction(() => (window as { cspViolationCount?: number }).cspViolationCount === 1);
  await frame.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  assert.ok(
    violations.some((violation) => /^require-trusted-types-for blocked .*\/link\.html/.test(violation)),
    violations.join('\n'),
  );
  await page.close();
});

/** The demo's form fields (by id) that hold the `profile.*` field of their `data-layer-field`. */
const FILLED_FROM_PLAID = [
  'first-name',
  'last-name',
  'phone',
  'dob',
  'ssn-last-4',
  'street',
  'city',
  'region',
  'postal-code',
];

test('the widget fills the sign-up form (fill-form): each field from Plaid is marked, and typing there takes the mark off', async () => {
  const demo = await openDemo(site.browser, `${site.server.url}/`);
  assert.equal(await demo.widget.getAttribute('fill-form'), 'application');
  await submitPhone(demo, '415-555-0011');
  await demo.waitFor('layer-eligible');
  await shareInLink(demo.page);
  await demo.waitFor('layer-success');

  const identity = findSandboxUser('+14155550011')!.identity!;
  const value = (id: string) => demo.page.locator(`#${id}`).inputValue();
  assert.equal(await value('first-name'), identity.name!.first_name);
  assert.equal(await value('last-name'), identity.name!.last_name);
  assert.equal(await value('phone'), '+14155550011');
  assert.equal(await value('dob'), identity.date_of_birth);
  assert.equal(await value('street'), identity.address!.street);
  assert.equal(await value('region'), identity.address!.region);
  assert.equal(await value('postal-code'), identity.address!.postal_code);
  const marked = () =>
    demo.page
      .locator('.field.prefilled :is(input, select)')
      .evaluateAll((nodes) => nodes.map((node) => node.id));
  assert.deepEqual(await marked(), FILLED_FROM_PLAID);

  await demo.page.locator('#city').fill('Eagleton');
  assert.deepEqual(
    await marked(),
    FILLED_FROM_PLAID.filter((id) => id !== 'city'),
  );
  demo.assertClean();
  await demo.close();
});

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2 A and AA rules (colour contrast included) on the page, shadow DOM included. */
async function axeViolations(demo: Demo): Promise<string[]> {
  // Through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await demo.page.evaluate(AXE);
  return demo.page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run: (context: Document, options: RunOptions) => Promise<AxeResults> };
    };
    const { violations } = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      iframes: false,
    });
    return violations.flatMap((violation) =>
      violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}: ${node.failureSummary}`),
    );
  });
}

for (const [scheme, background] of [
  ['light', 'rgb(243, 245, 249)'],
  ['dark', 'rgb(11, 17, 27)'],
] as const) {
  test(`prefers-color-scheme: ${scheme}: the page follows it, and axe finds no WCAG AA violation before or after success`, async () => {
    const demo = await openDemo(site.browser, `${site.server.url}/`);
    await demo.page.emulateMedia({ colorScheme: scheme });
    await demo.page.getByLabel('Phone number').waitFor();
    assert.equal(await demo.page.evaluate(() => getComputedStyle(document.body).backgroundColor), background);
    assert.deepEqual(await axeViolations(demo), []);

    await submitPhone(demo, '415-555-0011');
    await demo.waitFor('layer-eligible');
    await shareInLink(demo.page);
    await demo.waitFor('layer-success');
    await demo.page.locator('#notice-success').waitFor();
    await demo.page.waitForFunction(
      (selector) =>
        [...document.querySelectorAll(selector)].every((frame) => getComputedStyle(frame).display === 'none'),
      LINK_FRAME,
    );
    assert.deepEqual(await axeViolations(demo), []);
    demo.assertClean();
    await demo.close();
  });
}
