/**
 * For an end-to-end test file: the real `npm start` server and Chromium, started together before
 * its tests and stopped after them — both, whichever of them failed to start or to stop. Read
 * `site.server` and `site.browser` inside tests.
 */
import { after, before } from 'node:test';

import type { Browser } from 'playwright-core';

import { launchChromium } from './browser.js';
import { settlesWithin } from './processes.js';
import { startServer, type RunningServer } from './server.js';

export interface Site {
  server: RunningServer;
  browser: Browser;
}

export function useSite(env: Record<string, string> = {}): Site {
  const site: Partial<Site> = {};
  before(async () => {
    const [server, browser] = await Promise.allSettled([startServer(env), launchChromium()]);
    if (server.status === 'fulfilled') site.server = server.value;
    if (browser.status === 'fulfilled') site.browser = browser.value;
    if (server.status === 'rejected' || browser.status === 'rejected') {
      await stop(site);
      throw server.status === 'rejected' ? server.reason : (browser as PromiseRejectedResult).reason;
    }
  });
  after(() => stop(site));
  return site as Site;
}

async function stop(site: Partial<Site>): Promise<void> {
  const { browser, server } = site;
  delete site.browser;
  delete site.server;
  const closed = browser ? settlesWithin(browser.close(), 30_000) : Promise.resolve(true);
  await Promise.all([closed, server?.stop()]);
  // A browser that would not close is killed with this process (Playwright does that on exit).
  if (!(await closed)) throw new Error('Chromium did not close within 30 s');
}
