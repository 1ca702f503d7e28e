/**
 * Time to a usable phone input on a slow phone over a slow network: our element's page beside the
 * React 19 + react-plaid-link page (the alternative) and a minimal Lit element (the floor).
 *
 * Profile, through the Chrome DevTools Protocol before each navigation: CPU slowed 4 times
 * (`Emulation.setCPUThrottlingRate`), 150 ms round trip and 1.6 Mbps each way
 * (`Network.emulateNetworkConditions`, 200,000 bytes/s).
 *
 * "Usable" is the first animation frame (requestAnimationFrame's timestamp, from navigation
 * start) in which the page's phone input (`input[type=tel]`, in the document or in the open
 * shadow root of `<layer-onboarding>` / `<minimal-element>`) is in the DOM, rendered
 * (`checkVisibility()`), enabled and not read-only: the visitor can type. A probe added as an init
 * script looks every frame, the same way on every page; nothing in our element is special-cased.
 *
 * The three pages are served from one origin (bench-site.ts), scripts gzip -9 precompressed, with
 * the same backend and Link script (the emulator's, through the same server): react-plaid-link
 * hard-codes Plaid's CDN URL, so its build's copy of that URL is replaced by the emulator's path
 * (a request interception would slow only the React page). Loads are interleaved (ours, React,
 * floor, ours, …), each in a fresh browser context (empty cache), after one warm-up load (the
 * server's first requests are slower).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import type { Browser } from 'playwright-core';

import { startBenchSite, type BenchFile } from './bench-site.js';
import { buildFixtures } from './build-fixtures.js';
import { benchBrowser, benchServer } from './harness.js';
import { median, ms, quantile, times, type BenchRow } from './table.js';

const LINK_SCRIPT = '/plaid/link/v2/stable/link-initialize.js';
const PLAID_CDN_SCRIPT = 'https://cdn.plaid.com/link/v2/stable/link-initialize.js';
export const PROFILE = { cpu: 4, latencyMs: 150, bytesPerSecond: 200_000 };

const JS = 'text/javascript; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const page = (title: string, head: string, body: string) =>
  `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<meta name="viewport" content="width=device-width, initial-scale=1" />\n<title>${title}</title>\n${head}\n</head>\n<body>\n<h1>Open your account</h1>\n${body}\n</body>\n</html>\n`;

/** The pages, by path: ours, the React page, the floor. */
async function benchFiles(): Promise<Record<string, BenchFile>> {
  const fixtures = await buildFixtures();
  const files: Record<string, BenchFile> = {
    '/ours.html': {
      type: HTML,
      body: page(
        'Layer with layer-onboarding',
        '<script src="/layer-onboarding.js" defer></script>',
        `<layer-onboarding api="/api/layer" link-script-src="${LINK_SCRIPT}"></layer-onboarding>`,
      ),
    },
    '/layer-onboarding.js': { type: JS, body: readFileSync('dist/layer-onboarding.js') },
    '/floor.html': {
      type: HTML,
      body: page(
        'A minimal Lit element',
        '<script src="/minimal-element.js" defer></script>',
        '<minimal-element></minimal-element>',
      ),
    },
    '/minimal-element.js': { type: JS, body: readFileSync(fixtures.litIife) },
    '/react/index.html': { type: HTML, body: readFileSync(join(fixtures.reactDir, 'index.html')) },
  };
  for (const script of fixtures.reactScripts) {
    const code = readFileSync(script, 'utf8');
    if (!code.includes(PLAID_CDN_SCRIPT)) throw new Error(`${script} no longer names ${PLAID_CDN_SCRIPT}`);
    files[`/react/assets/${basename(script)}`] = {
      type: JS,
      body: code.replaceAll(PLAID_CDN_SCRIPT, LINK_SCRIPT),
    };
  }
  return files;
}

declare global {
  interface Window {
    __usable?: number;
  }
}

/**
 * The init script: every frame, is the phone input there, rendered, enabled and editable? A string,
 * not a function: tsx would wrap a function's inner functions in a helper the page does not have.
 */
const PROBE = `
if (window === window.top) {
  const find = () =>
    document.querySelector('input[type=tel]') ??
    [...document.querySelectorAll('layer-onboarding, minimal-element')]
      .map((host) => host.shadowRoot?.querySelector('input[type=tel]'))
      .find(Boolean);
  const check = (frame) => {
    const input = find();
    if (input && !input.disabled && !input.readOnly && input.checkVisibility()) window.__usable = frame;
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}`;

async function timeToUsable(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: PROFILE.cpu });
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: PROFILE.latencyMs,
      downloadThroughput: PROFILE.bytesPerSecond,
      uploadThroughput: PROFILE.bytesPerSecond,
    });
    await tab.addInitScript(PROBE);
    await tab.goto(url, { waitUntil: 'commit', timeout: 60_000 });
    await tab.waitForFunction(() => window.__usable !== undefined, null, { timeout: 60_000, polling: 50 });
    return await tab.evaluate(() => window.__usable!);
  } finally {
    await context.close();
  }
}

export async function measureUsable({ quick = false } = {}): Promise<BenchRow[]> {
  const loads = quick ? 3 : 10;
  const files = await benchFiles();
  const server = await benchServer();
  const site = await startBenchSite(files, server.url);
  const browser = await benchBrowser();
  const pages = { ours: '/ours.html', react: '/react/index.html', floor: '/floor.html' };
  const times_: Record<keyof typeof pages, number[]> = { ours: [], react: [], floor: [] };
  try {
    await timeToUsable(browser, site.url + pages.ours); // warm-up: the server's first requests
    for (let i = 0; i < loads; i += 1)
      for (const [name, path] of Object.entries(pages) as Array<[keyof typeof pages, string]>)
        times_[name].push(await timeToUsable(browser, site.url + path));
  } finally {
    await site.stop();
  }
  const [ours, react, floor] = [median(times_.ours), median(times_.react), median(times_.floor)];
  const p90 = (list: number[]) => ms(Math.round(quantile(list, 0.9)));
  return [
    {
      group: 'page',
      figure: `time to usable phone input, CPU ×${PROFILE.cpu}, ${PROFILE.latencyMs} ms RTT, 1.6 Mbps (median of ${loads})`,
      ours: `${ms(Math.round(ours))} (p90 ${p90(times_.ours)})`,
      beside: `React page ${ms(Math.round(react))} (p90 ${p90(times_.react)}); minimal Lit element ${ms(Math.round(floor))}`,
      ratio: `React/ours ${times(react / ours)}; ${times(ours / floor)} floor`,
      goal: '≤ 0.6 × React (React/ours ≥ 1.67)',
      met: ours <= 0.6 * react,
      data: { profile: PROFILE, loads, ms: times_ },
    },
  ];
}
