/**
 * Plaid Link as a visitor meets it in a page, through Playwright: like real Link, the emulator
 * draws its UI in an iframe (`iframe[title="Plaid Link"]`, one per handler, hidden until Link
 * opens), usually on another origin than the page. The dialog inside is named "Plaid …".
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

import { SANDBOX_OTP } from '../../emulator/sandbox-users.js';

export const LINK_FRAME = 'iframe[title="Plaid Link"]';

/** The Link iframe that is showing (hidden ones belong to handlers that are not open). */
export function linkFrame(page: Page): FrameLocator {
  return page.locator(`${LINK_FRAME}:visible`).contentFrame();
}

/** Link's dialog, inside the iframe that is showing. */
export function linkDialog(page: Page): Locator {
  return linkFrame(page).getByRole('dialog', { name: /Plaid/ });
}

/** Consent, the one-time code and the review, as a visitor goes through them. */
export async function shareInLink(page: Page, code = SANDBOX_OTP): Promise<void> {
  const link = linkDialog(page);
  await link.getByRole('button', { name: 'Continue' }).click();
  await link.getByLabel('Verification code').pressSequentially(code);
  await link.getByRole('button', { name: 'Verify' }).click();
  await link.getByRole('button', { name: 'Share' }).click();
}

/** Resolves once no Link iframe is showing. */
export async function linkClosed(page: Page): Promise<void> {
  await page.waitForFunction(
    (selector) =>
      [...document.querySelectorAll(selector)].every((frame) => getComputedStyle(frame).display === 'none'),
    LINK_FRAME,
  );
}

/** How many Link iframes the page holds (one per live handler). */
export function linkFrameCount(page: Page): Promise<number> {
  return page.locator(LINK_FRAME).count();
}
