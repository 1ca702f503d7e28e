/**
 * For an end-to-end test file: the real `npm start` server and Chromium, started together before
 * its tests and stopped after them. Read `site.server` and `site.browser` inside tests.
 */
import { after, before } from 'node:test';

import type { Browser } from 'playwright-core';

import { launchChromium } from './browser.js';
import { startServer, type RunningServer } from './server.js';

export interface Site {
  server: RunningServer;
  browser: Browser;
}

export function useSite(env: Record<string, string> = {}): Site {
  const site = {} as Site;
  before(async () => {
    [site.server, site.browser] = await Promise.all([startServer(env), launchChromium()]);
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.stop();
  });
  return site;
}
