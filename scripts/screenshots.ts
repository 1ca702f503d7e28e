// `npm run screenshots`: the pictures in README.md and the widget's screenshot matrix, taken in
// Chromium from the real `npm start` server in emulator mode (built first if dist/ is stale).
// Rerun it whenever the widget or the demo page changes, and look at what changed.
//
//   docs/demo.png        the demo page with the widget, ready for a phone number (the README's top)
//   docs/demo-link.png   Plaid Link (the emulator's) open over it, asking for the code
//   docs/demo-done.png   after Share: the partner's form prefilled
//   docs/screenshots/widget-<width>-<theme>-<lang>.png
//                        the matrix (scripts/screenshot-matrix.ts): `<layer-onboarding>` alone on a
//                        minimal page, one contact sheet per width (320, 390, 1280 px), page theme
//                        (light: #111 on #fff; dark: #eee on #111 with prefers-color-scheme: dark)
//                        and language (en, es), each showing the element in the states idle,
//                        checking, dob, error, fallback and complete: 12 files.
//
// Flags (after `--`, e.g. `npm run screenshots -- --matrix --width 390 --theme dark`):
//   --demo               only the demo pictures
//   --matrix             only the matrix
//   --width <px,...>     --theme <light|dark,...>   --lang <en|es,...>
//                        only these sheets of the matrix (to iterate on one case quickly); any
//                        width may be asked for, e.g. 160 (320 px at 200 % zoom)
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { SANDBOX_OTP } from '../emulator/sandbox-users.js';
import { launchChromium } from '../test/support/browser.js';
import type { PageTheme } from '../test/support/host-page.js';
import { linkDialog } from '../test/support/link.js';
import { startServer } from '../test/support/server.js';
import { MATRIX_LANGS, MATRIX_THEMES, MATRIX_WIDTHS, shootMatrix } from './screenshot-matrix.js';

const OUT = new URL('../docs/', import.meta.url);
const STEP = { timeout: 60_000 };

const { values: flags } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    matrix: { type: 'boolean', default: false },
    width: { type: 'string' },
    theme: { type: 'string' },
    lang: { type: 'string' },
  },
});
const both = flags.demo === flags.matrix;

/** A comma-separated flag, each value one of `allowed`; all of them without the flag. */
function pick<T extends string | number>(flag: string | undefined, allowed: readonly T[], name: string): T[] {
  if (flag === undefined) return [...allowed];
  return flag.split(',').map((text) => {
    const value = allowed.find((candidate) => String(candidate) === text.trim());
    if (value === undefined) throw new Error(`--${name} ${text}: one of ${allowed.join(', ')}`);
    return value;
  });
}

function toWidth(text: string): number {
  const width = Number(text.trim());
  if (!Number.isInteger(width) || width < 100 || width > 4000)
    throw new Error(`--width ${text}: CSS pixels, 100-4000`);
  return width;
}

const matrix = {
  // Any width may be asked for (160 px is 320 px at 200 % zoom); the three widths by default.
  widths: flags.width === undefined ? [...MATRIX_WIDTHS] : flags.width.split(',').map(toWidth),
  themes: pick(flags.theme, MATRIX_THEMES, 'theme') as PageTheme[],
  langs: pick(flags.lang, MATRIX_LANGS, 'lang'),
};

await mkdir(OUT, { recursive: true });
const [server, browser] = await Promise.all([startServer(), launchChromium()]);
try {
  if (both || flags.demo) await shootDemo();
  if (both || flags.matrix) {
    console.log('matrix: each state, then the contact sheets');
    const files = await shootMatrix({
      browser,
      serverUrl: server.url,
      out: new URL('screenshots/', OUT),
      ...matrix,
    });
    console.log(`wrote ${files.length} contact sheets:\n${files.map((file) => `  ${file}`).join('\n')}`);
  }
} finally {
  await browser.close();
  await server.stop();
}

/** The README's pictures, from the demo page. */
async function shootDemo(): Promise<void> {
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
  await page.close();
  console.log('wrote docs/demo.png, docs/demo-link.png, docs/demo-done.png');
}
