/**
 * Widget timings in Chromium against the real `npm start` server in emulator mode, unthrottled.
 *
 * Time to ready with Plaid's two inputs slowed (`measureReady`): navigation start → the element's
 * first `layer-state-change` to `ready` (Link token fetched, Link script loaded, handler created,
 * `onLoad` fired), with the emulator's fault injection adding 300 ms to `/session/token/create`,
 * to the Link script, or to both. With `preload="eager"` the two run in parallel, so "both" should
 * cost about the slower of the two alone, not their sum: the ratio both / slower single is the
 * figure. On the demo page; the four scenarios are interleaved run by run (faults set before each
 * load), 6 loads each (2 with --quick), each in a fresh browser context (empty cache), after one
 * warm-up load.
 *
 * The widget's own time (`measureOwnTime`): what our code adds on the two paths where a visitor
 * waits on it, with Plaid's and the backend's time taken out. An init script wraps `window.Plaid`
 * as Link's script defines it, so every `Plaid.create` call's handler and callbacks are timed in
 * the page with `performance.now()`:
 * - submit → Link dialog: [`submitPhone()` called → our render after it done] minus the time
 *   inside `handler.submit()`, plus [`onEvent('LAYER_READY')` delivered → our render after it
 *   done] minus the time inside `handler.open()`. Between the two, Link (the emulator's frame and
 *   its server) decides eligibility: that is Plaid's time, not ours. The end-to-end time from the
 *   submit to the dialog on screen is reported beside it.
 * - success: [`onSuccess` delivered → `fetch('…/session')` called] plus [that fetch's promise
 *   resolved and the body in (Resource Timing's `responseEnd`), whichever is later →
 *   `layer-success` fired and our render after it done]: the backend's time, and whatever else
 *   the main thread runs meanwhile (Link's page script handling the frame's last messages), is
 *   left out. The request's own time (`responseEnd − startTime`) is reported beside.
 *   `window.fetch` is wrapped for this, in the page, the same way for any script.
 * "Our render done" is the element's `updateComplete`, awaited at once: only microtasks run in
 * between, so no other task's time is counted. Each run loads a bare page (`ownTimePage`) and
 * goes through Link's steps (consent, code, share) as a visitor does.
 */
import { readFileSync } from 'node:fs';

import type { Browser, Page } from 'playwright-core';

import { SANDBOX_OTP } from '../emulator/sandbox-users.js';
import { linkDialog } from '../test/support/link.js';
import type { RunningServer } from '../test/support/server.js';
import { startBenchSite } from './bench-site.js';
import { benchBrowser, benchServer } from './harness.js';
import { median, ms, quantile, times, type BenchRow } from './table.js';

const PHONE = '+14155550011'; // Leslie, who is eligible and shares a full profile
const TIMEOUT = 60_000;
const TOKEN_ROUTE = '/session/token/create';
const SCRIPT_ROUTE = '/link/v2/stable/link-initialize.js';

declare global {
  interface Window {
    __bench: {
      ready?: number;
      submitOwn?: number;
      readyOwn?: number;
      successOwn?: number;
      sessionMs?: number;
    };
  }
}

/** Records the first `ready`. A string: tsx would wrap a function's inner functions in a helper. */
const READY_PROBE = `
window.__bench = {};
document.addEventListener('layer-state-change', (event) => {
  if (event.detail.state === 'ready' && window.__bench.ready === undefined) window.__bench.ready = performance.now();
});`;

