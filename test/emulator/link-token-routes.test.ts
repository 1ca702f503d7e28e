import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CountryCode, Products, type LinkTokenCreateRequest } from 'plaid';

import { plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

const FALLBACK: LinkTokenCreateRequest = {
  client_name: 'Demo Partner',
  language: 'en',
  country_codes: [CountryCode.Us],
  user: { client_user_id: 'user-1', phone_number: '+14155550011' },
  products: [Products.Auth],
};

describe('POST /link/token/create', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ now: () => new Date('2026-11-25T12:00:00.000Z') });
  });
  after(() => emulator.close());

  it('creates a 4-hour link token for the ordinary Link flow', async () => {
    const { status, data } = await emulator.plaid.linkTokenCreate(FALLBACK);
    assert.equal(status, 200);
    assert.deepEqual(validate('LinkTokenCreateResponse', data), []);
    assert.match(data.link_token, /^link-sandbox-[0-9a-f-]{36}$/);
    assert.equal(data.expiration, '2026-11-25T16:00:00Z');
  });

  it('starts a Layer Link session only for the legacy products: ["layer"]', async () => {
    const layer = await emulator.plaid.linkTokenCreate({ ...FALLBACK, products: [Products.Layer] });
    const ordinary = await emulator.plaid.linkTokenCreate(FALLBACK);
    const start = (token: string) => emulator.post('/emulator/link/sessions', { link_token: token });
    assert.equal((await start(layer.data.link_token)).body.layer, true);
    assert.equal((await start(ordinary.data.link_token)).body.layer, false);
  });

  it('answers MISSING_FIELDS naming every missing required field', async () => {
    const { status, body } = await plaidFailure(
      emulator.plaid.linkTokenCreate({ user: { client_user_id: 'u' } } as LinkTokenCreateRequest),
    );
    assert.equal(status, 400);
    assert.deepEqual(validate('PlaidError', body), []);
    assert.equal(body.error_code, 'MISSING_FIELDS');
    assert.equal(
      body.error_message,
      'the following required fields are missing: client_name, language, country_codes',
    );
  });

  it('answers MISSING_FIELDS without user or user_id', async () => {
    const { user: _user, ...withoutUser } = FALLBACK;
    const { body } = await plaidFailure(emulator.plaid.linkTokenCreate(withoutUser));
    assert.equal(body.error_code, 'MISSING_FIELDS');
  });

  it('answers UNKNOWN_FIELDS and INVALID_FIELD', async () => {
    const unknown = await plaidFailure(
      emulator.plaid.linkTokenCreate({ ...FALLBACK, template_id: 'x' } as LinkTokenCreateRequest),
    );
    assert.equal(unknown.body.error_code, 'UNKNOWN_FIELDS');
    const invalid = await plaidFailure(emulator.plaid.linkTokenCreate({ ...FALLBACK, country_codes: [] }));
    assert.equal(invalid.body.error_code, 'INVALID_FIELD');
    assert.deepEqual(validate('PlaidError', invalid.body), []);
  });
});
