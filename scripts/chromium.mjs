// Debian's Chromium (or CHROMIUM_PATH) and the flags every browser run here uses: the test
// harness (test/support/browser.ts, and through it web-test-runner) and `npm run test:examples`,
// which is plain Node without TypeScript.

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