/** Times every handler and callback of `window.Plaid` (see the module comment). */
const OWN_TIME_PROBE = `
window.__bench = {};
const element = () => document.querySelector('layer-onboarding');
const inside = { submit: 0, open: 0 };
let session = null;
const realFetch = window.fetch;
window.fetch = function (input, init) {
  const called = performance.now();
  const answer = realFetch.call(this, input, init);
  const url = new URL(String(input.url ?? input), location.href);
  if (session && url.pathname.endsWith('/session') && session.called === undefined) {
    const current = session;
    current.called = called;
    answer.then(() => (current.answered = performance.now()), () => {});
  }
  return answer;
};
const timed = (name, fn) => function (...args) {
  const start = performance.now();
  try { return fn.apply(this, args); } finally { inside[name] += performance.now() - start; }
};
let plaid;
Object.defineProperty(window, 'Plaid', {
  configurable: true,
  get: () => plaid,
  set: (value) => {
    plaid = value;
    const create = value.create;
    value.create = (config) => {
      const onEvent = config.onEvent;
      const onSuccess = config.onSuccess;
      const handler = create.call(value, {
        ...config,
        onEvent: (name, metadata) => {
          const start = performance.now();
          inside.open = 0;
          onEvent?.(name, metadata);
          if (name !== 'LAYER_READY') return;
          const opened = inside.open;
          element().updateComplete.then(() => {
            window.__bench.readyOwn = performance.now() - start - opened;
          });
        },
        onSuccess: (publicToken, metadata) => {
          const start = performance.now();
          session = { start };
          document.addEventListener('layer-success', () => {
            element().updateComplete.then(() => {
              const end = performance.now();
              const timing = performance
                .getEntriesByType('resource')
                .filter((entry) => new URL(entry.name).pathname.endsWith('/session'))
                .at(-1);
              window.__bench.sessionMs = timing ? timing.responseEnd - timing.startTime : NaN;
              // The promise resolves with the headers; the body may come later: the backend's
              // time ends when both are in.
              const backendDone = Math.max(session.answered, timing ? timing.responseEnd : 0);
              window.__bench.successOwn = session.called - start + (end - backendDone);
            });
          }, { once: true, capture: true });
          onSuccess(publicToken, metadata);
        },
      });
      handler.submit = timed('submit', handler.submit);
      handler.open = timed('open', handler.open);
      return handler;
    };
  },
});
window.__submitPhone = async (phone) => {
  const el = element();
  inside.submit = 0;
  const start = performance.now();
  el.submitPhone(phone);
  await el.updateComplete;
  window.__bench.submitOwn = performance.now() - start - inside.submit;
  return start;
};`;

async function loadUntilReady(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext(); // fresh cache: the Link script is fetched every run
  try {
    const page = await context.newPage();
    await page.addInitScript(READY_PROBE);
    await page.goto(url, { timeout: TIMEOUT });
    await page.waitForFunction(() => window.__bench.ready !== undefined, null, { timeout: TIMEOUT });
    return await page.evaluate(() => window.__bench.ready!);
  } finally {
    await context.close();
  }
}

function setFaults(server: RunningServer, faults: Array<{ route: string; latencyMs: number }>) {
  return fetch(`${server.url}/plaid/emulator/faults`, {
    method: faults.length ? 'POST' : 'DELETE',
    headers: { 'Content-Type': 'application/json' },
    body: faults.length ? JSON.stringify(faults.map((fault) => ({ ...fault, times: null }))) : undefined,
  }).then((response) => {
    if (!response.ok) throw new Error(`setting faults: HTTP ${response.status}`);
  });
}

export async function measureReady({ quick = false, delayMs = 300 } = {}): Promise<BenchRow[]> {
  const runs = quick ? 2 : 6;
  const scenarios = {
    none: [],
    token: [{ route: TOKEN_ROUTE, latencyMs: delayMs }],
    script: [{ route: SCRIPT_ROUTE, latencyMs: delayMs }],
    both: [
      { route: TOKEN_ROUTE, latencyMs: delayMs },
      { route: SCRIPT_ROUTE, latencyMs: delayMs },
    ],
  };
  const timings: Record<keyof typeof scenarios, number[]> = { none: [], token: [], script: [], both: [] };
  const server = await benchServer();
  const browser = await benchBrowser();
  try {
    await loadUntilReady(browser, server.url); // warm-up: server JIT, Link script bundled once
    for (let i = 0; i < runs; i += 1)
      for (const [name, faults] of Object.entries(scenarios) as Array<[keyof typeof scenarios, []]>) {
        await setFaults(server, []);
        if (faults.length) await setFaults(server, faults);
        timings[name].push(await loadUntilReady(browser, server.url));
      }
  } finally {
    await setFaults(server, []);
  }
  const m = Object.fromEntries(Object.entries(timings).map(([name, list]) => [name, median(list)])) as Record<
    keyof typeof scenarios,
    number
  >;
  const slower = Math.max(m.token, m.script);
  const r = (n: number) => ms(Math.round(n));
  return [
    {
      group: 'page',
      figure: `time to ready, Link token and Link script both +${delayMs} ms (median of ${runs})`,
      ours: r(m.both),
      beside: `token +${delayMs} ms ${r(m.token)}; script +${delayMs} ms ${r(m.script)}; none ${r(m.none)}; the sum would be ≈ ${r(m.none + 2 * delayMs)}`,
      ratio: `${times(m.both / slower)} slower single`,
      goal: '≤ 1.15 × slower single',
      met: m.both / slower <= 1.15,
      data: { delayMs, runs, ms: timings },
    },
  ];
}

