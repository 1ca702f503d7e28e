/**
 * `npm start`'s emulator mode (no Plaid keys): the Plaid emulator with the demo bank's Layer
 * template, the credentials and base path the API uses to reach it, and the help text that tells
 * the visitor what to type. Only the entry point's files (server/main.ts, server/start-*.ts) may
 * import emulator/; the API itself never does.
 */
import {
  AUTOFILL_DATE_OF_BIRTH,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  OAUTH_SANDBOX_PHONE,
  SANDBOX_OTP,
  SANDBOX_USERS,
  createPlaidEmulator,
  type LayerTemplate,
  type PlaidEmulator,
} from '../emulator/index.js';
import type { PlaidCredentials } from './index.js';
import { API_PATH, EMULATOR_PATH } from './site.js';

/**
 * The Layer template `npm start` uses in emulator mode when LAYER_TEMPLATE_ID is unset: the demo
 * bank asks for the identity a KYC form needs but lets users skip bank accounts, so every
 * documented Sandbox path works in the demo — 415-555-0011 straight through, and 415-555-0000
 * (no profile) or a partial profile through Extended Autofill with 1975-01-18.
 */
export const DEMO_TEMPLATE_ID = 'template_emulator_demo';
const DEMO_TEMPLATE: LayerTemplate = {
  requiredFields: ['name', 'address', 'date_of_birth', 'ssn'],
  accounts: 'optional',
  clientName: 'Northwind Bank',
};

export interface EmulatorMode {
  /** The emulator app, to mount at `/plaid`; `close()` it when the server stops. */
  emulator: PlaidEmulator;
  /** How the API reaches it: the emulator's credentials and this server's `/plaid`. */
  plaid: PlaidCredentials;
}

/** The emulator for a server whose own address is `base` (`http://host:port`). */
export function createEmulatorMode(base: string): EmulatorMode {
  return {
    emulator: createPlaidEmulator({
      templates: { [DEMO_TEMPLATE_ID]: DEMO_TEMPLATE },
      // Plaid takes the webhook from the Layer template; the emulator's stand-in is this server.
      webhookUrl: `${base}${API_PATH}/webhook`,
      onWebhookFailure: ({ webhook_code, reason }) =>
        console.warn(`plaid emulator: ${webhook_code} webhook delivery failed: ${reason}`),
    }),
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: `${base}${EMULATOR_PATH}` },
  };
}

function formatPhone(e164: string): string {
  const digits = e164.replace(/^\+1/, '');
  return `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}

export interface EmulatorHelpOptions {
  /** Where the OAuth user's bank sends the browser back, if anywhere. */
  redirectUri?: string | undefined;
  /** Further lines about the settings in force. */
  settings?: readonly string[];
}

/** What `npm start` prints in emulator mode: where Plaid is, and the numbers, code and date to try. */
export function emulatorHelp(
  base: string,
  templateId: string,
  { redirectUri, settings = [] }: EmulatorHelpOptions = {},
): string {
  const width = Math.max(...SANDBOX_USERS.map((user) => formatPhone(user.phone_number).length));
  const oauthPhone = formatPhone(OAUTH_SANDBOX_PHONE);
  let oauth = `OAuth: ${oauthPhone} needs REDIRECT_URI (https, or http://localhost:… in Sandbox).`;
  if (redirectUri) {
    const origin = new URL(redirectUri).origin;
    oauth =
      `OAuth: after Share, ${oauthPhone}'s bank sends the browser to ${redirectUri}?oauth_state_id=…, ` +
      `where the widget finishes.${
        redirectUri.startsWith(`${origin}/`) && new URL(base).origin !== origin
          ? ` Start on ${origin}/ for it: the page keeps its Link token in sessionStorage, which is per origin.`
          : ''
      }`;
  }
  return [
    `Emulator mode: PLAID_CLIENT_ID is not set, so Plaid is emulated offline at ${base}${EMULATOR_PATH}`,
    '(no Plaid account, no network). Open the demo and try a sandbox phone number:',
    ...SANDBOX_USERS.map((user) => `  ${formatPhone(user.phone_number).padEnd(width)}  ${user.description}`),
    `One-time code: ${SANDBOX_OTP}. After "not eligible" (e.g. +1 415-555-0000), the date of birth`,
    `${AUTOFILL_DATE_OF_BIRTH} tries Extended Autofill. Layer template: ${templateId}${
      templateId === DEMO_TEMPLATE_ID
        ? ' (the demo bank: name, address, date of birth and SSN required; bank accounts optional)'
        : ''
    }.`,
    oauth,
    'Like production Plaid: Link runs in an iframe from the other loopback name, its events may come',
    'after onSuccess/onExit, webhooks arrive late and sometimes twice, and no email is returned.',
    ...settings,
    'To use real Plaid, set PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV, LAYER_TEMPLATE_ID and SESSION_SECRET.',
  ].join('\n');
}
