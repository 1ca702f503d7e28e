/**
 * Debian's Chromium (or CHROMIUM_PATH) through playwright-core; nothing downloads a browser. The
 * same path and flags serve web-test-runner (web-test-runner.config.mjs imports them from here).
 */
import { chromium, type Browser, type Page } from 'playwright-core';

import { exitOnSignals } from './processes.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * No sandbox (root in CI), no GPU, and none of Chromium's background traffic: this machine has no
 * network beyond the package registries, and Chromium's own connections would only be refused.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * How long one step (a click, a navigation, a wait for an element or an event) may take. Generous:
 * on a busy 2-core machine a step that takes 50 ms alone can take seconds; a step that never
 * happens still fails, just not at once.
 */
export const STEP_TIMEOUT_MS = 60_000;

export function launchChromium(): Promise<Browser> {
  // Playwright kills its Chromium when this process exits; make SIGTERM (a timed-out test file)
  // exit it, where Playwright's own SIGTERM handler would only close the browser.
  exitOnSignals();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 180_000,
  });
}

export interface OpenPage {
  page: Page;
  /** Uncaught page errors and console errors, as they happen. */
  errors: string[];
}

/** A new page with generous step limits that records its errors. */
export async function openPage(browser: Browser): Promise<OpenPage> {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, errors };
}
