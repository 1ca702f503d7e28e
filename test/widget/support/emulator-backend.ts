// The backend routes answered by MSW against the Plaid emulator that web-test-runner serves at
// /plaid: `/link-token` mints a real emulator Link token, `/session` exchanges the public token
// with the emulator and keeps only the browser-safe profile, as createLayerApi does.
import { bypass, http, HttpResponse } from 'msw';

import type { BrowserProfile, LinkTokenResponse, SessionResponse } from '../../../contract/index.js';
import { API, errorBody } from './handlers.js';

export const EMULATOR = '/plaid';
export const LINK_SCRIPT_SRC = `${EMULATOR}/link/v2/stable/link-initialize.js`;

// The emulator's default credentials (DESIGN.md §5; emulator/options.ts) and templates
// (emulator/templates.ts): the default one needs a bank account, the other lets 415-555-0000
// through Extended Autofill.
const CREDENTIALS = { 'PLAID-CLIENT-ID': 'emulator-client-id', 'PLAID-SECRET': 'emulator-secret' };
export const TEMPLATE = 'template_emulator';
export const ACCOUNTS_OPTIONAL_TEMPLATE = 'template_emulator_accounts_optional';

/** POSTs to the emulator's Plaid API, around MSW. */
export async function plaidApi(
  path: string,
  body: object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const request = new Request(EMULATOR + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...CREDENTIALS },
    body: JSON.stringify(body),
  });
  const response = await fetch(bypass(request));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface EmulatorBackend {
  /** The Layer template of the next tokens. */
  template: string;
  /** Link tokens handed out, in order. */
  readonly tokens: string[];
  /** Expire each token right after minting it, this many times (Link then says INVALID_LINK_TOKEN). */
  expireNext: number;
}

export function emulatorBackend(): { backend: EmulatorBackend; handlers: ReturnType<typeof http.post>[] } {
  const backend: EmulatorBackend = { template: TEMPLATE, tokens: [], expireNext: 0 };
  const handlers = [
    http.post(`${API}/link-token`, async () => {
      const { status, body } = await plaidApi('/session/token/create', {
        template_id: backend.template,
        user: { client_user_id: `widget-test-${crypto.randomUUID()}` },
      });
      if (status !== 200)
        return HttpResponse.json(errorBody('PLAID_ERROR', JSON.stringify(body)), { status: 502 });
      const link = body.link as { link_token: string; expiration: string };
      backend.tokens.push(link.link_token);
      if (backend.expireNext > 0) {
        backend.expireNext -= 1;
        await plaidApi('/emulator/tokens/expire', { token: link.link_token });
      }
      const response: LinkTokenResponse = { link_token: link.link_token, expiration: link.expiration };
      return HttpResponse.json(response, { status: 200 });
    }),
    http.post(`${API}/session`, async ({ request }) => {
      const { public_token: publicToken } = (await request.json()) as { public_token: string };
      const { status, body } = await plaidApi('/user_account/session/get', { public_token: publicToken });
      if (status !== 200)
        return HttpResponse.json(errorBody('PUBLIC_TOKEN_INVALID', String(body.error_message)), {
          status: 422,
        });
      const response: SessionResponse = {
        profile: browserProfile(body.identity as Identity | null),
        items: (body.items as { item_id: string }[]).map(({ item_id }) => ({ item_id })),
        token: 'header.payload.signature',
      };
      return HttpResponse.json(response, { status: 200 });
    }),
  ];
  return { backend, handlers };
}

interface Identity {
  name: BrowserProfile['name'];
  address: BrowserProfile['address'];
  phone_number: string;
  email: string | null;
  date_of_birth: string | null;
  ssn_last_4: string | null;
}

function browserProfile(identity: Identity | null): BrowserProfile {
  return {
    name: identity?.name ?? null,
    address: identity?.address ?? null,
    phone_number: identity?.phone_number ?? null,
    email: identity?.email ?? null,
    date_of_birth: identity?.date_of_birth ?? null,
    ssn_last_4: identity?.ssn_last_4 ?? null,
  };
}
