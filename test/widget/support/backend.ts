// The real backend and the Plaid emulator that web-test-runner serves beside the test pages
// (web-test-runner.config.mjs): createLayerApi at /api/layer on the emulator's default template
// (and at /api/templates/<id> on each other template), the emulator at /plaid. What a test needs
// from Plaid — a public token, an expired token — comes from the emulator's own control routes.
import { LINK_SCRIPT_PATH, type BrowserProfile } from '../../../contract/index.js';
import { findSandboxUser } from '../../../emulator/sandbox-users.js';

export const API = '/api/layer';

/** The backend on another emulator template (test-only mounts of web-test-runner.config.mjs). */
export const apiFor = (templateId: string): string => `/api/templates/${templateId}`;

export const EMULATOR = '/plaid';
export const LINK_SCRIPT_SRC = `${EMULATOR}${LINK_SCRIPT_PATH}`;

/** The default Sandbox user: full profile, two banks. */
export const SANDBOX_PHONE = '+14155550011';

async function control(path: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${EMULATOR}/emulator${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Expires a Link or public token now, so Plaid (and Link) refuse it. */
export async function expireToken(token: string): Promise<void> {
  await control('/tokens/expire', { token });
}

/**
 * The public token Link hands `onSuccess` after a whole Layer session with `linkToken` (submit,
 * the Sandbox code, every account shared), run by the emulator without a browser.
 */
export async function publicTokenFor(linkToken: string, phone = SANDBOX_PHONE): Promise<string> {
  const { public_token: publicToken } = await control('/sessions/complete', {
    link_token: linkToken,
    phone_number: phone,
  });
  return publicToken as string;
}

/**
 * The profile the backend gives the browser for a Sandbox user (its default fields). `email` is
 * null: Plaid documents `identity.email` as not returned, and the emulator follows by default.
 */
export function browserProfileOf(phone: string): BrowserProfile {
  const user = findSandboxUser(phone);
  if (!user?.identity) throw new Error(`${phone} is no Sandbox user with a profile`);
  const { name, address, date_of_birth: dateOfBirth, ssn } = user.identity;
  return {
    name,
    address,
    phone_number: phone,
    email: null,
    date_of_birth: dateOfBirth,
    ssn_last_4: ssn?.slice(-4) ?? null,
  };
}

/** How many banks (Items) a Sandbox user shares. */
export function itemCountOf(phone: string): number {
  return findSandboxUser(phone)?.banks.length ?? 0;
}
