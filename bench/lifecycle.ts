/**
 * Lifecycle: 200 connect/remove cycles of `<layer-onboarding>` in one page, against the real
 * `npm start` server (so each element fetches a Link token, loads Link and creates a handler with
 * its iframe). Even cycles remove the element once it is `ready`; odd cycles remove it straight
 * after connecting, while its token request and Link are still on the way.
 *
 * Counted before (after one warm-up cycle: the Link script, loaded once per page, stays) and after
 * (once the page is quiet, or after 10 s): `<script>` tags, Link iframes, live timers (an init
 * script wraps setTimeout/setInterval and their clears: a timer is live until it fires or is
 * cleared), and event listeners on `window` and `document` (CDP `DOMDebugger.getEventListeners`).
 * Back to baseline passes. Heap growth is reported, after CDP `HeapProfiler.collectGarbage`, from
 * `Runtime.getHeapUsage`, in all and per cycle over the second half of the cycles (after the
 * first half has filled whatever is filled once).
 */
import { readFileSync } from 'node:fs';

import type { CDPSession, Page } from 'playwright-core';

import { LINK_FRAME } from '../test/support/link.js';
import { startBenchSite } from './bench-site.js';
import { benchBrowser, benchServer } from './harness.js';
import { bytes, type BenchRow } from './table.js';

const TIMEOUT = 60_000;

/** Live timers, by id. A string: tsx would wrap a function's inner functions in a helper. */
const TIMER_PROBE = `
const live = new Set();
window.__liveTimers = () => live.size;
const realSetTimeout = window.setTimeout;
const realSetInterval = window.setInterval;
const realClearTimeout = window.clearTimeout;
const realClearInterval = window.clearInterval;
window.setTimeout = function (handler, ...rest) {
  const id = realSetTimeout.call(window, function (...args) {
    live.delete(id);
    return typeof handler === 'function' ? handler.apply(this, args) : undefined;
  }, ...rest);
  live.add(id);
  return id;
};
window.setInterval = function (...args) {
  const id = realSetInterval.apply(window, args);
  live.add(id);
  return id;
};
window.clearTimeout = (id) => { live.delete(id); realClearTimeout.call(window, id); };
window.clearInterval = (id) => { live.delete(id); realClearInterval.call(window, id); };`;

interface Counts {
  scripts: number;
  frames: number;
  timers: number;
  listeners: number;
  heap: number;
}

async function listenerCount(cdp: CDPSession, expression: string): Promise<number> {
  const { result } = await cdp.send('Runtime.evaluate', { expression });
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
  await cdp.send('Runtime.releaseObject', { objectId: result.objectId! });
  return listeners.length;
}

async function count(page: Page, cdp: CDPSession): Promise<Counts> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const dom = await page.evaluate(
    (frame) => ({
      scripts: document.querySelectorAll('script').length,
      frames: document.querySelectorAll(frame).length,
      timers: (window as unknown as { __liveTimers(): number }).__liveTimers(),
    }),
    LINK_FRAME,
  );
  const listeners = (await listenerCount(cdp, 'window')) + (await listenerCount(cdp, 'document'));
  return { ...dom, listeners, heap: usedSize };
}

/** One element in and out; `untilReady`: removed once ready, else straight away. */
function cycle(page: Page, untilReady: boolean, linkScript: string) {
  return page.evaluate(
    async ({ untilReady, linkScript }) => {
      const element = document.createElement('layer-onboarding');
      element.setAttribute('api', '/api/layer');
      element.setAttribute('link-script-src', linkScript);
      const ready = new Promise<void>((resolve) =>
        element.addEventListener('layer-state-change', (event) => {
          if ((event as CustomEvent<{ state: string }>).detail.state === 'ready') resolve();
        }),
      );
      document.body.append(element);
      if (untilReady) await ready;
      element.remove();
    },
    { untilReady, linkScript },
  );
}

export async function measureLifecycle({ quick = false } = {}): Promise<BenchRow[]> {
  const cycles = quick ? 20 : 200;
  const server = await benchServer();
  const otherSite = new URL(server.url);
  otherSite.hostname = 'localhost';
  const linkScript = `${otherSite.origin}/plaid/link/v2/stable/link-initialize.js`;
  const site = await startBenchSite(
    {
      '/lifecycle.html': {
        type: 'text/html; charset=utf-8',
        body: '<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>Lifecycle</title><script src="/layer-onboarding.js"></script></head><body></body></html>\n',
      },
      '/layer-onboarding.js': {
        type: 'text/javascript; charset=utf-8',
        body: readFileSync('dist/layer-onboarding.js'),
      },
    },
    server.url,
  );
  const browser = await benchBrowser();
  let before: Counts;
  let after: Counts;
  let halfway = 0;
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.addInitScript(TIMER_PROBE);
    const cdp = await page.context().newCDPSession(page);
    await page.goto(`${site.url}/lifecycle.html`);
    await cycle(page, true, linkScript); // warm-up: the Link script comes once per page
    before = await count(page, cdp);
    for (let i = 0; i < cycles; i += 1) {
      await cycle(page, i % 2 === 0, linkScript);
      if (i + 1 === cycles / 2) {
        await cdp.send('HeapProfiler.collectGarbage');
        halfway = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      }
    }
    // Quiet: what the last elements started has settled (or 10 s have passed). Polled with
    // evaluate, not waitForFunction, whose helper script adds listeners of its own to window.
    const liveTimers = () =>
      page.evaluate(() => (window as unknown as { __liveTimers(): number }).__liveTimers());
    for (const end = Date.now() + 10_000; Date.now() < end && (await liveTimers()) > before.timers;)
      await new Promise((resolve) => setTimeout(resolve, 100));
    after = await count(page, cdp);
    await context.close();
  } finally {
    await site.stop();
  }
  const row = (figure: string, key: Exclude<keyof Counts, 'heap'>): BenchRow => ({
    group: 'lifecycle',
    figure: `${figure} after ${cycles} connect/remove cycles`,
    ours: String(after[key]),
    beside: `baseline ${before[key]}`,
    ratio: '',
    goal: 'back to baseline',
    met: after[key] <= before[key],
  });
  const growth = after.heap - before.heap;
  // A leak grows with the cycles; caches filled once (Lit's templates, the Link script's state) do
  // not: the second half's growth tells them apart.
  const secondHalf = (after.heap - halfway) / (cycles / 2);
  return [
    row('script elements', 'scripts'),
    row('Link iframes', 'frames'),
    row('live timers', 'timers'),
    row('event listeners on window and document', 'listeners'),
    {
      group: 'lifecycle',
      figure: `JS heap growth after ${cycles} cycles (after GC)`,
      ours: `${growth >= 0 ? '+' : '−'}${bytes(Math.abs(growth))}`,
      beside: `baseline ${bytes(before.heap)} used`,
      ratio: `${Math.round(secondHalf)} B a cycle over the second ${cycles / 2}`,
      goal: 'reported',
      data: { cycles, before, halfway, after },
    },
  ];
}
