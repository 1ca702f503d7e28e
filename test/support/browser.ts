/**
 * Debian's Chromium (or CHROMIUM_PATH) through playwright-core; nothing downloads a browser. The
 * same path and flags serve web-test-runner (web-test-runner.config.mjs imports them from here).
 */
import { chromium, type Browser } from 'playwright-core';

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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
