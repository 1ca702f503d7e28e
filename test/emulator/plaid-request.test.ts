/** What every Plaid route of the emulator shares: credentials, JSON bodies, errors, request ids. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Configuration, PlaidApi } from 'plaid';

import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { credentials, plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

/** A call to each Plaid route the emulator serves, with a body that passes its checks. */
const CALLS: Array<[string, (plaid: PlaidApi) => Promise<unknown>]> = [
  [
    '/session/token/create',
    (p) => p.sessionTokenCreate({ template_id: EMULATOR_TEMPLATE_ID, user: { client_user_id: 'u' } }),
  ],
  [
    '/link/token/create',
    (p) =>
      p.linkTokenCreate({
        client_name: 'Acme',
        language: 'en',
        country_codes: ['US' as never],
        user: { client_user_id: 'u' },
      }),
  ],
  ['/user_account/session/get', (p) => p.userAccountSessionGet({ public_token: 'public-sandbox-unknown' })],
  [
    '/user_account/session/event/send',
    (p) =>
      p.userAccountSessionEventSend({
        link_session_id: 'x',
        event: { name: 'E', timestamp: '2026-01-01T00:00:00Z' },
      }),
  ],
  ['/webhook_verification_key/get', (p) => p.webhookVerificationKeyGet({ key_id: 'unknown' })],
  ['/network/status/get', (p) => p.networkStatusGet({ user: { phone_number: '+14155550011' } })],
];

describe('the Plaid API edge', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  for (const [route, call] of CALLS) {
    it(`${route} answers INVALID_API_KEYS to a wrong secret`, async () => {
      const headers = { 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID, 'PLAID-SECRET': 'wrong' };
      const { status, body } = await plaidFailure(call(emulator.clientWith(headers)));
      assert.equal(status, 400);
      assert.deepEqual(validate('PlaidError', body), []);
      assert.equal(body.error_type, 'INVALID_INPUT');
      assert.equal(body.error_code, 'INVALID_API_KEYS');
    });

    // As Plaid answers a client whose PLAID_CLIENT_ID/PLAID_SECRET were never set (plaid/pattern#192,
    // plaid/plaid-ruby#344): the credentials are required fields, named in the message.
    it(`${route} answers MISSING_FIELDS naming the credentials it was not given`, async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'client_id, secret'],
        [{ 'PLAID-SECRET': EMULATOR_SECRET }, 'client_id'],
        [{ 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID }, 'secret'],
      ];
      for (const [headers, missing] of cases) {
        const { status, body } = await plaidFailure(call(emulator.clientWith(headers)));
        assert.equal(status, 400);
        assert.deepEqual(validate('PlaidError', body), []);
        assert.equal(body.error_type, 'INVALID_REQUEST');
        assert.equal(body.error_code, 'MISSING_FIELDS');
        assert.equal(body.error_message, `the following required fields are missing: ${missing}`);
      }
    });
  }

  it('takes the credentials from the body as well as from the headers', async () => {
    const { status } = await emulator.post('/session/token/create', {
      client_id: EMULATOR_CLIENT_ID,
      secret: EMULATOR_SECRET,
      template_id: EMULATOR_TEMPLATE_ID,
      user: { client_user_id: 'u' },
    });
    assert.equal(status, 200);
  });

  it('accepts only the credentials it was given', async () => {
    const custom = await startEmulator({ clientId: 'my-id', secret: 'my-secret' });
    try {
      const ok = await custom.plaid.networkStatusGet({ user: { phone_number: '+14155550011' } });
      assert.equal(ok.status, 200);
      const { body } = await plaidFailure(
        custom.clientWith(credentials).networkStatusGet({ user: { phone_number: '+14155550011' } }),
      );
      assert.equal(body.error_code, 'INVALID_API_KEYS');
    } finally {
      await custom.close();
    }
  });

  it('answers INVALID_BODY to a body that is not a JSON object', async () => {
    for (const body of ['{"template_id":', '[1, 2]', '"text"']) {
      const response = await emulator.post('/session/token/create', body, credentials);
      assert.equal(response.status, 400);
      assert.deepEqual(validate('PlaidError', response.body), []);
      assert.equal(response.body.error_code, 'INVALID_BODY');
    }
  });

  it('answers INVALID_BODY to another content type and INVALID_HEADERS to none', async () => {
    const textPlain = await fetch(`${emulator.base}/session/token/create`, {
      method: 'POST',
      headers: { ...credentials, 'Content-Type': 'text/plain' },
      body: '{}',
    });
    assert.equal(textPlain.status, 400);
    assert.equal(((await textPlain.json()) as { error_code: string }).error_code, 'INVALID_BODY');
    const none = await fetch(`${emulator.base}/session/token/create`, {
      method: 'POST',
      headers: credentials,
      body: new Uint8Array([123, 125]),
    });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { error_code: string }).error_code, 'INVALID_HEADERS');
  });

  it('answers 404 NOT_FOUND to an unknown route and to a GET', async () => {
    for (const [method, path] of [
      ['POST', '/item/get'],
      ['GET', '/session/token/create'],
    ] as const) {
      const response = await fetch(emulator.base + path, {
        method,
        headers: { ...credentials, 'Content-Type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      assert.equal(response.status, 404);
      const body = await response.json();
      assert.deepEqual(validate('PlaidError', body), []);
      assert.deepEqual([body.error_type, body.error_code], ['INVALID_REQUEST', 'NOT_FOUND']);
    }
  });

  it('gives every response its own request_id', async () => {
    const first = await emulator.plaid.networkStatusGet({ user: { phone_number: '+14155550011' } });
    const second = await emulator.plaid.networkStatusGet({ user: { phone_number: '+14155550011' } });
    assert.notEqual(first.data.request_id, second.data.request_id);
  });

  it('works mounted under a prefix, as server/main.ts mounts it at /plaid', async () => {
    const mounted = await startEmulator({}, '/plaid');
    try {
      assert.match(mounted.base, /\/plaid$/);
      const { data } = await mounted.plaid.sessionTokenCreate({
        template_id: EMULATOR_TEMPLATE_ID,
        user: { client_user_id: 'u' },
      });
      assert.match(data.link!.link_token, /^link-sandbox-/);
      const missing = await plaidFailure(
        mounted.plaid.sessionTokenCreate({ template_id: EMULATOR_TEMPLATE_ID }),
      );
      assert.equal(missing.body.error_code, 'MISSING_FIELDS');
      const unknown = await mounted.post('/item/get', {}, credentials);
      assert.deepEqual([unknown.status, unknown.body.error_code], [404, 'NOT_FOUND']);
      const script = await fetch(`${mounted.base}/link/v2/stable/link-initialize.js`);
      assert.equal(script.status, 200);
    } finally {
      await mounted.close();
    }
  });

  it('works with a plaid client configured the usual way', async () => {
    const plaid = new PlaidApi(
      new Configuration({ basePath: emulator.base, baseOptions: { headers: { ...credentials } } }),
    );
    const { status } = await plaid.networkStatusGet({ user: { phone_number: '+14155550011' } });
    assert.equal(status, 200);
  });
});