/**
 * One visitor's flow in a freshly loaded page: the widget's code runs cold, as it does for a
 * visitor, who goes through it once (a second flow in the same page runs JIT-warm code and takes
 * about half the time on the success path).
 */
async function oneFlow(page: Page, url: string) {
  await page.goto(url, { timeout: TIMEOUT });
  await page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'ready' || false,
    null,
    { timeout: TIMEOUT, polling: 20 },
  );
  const started = await page.evaluate(
    (phone) => (window as unknown as { __submitPhone(p: string): Promise<number> }).__submitPhone(phone),
    PHONE,
  );
  await linkDialog(page).waitFor({ timeout: TIMEOUT });
  const dialogShown = (await page.evaluate(() => performance.now())) - started;
  // Link's steps as test/support/link.ts's shareInLink, with the code filled at once (faster).
  const link = linkDialog(page);
  await link.getByRole('button', { name: 'Continue' }).click();
  await link.getByLabel('Verification code').fill(SANDBOX_OTP);
  await link.getByRole('button', { name: 'Verify' }).click();
  await link.getByRole('button', { name: 'Share' }).click();
  await page.waitForFunction(() => window.__bench.successOwn !== undefined, null, { timeout: TIMEOUT });
  const b = await page.evaluate(() => window.__bench);
  return { submit: b.submitOwn! + b.readyOwn!, success: b.successOwn!, session: b.sessionMs!, dialogShown };
}

/**
 * A bare partner page for the own-time runs: the element and the form it fills, nothing else (the
 * demo's event log and notices would count the page's own listeners as ours). Link comes from the
 * other loopback name, another site, as Plaid's CDN is: Chromium runs its frame in another
 * process, so Link's work does not share our main thread.
 */
function ownTimePage(linkScript: string): string {
  const fields = [
    'first_name',
    'last_name',
    'phone_number',
    'email',
    'date_of_birth',
    'street',
    'city',
    'region',
    'postal_code',
  ];
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><title>Own time</title><script src="/layer-onboarding.js" defer></script></head>
<body>
<form id="application">
<layer-onboarding api="/api/layer" link-script-src="${linkScript}" name="layer_token" fill-form="application"></layer-onboarding>
${fields.map((field) => `<label>${field} <input name="${field}" data-layer-field="${field}" /></label>`).join('\n')}
</form>
</body>
</html>
`;
}

export async function measureOwnTime({ quick = false } = {}): Promise<BenchRow[]> {
  const runs = quick ? 10 : 50;
  const server = await benchServer();
  const otherSite = new URL(server.url);
  otherSite.hostname = 'localhost';
  const site = await startBenchSite(
    {
      '/own.html': {
        type: 'text/html; charset=utf-8',
        body: ownTimePage(`${otherSite.origin}/plaid${SCRIPT_ROUTE}`),
      },
      '/layer-onboarding.js': {
        type: 'text/javascript; charset=utf-8',
        body: readFileSync('dist/layer-onboarding.js'),
      },
    },
    server.url,
  );
  const url = `${site.url}/own.html`;
  const browser = await benchBrowser();
  const results: Array<Awaited<ReturnType<typeof oneFlow>>> = [];
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(OWN_TIME_PROBE);
    await oneFlow(page, url); // warm-up: the server's first requests
    for (let i = 0; i < runs; i += 1) results.push(await oneFlow(page, url));
    await context.close();
  } finally {
    await site.stop();
  }
  const pick = (key: keyof (typeof results)[number]) => results.map((result) => result[key]);
  const stat = (list: number[]) =>
    `median ${ms(round(median(list)))}, p95 ${ms(round(quantile(list, 0.95)))}`;
  const round = (n: number) => Math.round(n * 10) / 10;
  const submit = pick('submit');
  const success = pick('success');
  return [
    {
      group: 'page',
      figure: `widget's own time, submit → Link dialog (${runs} runs)`,
      ours: stat(submit),
      beside: `end to end, Link's eligibility check included: ${stat(pick('dialogShown'))}`,
      ratio: '',
      goal: '< 16 ms (p95)',
      met: quantile(submit, 0.95) < 16,
      data: { runs, ownMs: submit, endToEndMs: pick('dialogShown') },
    },
    {
      group: 'page',
      figure: `widget's own time, onSuccess → layer-success (${runs} runs)`,
      ours: stat(success),
      beside: `POST /session taken out: ${stat(pick('session'))}`,
      ratio: '',
      goal: '< 16 ms (p95)',
      met: quantile(success, 0.95) < 16,
      data: { runs, ownMs: success, sessionMs: pick('session') },
    },
  ];
}
