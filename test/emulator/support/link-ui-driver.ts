/** Drives the emulated Link dialog the way a person would: by roles, names and labels. */
import { waitUntil } from '@open-wc/testing';

import type { PlaidLinkOptions } from '../../../contract/index.js';
import { SANDBOX_OTP } from '../../../emulator/sandbox-users.js';
import { EMULATOR_TEMPLATE_ID } from '../../../emulator/templates.js';
import { getByLabelText, getByRole, queryByRole, type } from './dom-queries.js';
import { createLinkToken, createRecordedLink, type RecordedLink } from './link-harness.js';

const WAIT = { timeout: 5000 };

/** Waits for an element found by `query` (which returns null until it is there). */
export async function findBy<T>(query: () => T | null, what: string): Promise<T> {
  let found: T | null = null;
  await waitUntil(
    () => {
      try {
        found = query();
      } catch {
        found = null;
      }
      return found !== null;
    },
    `never found ${what}`,
    WAIT,
  );
  return found!;
}

export const findDialog = () => findBy(() => queryByRole('dialog', /Plaid/), 'the Plaid dialog');
export const findButton = (name: string | RegExp) =>
  findBy(() => queryByRole('button', name), `button ${String(name)}`);
export const findField = (label: string | RegExp) =>
  findBy(() => getByLabelText(label), `field ${String(label)}`);

export async function dialogClosed(): Promise<void> {
  await waitUntil(() => queryByRole('dialog') === null, 'the dialog stayed open', WAIT);
}

/** A loaded handler whose phone number was answered with LAYER_READY. */
export async function readyLink(
  phoneNumber = '+14155550011',
  options: Partial<PlaidLinkOptions> = {},
  templateId = EMULATOR_TEMPLATE_ID,
): Promise<RecordedLink> {
  const link = createRecordedLink(await createLinkToken(templateId), options);
  await link.next('load');
  link.handler.submit({ phone_number: phoneNumber });
  await link.event('LAYER_READY');
  return link;
}

export async function openToConsent(link: RecordedLink): Promise<void> {
  link.handler.open();
  await findDialog();
  await findButton('Continue');
}

export async function continueToCode(): Promise<HTMLInputElement> {
  getByRole('button', 'Continue').click();
  return findField('Verification code');
}

export async function enterCode(code: string): Promise<void> {
  type(await findField('Verification code'), code);
  getByRole('button', 'Verify').click();
}

/** Open → Continue → code → Share, leaving the profile as it is. */
export async function completeSession(link: RecordedLink): Promise<void> {
  await openToConsent(link);
  await continueToCode();
  await enterCode(SANDBOX_OTP);
  (await findButton('Share')).click();
  await link.next('success');
}
