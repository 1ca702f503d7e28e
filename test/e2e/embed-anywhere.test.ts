// The README snippet on a partner's own site, as partners really embed it: a page on one site
// (http://localhost:A) with the script and the API on another (http://127.0.0.1:B), in Chromium
// with third-party cookies blocked and allowed; a page whose origin the API does not allow; and a
// Vite dev server proxying /api/layer to the backend. Nothing faked but Plaid (the emulator).
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { LINK_SCRIPT_PATH } from '../../contract/index.js';
import { findSandboxUser } from '../../emulator/sandbox-users.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, STEP_TIMEOUT_MS, recordCspViolations } from '../support/browser.js';
import { LINK_FRAME, shareInLink } from '../support/link.js';
import { startServer, type RunningServer } from '../support/server.js';

const identity = findSandboxUser('+14155550011')!.identity!;

/** The plain-HTML snippet of README.md's "The element", as a partner pastes it. */
async function readmeSnippet(): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## The element'));
  const match = /```html\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has an html snippet in "The element"');
  return match[1]!;
}

/** The snippet with its script and API on `apiBase`, and Link's script from the emulator there. */
function crossSitePage(snippet: string, apiBase: string): string {
  const html = snippet
    .replace('src="/layer-onboarding.js"', `src="${apiBase}/layer-onboarding.js"`)
    .replace(
      'api="/api/layer"',
      `api="${apiBase}/api/layer" link-script-src="${apiBase}/plaid${LINK_SCRIPT_PATH}"`,
    );
  assert.notEqual(html, snippet, 'the snippet loads /layer-onboarding.js and uses api="/api/layer"');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title></head><body>${html}</body></html>`;
}

/** A plain static server on 127.0.0.1, port 0, answering every GET with `page()`. */
async function servePage(page: () => string): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    if (request.url === '/favicon.ico') return response.writeHead(204).end();
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * A cookie jar on 127.0.0.1 that sets `SameSite=None; Secure` cookies and reports what it gets
 * back: the probe that shows the browser really blocks (or allows) third-party cookies.
 */
async function serveCookieProbe(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    response.setHeader('Access-Control-Allow-Origin', request.headers.origin ?? '*');
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    if (request.url === '/set') response.setHeader('Set-Cookie', 'probe=1; SameSite=None; Secure; Path=/');
    response.end(JSON.stringify({ cookie: request.headers.cookie ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * Chromium with a fresh profile whose third-party cookie setting is `blocked` or allowed, as a
 * visitor sets it (chrome://settings/cookies; `profile.cookie_controls_mode`).
 */
async function launchBrowser(thirdPartyCookies: 'blocked' | 'allowed'): Promise<{
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  const profile = await mkdtemp(join(tmpdir(), 'layer-e2e-profile-'));
  await mkdir(join(profile, 'Default'));
  await writeFile(
    join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: thirdPartyCookies === 'blocked' ? 1 : 0 } }),
  );
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

interface Watched {
  page: Page;
  errors: string[];
  /** CSP violations in the page and Link's iframe (the partner pages here set no policy; Link's does). */
  violations: string[];
  /** `Set-Cookie` headers of every response from an `/api/layer` route. */
  apiCookies: string[];
  /** Every `layer-*` event the page saw, in order. */
  events: () => Promise<Array<{ type: string; detail: Record<string, unknown> }>>;
  waitForEvent: (type: string) => Promise<Record<string, unknown>>;
}

async function watch(page: Page): Promise<Watched> {
  const errors: string[] = [];
  const apiCookies: string[] = [];
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const violations = await recordCspViolations(page);
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', async (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/layer/')) return;
    const cookie = await response.headerValue('set-cookie').catch(() => null);
    if (cookie) apiCookies.push(cookie);
  });
  await page.addInitScript(() => {
    const seen: Array<{ type: string; detail: unknown }> = [];
    (window as unknown as { layerEvents: typeof seen }).layerEvents = seen;
    for (const type of [
      'layer-success',
      'layer-error',
      'layer-fallback',
      'layer-eligible',
      'layer-state-change',
    ])
      document.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent).detail }));
  });
  const events = () =>
    page.evaluate(
      () =>
        (window as unknown as { layerEvents: Array<{ type: string; detail: Record<string, unknown> }> })
          .layerEvents,
    );
  return {
    page,
    errors,
    violations,
    apiCookies,
    events,
    waitForEvent: async (type) => {
      const handle = await page.waitForFunction(
        (wanted) =>
          (window as unknown as { layerEvents: Array<{ type: string; detail: unknown }> }).layerEvents.find(
            (event) => event.type === wanted,
          )?.detail,
        type,
        { timeout: STEP_TIMEOUT_MS },
      );
      return (await handle.jsonValue()) as Record<string, unknown>;
    },
  };
}

/** The eligible flow, typed as a visitor would, and the snippet's form prefilled. */
async function completeEligibleFlow({ page, waitForEvent }: Watched): Promise<void> {
  const widget = page.locator('layer-onboarding');
  await widget.getByLabel('Phone number', { exact: true }).pressSequentially('415-555-0011');
  await widget.getByRole('button', { name: 'Continue' }).click();
  // Link's iframe is on the API's site (127.0.0.1), the page on localhost: cross-site, as Plaid's is.
  await shareInLink(page);
  await waitForEvent('layer-success');
  assert.equal(await page.getByLabel('First name').inputValue(), identity.name!.first_name);
  assert.equal(await page.getByLabel('Last name').inputValue(), identity.name!.last_name);
  assert.equal(await page.getByLabel('Date of birth').inputValue(), identity.date_of_birth);
}

