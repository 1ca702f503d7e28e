/**
 * One `npm start` server (emulator mode) and one Chromium for all the browser benchmarks of a
 * run: each start costs seconds on a busy machine, and every benchmark makes fresh browser
 * contexts of its own anyway. bench/run.ts closes them at the end (`closeHarness`).
 */
import type { Browser } from 'playwright-core';

import { launchChromium } from '../test/support/browser.js';
import { startServer, type RunningServer } from '../test/support/server.js';

let server: Promise<RunningServer> | undefined;
let browser: Promise<Browser> | undefined;

export function benchServer(): Promise<RunningServer> {
  server ??= startServer();
  return server;
}

export function benchBrowser(): Promise<Browser> {
  browser ??= launchChromium();
  return browser;
}

export async function closeHarness(): Promise<void> {
  const [openBrowser, openServer] = [browser, server];
  browser = server = undefined;
  await (await openBrowser)?.close();
  await (await openServer)?.stop();
}
