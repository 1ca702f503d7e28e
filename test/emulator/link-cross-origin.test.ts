/**
 * The emulated Link as production embeds it: the partner page on one origin (http://localhost:P),
 * the emulator — its script, its Link iframe, its API — on another (http://127.0.0.1:E), in real
 * Chromium. Playwright reaches into the cross-origin iframe with a frame locator, as a person
 * reaches into Plaid's. Covers focus across the frame boundary and the OAuth trip: Link sends the
 * top window to the token's `redirect_uri`, and a handler re-created there finishes the session.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import type { Browser, FrameLocator, Page } from 'playwright-core';

import { LINK_SCRIPT_PATH } from '../../contract/index.js';
import { OAUTH_SANDBOX_PHONE, SANDBOX_OTP } from '../../emulator/index.js';
import { launchChromium } from '../support/browser.js';
import { startEmulator, type RunningEmulator } from './support/emulator-server.js';

const WAIT = { timeout: 30_000 };

/** The partner's page: Link's script from the emulator, and a small recorder of its callbacks. */
function partnerPage(emulatorBase: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner</title></head>
<body>
  <h1>Sign up</h1>
  <button id="opener" type="button">Verify with Plaid</button>
  <script src="${emulatorBase}${LINK_SCRIPT_PATH}"></script>
  <script>
    window.calls = [];
    window.createLink = (config) =>
      new Promise((resolve) => {
        window.handler = Plaid.create({
          ...config,
          onLoad: () => { calls.push({ kind: 'load' }); resolve(); },
          onEvent: (name, metadata) => calls.push({ kind: 'event', name, metadata }),
          onSuccess: (publicToken, metadata) => calls.push({ kind: 'success', publicToken, metadata }),
          onExit: (error, metadata) => calls.push({ kind: 'exit', error, metadata }),
        });
      });
  </script>
</body></html>`;
}

interface Call {
  kind: string;
  name?: string;
  publicToken?: string;
  error?: { error_code: string; error_type: string } | null;
}

describe('Link across origins (page on localhost, emulator on 127.0.0.1)', () => {
  let emulator: RunningEmulator;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    emulator = await startEmulator();
    site = createServer((request, response) => {
      if (request.url === '/favicon.ico') return response.writeHead(204).end();
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(partnerPage(emulator.base));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    site?.closeAllConnections();
    await new Promise((resolve) => site?.close(resolve));
    await emulator?.close();
  });

  const calls = () => page.evaluate(() => (window as unknown as { calls: Call[] }).calls);
  const waitForCall = (kind: string, name?: string) =>
    page.waitForFunction(
      ([kind, name]) =>
        (window as unknown as { calls: Call[] }).calls.some(
          (call) => call.kind === kind && (name === undefined || call.name === name),
        ),
      [kind, name] as const,
      WAIT,
    );
  const link = (): FrameLocator => page.frameLocator('iframe[title="Plaid Link"]');

  /** A fresh page with a loaded handler whose phone number got LAYER_READY. */
  async function readyLink(phoneNumber: string, linkToken: string): Promise<void> {
    page = await browser.newPage();
    await page.goto(`${siteUrl}/`);
    await page.evaluate(
      (token) => (window as unknown as { createLink: (c: object) => Promise<void> }).createLink({ token }),
      linkToken,
    );
    await page.evaluate(
      (phone) =>
        (window as unknown as { handler: { submit: (d: object) => void } }).handler.submit({
          phone_number: phone,
        }),
      phoneNumber,
    );
    await waitForCall('event', 'LAYER_READY');
  }

  it('runs the Link UI in a cross-origin iframe; focus goes in on open and back on Escape', async () => {
    await readyLink('+14155550011', await emulator.linkToken());
    const frameElement = page.locator('iframe[title="Plaid Link"]');
    assert.match(
      String(await frameElement.getAttribute('src')),
      new RegExp(`^${emulator.base}/link/v2/stable/link\\.html\\?`),
    );
    assert.equal(await frameElement.isVisible(), false);

    await page.locator('#opener').focus();
    await page.evaluate(() => (window as unknown as { handler: { open: () => void } }).handler.open());
    const dialog = link().getByRole('dialog', { name: /Plaid/ });
    await dialog.waitFor(WAIT);
    await link().getByRole('button', { name: 'Continue' }).waitFor(WAIT);
    // Focus is in the iframe, on the step's heading: the page's focused element is the iframe.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('title')), 'Plaid Link');
    const focusedInFrame = await frameElement
      .contentFrame()
      .locator(':focus')
      .evaluate((element) => element.textContent);
    assert.match(String(focusedInFrame), /uses Plaid/);

    await link().getByRole('button', { name: 'Continue' }).click();
    await link().getByLabel('Verification code').fill(SANDBOX_OTP);
    await link().getByRole('button', { name: 'Verify' }).click();
    await link().getByRole('button', { name: 'Share' }).waitFor(WAIT);
    await page.keyboard.press('Escape');
    await waitForCall('exit');
    assert.equal(await frameElement.isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'opener');
    const exit = (await calls()).find((call) => call.kind === 'exit')!;
    assert.equal(exit.error, null);
    await page.close();
  });

  it('sends the page to the OAuth redirect_uri and finishes the session when re-created there', async () => {
    const redirectUri = `${siteUrl}/oauth-return`;
    const linkToken = await emulator.linkToken({ redirectUri });
    await readyLink(OAUTH_SANDBOX_PHONE, linkToken);
    await page.evaluate(() => (window as unknown as { handler: { open: () => void } }).handler.open());
    await link().getByRole('button', { name: 'Continue' }).click(WAIT);
    await link().getByLabel('Verification code').fill(SANDBOX_OTP);
    await link().getByRole('button', { name: 'Verify' }).click();
    await link().getByRole('button', { name: 'Share' }).click(WAIT);

    // Link leaves for the bank; the bank sends the user back with an oauth_state_id.
    await page.waitForURL(/\/oauth-return\?oauth_state_id=/, WAIT);
    const returnUrl = page.url();
    assert.ok(returnUrl.startsWith(`${redirectUri}?oauth_state_id=`), returnUrl);

    // The partner re-creates the handler with the same token and the full return URL, and opens it.
    await page.evaluate(
      ([token, uri]) =>
        (window as unknown as { createLink: (c: object) => Promise<void> }).createLink({
          token,
          receivedRedirectUri: uri,
        }),
      [linkToken, returnUrl] as const,
    );
    await page.evaluate(() => (window as unknown as { handler: { open: () => void } }).handler.open());
    await waitForCall('success');
    const success = (await calls()).find((call) => call.kind === 'success')!;
    const { data } = await emulator.plaid.userAccountSessionGet({ public_token: success.publicToken! });
    assert.equal(data.identity?.phone_number, OAUTH_SANDBOX_PHONE);
    assert.equal(data.items.length, 1);

    // A second return with the same state id (a reload of the return page): Plaid's OAuth error.
    await page.reload();
    await page.evaluate(
      ([token, uri]) =>
        (window as unknown as { createLink: (c: object) => Promise<void> }).createLink({
          token,
          receivedRedirectUri: uri,
        }),
      [linkToken, returnUrl] as const,
    );
    await waitForCall('exit');
    const exit = (await calls()).find((call) => call.kind === 'exit')!;
    assert.deepEqual(
      [exit.error?.error_type, exit.error?.error_code],
      ['OAUTH_ERROR', 'OAUTH_STATE_ID_ALREADY_PROCESSED'],
    );
    await page.close();
  });
});
