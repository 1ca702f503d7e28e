import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { SessionTokenCreateRequest } from 'plaid';

import { EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');

describe('POST /session/token/create', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({
      now: () => NOW,
      templates: { template_custom: { requiredFields: ['name'], accounts: 'optional' } },
    });
  });
  after(() => emulator.close());

  const create = (request: Partial<SessionTokenCreateRequest> | Record<string, unknown>) =>
    emulator.plaid.sessionTokenCreate(request as SessionTokenCreateRequest);

  it('creates a link-sandbox token that lives 4 hours', async () => {
    const { status, data } = await create({
      template_id: EMULATOR_TEMPLATE_ID,
      user: { client_user_id: 'user-1' },
    });
    assert.equal(status, 200);
    assert.deepEqual(validate('SessionTokenCreateResponse', data), []);
    assert.match(
      data.link!.link_token,
      /^link-sandbox-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(data.link!.expiration, '2026-11-25T16:00:00Z');
    assert.match(data.request_id, /^[A-Za-z0-9]{15}$/);
  });

  it('accepts a root user_id instead of user, and templates from the options', async () => {
    const { data } = await create({ template_id: 'template_custom', user_id: 'usr_1234' });
    assert.deepEqual(validate('SessionTokenCreateResponse', data), []);
  });

  const failures: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['without template_id', { user: { client_user_id: 'u' } }, 'MISSING_FIELDS', /template_id/],
    ['without user or user_id', { template_id: EMULATOR_TEMPLATE_ID }, 'MISSING_FIELDS', /: user$/],
    [
      'without user.client_user_id',
      { template_id: EMULATOR_TEMPLATE_ID, user: {} },
      'MISSING_FIELDS',
      /user\.client_user_id/,
    ],
    [
      'with a field it does not know',
      { template_id: EMULATOR_TEMPLATE_ID, user: { client_user_id: 'u' }, client_name: 'Acme' },
      'UNKNOWN_FIELDS',
      /client_name/,
    ],
    [
      'with an unknown template',
      { template_id: 'template_nope', user: { client_user_id: 'u' } },
      'INVALID_FIELD',
      /template_nope/,
    ],
    [
      'with a template id that names an Object.prototype member',
      { template_id: 'toString', user: { client_user_id: 'u' } },
      'INVALID_FIELD',
      /toString/,
    ],
    [
      'with __proto__ as template id',
      { template_id: '__proto__', user: { client_user_id: 'u' } },
      'INVALID_FIELD',
      /__proto__/,
    ],
    [
      'with a webhook that is not a URL',
      { template_id: EMULATOR_TEMPLATE_ID, user: { client_user_id: 'u' }, webhook: 'not a url' },
      'INVALID_FIELD',
      /webhook/,
    ],
    [
      'with an email address as client_user_id',
      { template_id: EMULATOR_TEMPLATE_ID, user: { client_user_id: 'leslie@knope.com' } },
      'INVALID_FIELD',
      /personally identifiable/,
    ],
    [
      'with template_id of the wrong type',
      { template_id: 42, user: { client_user_id: 'u' } },
      'INVALID_FIELD',
      /template_id/,
    ],
  ];

  for (const [what, body, code, message] of failures) {
    it(`answers ${code} ${what}`, async () => {
      const { status, body: error } = await plaidFailure(create(body));
      assert.equal(status, 400);
      assert.deepEqual(validate('PlaidError', error), []);
      assert.equal(error.error_type, 'INVALID_REQUEST');
      assert.equal(error.error_code, code);
      assert.match(String(error.error_message), message);
      assert.equal(error.display_message, null);
      assert.match(String(error.request_id), /^[A-Za-z0-9]{15}$/);
    });
  }
});
