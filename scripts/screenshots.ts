// `npm run screenshots`: the pictures in README.md, taken from the real demo (`npm start`, emulator
// mode) in Chromium. Rerun it whenever the widget or the demo page changes.
//
//   docs/demo.png        the demo page with the widget, ready for a phone number (the README's top)
//   docs/demo-link.png   Plaid Link (the emulator's) open over it, asking for the code
//   docs/demo-done.png   after Share: the partner's form prefilled
import { mkdir } from 'node:fs/promises';

import { SANDBOX_OTP } from '../emulator/sandbox-users.js';
import { launchChromium } from '../test/support/browser.js';
import { linkDialog } from '../test/support/link.js';
import { startServer } from '../test/support/server.js';

const OUT = new URL('../docs/', import.meta.url);
const STEP = { timeout: 60_000 };

await mkdir(OUT, { recursive: true });
const [server, browser] = await Promise.all([startServer(), launchChromium()]);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(server.url);
  const widget = page.locator('layer-onboarding');
  await page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'ready',
    null,
    STEP,
  );
  await widget.getByLabel('Phone number', { exact: true }).pressSequentially('415-555-0011');
  await page.screenshot({ path: new URL('demo.png', OUT).pathname });

  await widget.getByRole('button', { name: 'Continue' }).click();
  const link = linkDialog(page);
  await link.getByRole('button', { name: 'Continue' }).click(STEP);
  await link.getByLabel('Verification code').pressSequentially(SANDBOX_OTP, STEP);
  await page.screenshot({ path: new URL('demo-link.png', OUT).pathname });

  await link.getByRole('button', { name: 'Verify' }).click();
  await link.getByRole('button', { name: 'Share' }).click(STEP);
  await page.waitForFunction(
    () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'complete',
    null,
    STEP,
  );
  await page.locator('#first-name').scrollIntoViewIfNeeded();
  await page.screenshot({ path: new URL('demo-done.png', OUT).pathname, fullPage: true });
  console.log('wrote docs/demo.png, docs/demo-link.png, docs/demo-done.png');
} finally {
  await browser.close();
  await server.stop();
}