describe('another site than the API (http://localhost:A → http://127.0.0.1:B)', () => {
  let partner: { server: Server; port: number };
  let probe: { server: Server; port: number };
  let api: RunningServer;
  let html = '';

  before(async () => {
    const snippet = await readmeSnippet();
    [partner, probe] = await Promise.all([servePage(() => html), serveCookieProbe()]);
    // One documented setting: the partner page's origin in ALLOWED_ORIGINS.
    api = await startServer({ ALLOWED_ORIGINS: `http://localhost:${partner.port}` });
    html = crossSitePage(snippet, api.url);
  });
  after(async () => {
    await api?.stop();
    partner?.server.close();
    probe?.server.close();
  });

  for (const cookies of ['blocked', 'allowed'] as const) {
    test(`third-party cookies ${cookies}: the eligible flow completes and prefills the form`, async () => {
      const browser = await launchBrowser(cookies);
      try {
        const page = browser.context.pages()[0] ?? (await browser.context.newPage());
        const watched = await watch(page);
        await page.goto(`http://localhost:${partner.port}/`);

        // The browser is what this test says it is.
        const seen = await page.evaluate(async (port) => {
          await fetch(`http://127.0.0.1:${port}/set`, { credentials: 'include' });
          return (
            (await (await fetch(`http://127.0.0.1:${port}/get`, { credentials: 'include' })).json()) as {
              cookie: string | null;
            }
          ).cookie;
        }, probe.port);
        assert.equal(seen, cookies === 'blocked' ? null : 'probe=1');

        await completeEligibleFlow(watched);
        const success = await watched.waitForEvent('layer-success');
        assert.equal((success.profile as { phone_number: string }).phone_number, '+14155550011');
        assert.deepEqual(
          (await watched.events()).filter((event) => event.type === 'layer-error'),
          [],
        );
        assert.deepEqual(watched.errors, []);
        assert.deepEqual(watched.violations, []);
        // No cookie was needed, so the API set none.
        assert.deepEqual(watched.apiCookies, []);
      } finally {
        await browser.close();
      }
    });
  }
});

describe('a page whose origin the API does not allow', () => {
  let partner: { server: Server; port: number };
  let api: RunningServer;
  let html = '';

  before(async () => {
    const snippet = await readmeSnippet();
    partner = await servePage(() => html);
    api = await startServer({});
    html = crossSitePage(snippet, api.url);
  });
  after(async () => {
    await api?.stop();
    partner?.server.close();
  });

  test('the widget reports ORIGIN_NOT_ALLOWED at load, Link never opens, the log names origin and fix', async () => {
    const browser = await launchBrowser('blocked');
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const watched = await watch(page);
      const origin = `http://localhost:${partner.port}`;
      await page.goto(`${origin}/`);

      const error = await watched.waitForEvent('layer-error');
      assert.equal(error.code, 'ORIGIN_NOT_ALLOWED');
      assert.match(String(error.message), new RegExp(`${origin}.*allowedOrigins`));
      assert.deepEqual(await watched.waitForEvent('layer-fallback'), { reason: 'error' });
      assert.equal(await page.locator('layer-onboarding').getAttribute('state'), 'error');
      // No Link session was started: the visitor never got as far as Link.
      assert.equal(await page.locator(LINK_FRAME).count(), 0);
      assert.ok(
        (await watched.events()).every((event) => event.type !== 'layer-eligible'),
        'Link must not open',
      );
      const refusal = api
        .output()
        .split('\n')
        .find((line) => line.includes('code=ORIGIN_NOT_ALLOWED'));
      assert.ok(refusal, `the server logs the refusal:\n${api.output()}`);
      assert.match(refusal, new RegExp(`origin=${origin}`));
      assert.match(refusal, /ALLOWED_ORIGINS/);
    } finally {
      await browser.close();
    }
  });
});

describe('a Vite dev server proxying /api/layer to the backend', () => {
  let api: RunningServer;
  let vite: { close: () => Promise<void>; port: number } | undefined;
  let root = '';

  before(async () => {
    const { createServer: createViteServer } = await import('vite');
    root = await mkdtemp(join(tmpdir(), 'layer-e2e-vite-'));
    // The proxy's target is known once the backend listens, and the backend's allowed origin once
    // Vite listens: Vite starts first with a target filled in below.
    const proxy = { target: 'http://127.0.0.1:9', changeOrigin: true };
    const server = await createViteServer({
      root,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false, proxy: { '/api/layer': proxy } },
    });
    await server.listen();
    const port = (server.httpServer!.address() as AddressInfo).port;
    vite = { close: () => server.close(), port };
    api = await startServer({ ALLOWED_ORIGINS: `http://localhost:${port}` });
    proxy.target = api.url;
    const snippet = (await readmeSnippet())
      .replace('src="/layer-onboarding.js"', `src="${api.url}/layer-onboarding.js"`)
      .replace('api="/api/layer"', `api="/api/layer" link-script-src="${api.url}/plaid${LINK_SCRIPT_PATH}"`);
    await writeFile(
      join(root, 'index.html'),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vite app</title></head><body>${snippet}</body></html>`,
    );
  });
  after(async () => {
    await vite?.close();
    await api?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('the page on the dev server completes the eligible flow through the proxy', async () => {
    const browser = await launchBrowser('blocked');
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const watched = await watch(page);
      await page.goto(`http://localhost:${vite!.port}/`);
      await completeEligibleFlow(watched);
      assert.deepEqual(watched.errors, []);
      assert.deepEqual(watched.violations, []);
      // The API calls went through the proxy (same origin as the page).
      assert.match(api.output(), /POST \/api\/layer\/session 200/);
    } finally {
      await browser.close();
    }
  });
});
