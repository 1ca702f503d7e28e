/**
 * Debian's Chromium (or CHROMIUM_PATH) through playwright-core; nothing downloads a browser. The
 * path and flags are scripts/chromium.mjs', which web-test-runner and `test:examples` use too.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { exitOnSignals } from './processes.js';

export { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';

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
  /** Every `securitypolicyviolation` in the page and its frames (Link's iframe included). */
  violations: string[];
}

/**
 * Records every Content-Security-Policy violation in every frame of the page (or of every page of
 * the context), cross-origin iframes included, as `directive blocked-uri (document)`. A binding,
 * not the console: a policy that only reports could otherwise go unnoticed.
 */
export async function recordCspViolations(target: Page | BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await target.exposeBinding('__reportCspViolation', (_source, violation: string) => {
    violations.push(violation);
  });
  await target.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => {
        const scope = window as unknown as {
          __reportCspViolation?: (text: string) => void;
          cspViolationCount?: number;
        };
        // Counted in the document too, so a test can wait for a violation it provokes.
        scope.cspViolationCount = (scope.cspViolationCount ?? 0) + 1;
        scope.__reportCspViolation?.(
          `${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'} (${event.documentURI})`,
        );
      },
      true,
    );
  });
  return violations;
}

/** A new page with generous step limits that records its errors and CSP violations. */
export async function openPage(browser: Browser): Promise<OpenPage> {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const violations = await recordCspViolations(page);
  return { page, errors, violations };
}
