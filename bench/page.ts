/**
 * Widget timings in Chromium against the real `npm start` server in emulator mode.
 *
 * - ready: navigation start → the element reaches state `ready` (Link token fetched, Link script
 *   loaded, handler created, `onLoad` fired). Measured with Plaid's two inputs slowed down by the
 *   emulator's fault injection, to show that preload="eager" runs them in parallel: with both
 *   delayed by D, the critical path grows by about D, not 2·D.
 * - eligible: `submitPhone()` → `layer-eligible` (the phone travels to Link, Link answers
 *   LAYER_READY), and → the Link dialog on screen.
 */
import { linkDialog } from '../test/support/link.js';
import type { Browser } from 'playwright-core';

import { launchChromium } from '../test/support/browser.js';
import { startServer } from '../test/support/server.js';

export interface PageTimings {
  scenario: string;
  runs: number;
  readyMs: Summary;
  eligibleMs?: Summary;
  dialogMs?: Summary;
}

export interface Summary {
  median: number;
  p90: number;
  min: number;
  max: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (n: number) => Math.round(n * 10) / 10;
  return { median: round(at(0.5)), p90: round(at(0.9)), min: round(sorted[0]!), max: round(sorted.at(-1)!) };
}

declare global {
  interface Window {
    __bench: { ready?: number; eligible?: number };
  }
}

async function oneRun(browser: Browser, url: string, withEligibility: boolean) {
  const context = await browser.newContext(); // fresh cache: the Link script is fetched every run
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__bench = {};
    document.addEventListener('layer-state-change', (event) => {
      const { state } = (event as CustomEvent<{ state: string }>).detail;
      if (state === 'ready' && window.__bench.ready === undefined) window.__bench.ready = performance.now();
    });
    document.addEventListener('layer-eligible', () => (window.__bench.eligible = performance.now()));
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__bench.ready !== undefined, null, { timeout: 30_000 });
  const ready = await page.evaluate(() => window.__bench.ready!);
  let eligible: number | undefined;
  let dialog: number | undefined;
  if (withEligibility) {
    const started = await page.evaluate(() => {
      const start = performance.now();
      (
        document.querySelector('layer-onboarding') as unknown as { submitPhone(phone: string): void }
      ).submitPhone('+14155550011');
      return start;
    });
    await linkDialog(page).waitFor({ timeout: 30_000 });
    const shown = await page.evaluate(() => performance.now());
    eligible = (await page.evaluate(() => window.__bench.eligible!)) - started;
    dialog = shown - started;
  }
  await context.close();
  return { ready, eligible, dialog };
}

export async function measurePage({ runs = 15, delayMs = 300 } = {}): Promise<PageTimings[]> {
  const server = await startServer();
  const browser = await launchChromium();
  const setFaults = (faults: unknown[]) =>
    fetch(`${server.url}/plaid/emulator/faults`, {
      method: faults.length ? 'POST' : 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: faults.length ? JSON.stringify(faults) : undefined,
    });
  const results: PageTimings[] = [];
  try {
    const scenarios = [
      { scenario: 'no added latency', faults: [] },
      {
        scenario: `token creation +${delayMs} ms`,
        faults: [{ route: '/session/token/create', latencyMs: delayMs, times: null }],
      },
      {
        scenario: `Link script +${delayMs} ms`,
        faults: [{ route: '/link/v2/stable/link-initialize.js', latencyMs: delayMs, times: null }],
      },
      {
        scenario: `both +${delayMs} ms`,
        faults: [
          { route: '/session/token/create', latencyMs: delayMs, times: null },
          { route: '/link/v2/stable/link-initialize.js', latencyMs: delayMs, times: null },
        ],
      },
    ];
    await oneRun(browser, server.url, true); // warm-up: server JIT, Link script compiled once
    for (const { scenario, faults } of scenarios) {
      await setFaults([]);
      if (faults.length) await setFaults(faults);
      const measured = [];
      for (let i = 0; i < runs; i += 1) measured.push(await oneRun(browser, server.url, faults.length === 0));
      const timing: PageTimings = { scenario, runs, readyMs: summarize(measured.map((m) => m.ready)) };
      if (faults.length === 0) {
        timing.eligibleMs = summarize(measured.map((m) => m.eligible!));
        timing.dialogMs = summarize(measured.map((m) => m.dialog!));
      }
      results.push(timing);
    }
    await setFaults([]);
  } finally {
    await browser.close();
    await server.stop();
  }
  return results;
}
