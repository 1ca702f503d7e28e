/**
 * The demo page of `npm start` in Chromium, as a visitor uses it, with everything a test asserts
 * on recorded from the first moment: every `layer-*` event (in order), page and console errors, and
 * Content-Security-Policy violations in the page and in Link's iframe.
 */
import assert from 'node:assert/strict';

import type { Browser, Locator, Page } from 'playwright-core';

import { LAYER_EVENT_NAMES } from '../../widget/events.js';
import { openPage } from './browser.js';
import { linkDialog } from './link.js';

export interface Recorded {
  type: string;
  detail: Record<string, unknown>;
}

export interface Demo {
  page: Page;
  widget: Locator;
  /** Link's dialog, inside its iframe. */
  link: Locator;
  /** Page errors and console errors seen so far. */
  errors: string[];
  /** CSP violations seen so far, in the page and its frames. */
  violations: string[];
  /** Every `layer-*` event of the current document so far. */
  events: () => Promise<Recorded[]>;
  /** Waits for the first event of a type after `from` events, and returns its detail. */
  waitFor: (type: string, from?: number) => Promise<Record<string, unknown>>;
  /** Waits until `count` events of a type (and, for `layer-event`, of that Link event) were fired. */
  waitForCount: (type: string, count: number, eventName?: string) => Promise<void>;
  /** No page error, no console error, no CSP violation. */
  assertClean: () => void;
  close: () => Promise<void>;
}

export interface OpenDemoOptions {
  /** Runs on the new page before it loads `url`, e.g. to set up the routes that serve or shape it. */
  beforeLoad?: (page: Page) => Promise<unknown>;
}

/** Opens `url` (the demo, by default at the server's root) in a new page of `browser`. */
export async function openDemo(
  browser: Browser,
  url: string,
  { beforeLoad }: OpenDemoOptions = {},
): Promise<Demo> {
  const { page, errors, violations } = await openPage(browser);
  await beforeLoad?.(page);
  await page.addInitScript((types) => {
    const recorded: { type: string; detail: unknown }[] = [];
    (window as unknown as { layerEvents: typeof recorded }).layerEvents = recorded;
    for (const type of types)
      document.addEventListener(type, (event) =>
        recorded.push({ type, detail: (event as CustomEvent).detail }),
      );
  }, LAYER_EVENT_NAMES);
  await page.goto(url);
  const events = () =>
    page.evaluate(() => (window as unknown as { layerEvents: Recorded[] }).layerEvents.slice());
  return {
    page,
    widget: page.locator('layer-onboarding'),
    link: linkDialog(page),
    errors,
    violations,
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
    waitForCount: async (type, count, eventName) => {
      await page.waitForFunction(
        ([wanted, name, atLeast]) =>
          (window as unknown as { layerEvents: Recorded[] }).layerEvents.filter(
            (e) => e.type === wanted && (name === null || e.detail.eventName === name),
          ).length >= atLeast,
        [type, eventName ?? null, count] as const,
      );
    },
    assertClean: () => {
      assert.deepEqual(errors, [], 'page or console errors');
      assert.deepEqual(violations, [], 'Content-Security-Policy violations');
    },
    close: () => page.close(),
  };
}

/** Types a phone number into the widget and presses its button. */
export async function submitPhone(demo: Demo, phone: string): Promise<void> {
  const input = demo.widget.getByLabel('Phone number', { exact: true });
  await input.click();
  await input.pressSequentially(phone);
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
}
