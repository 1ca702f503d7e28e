import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

describe('POST /network/status/get', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  const cases: Array<[string, string | undefined, string, { eligible: boolean } | null]> = [
    ['+14155550011', undefined, 'RETURNING_USER', null],
    ['+14155550011', EMULATOR_TEMPLATE_ID, 'RETURNING_USER', { eligible: true }],
    ['+15155550015', EMULATOR_TEMPLATE_ID, 'RETURNING_USER', { eligible: false }],
    ['+14155550000', EMULATOR_TEMPLATE_ID, 'UNKNOWN', { eligible: false }],
    ['+447700900123', EMULATOR_TEMPLATE_ID, 'UNKNOWN', { eligible: false }],
  ];
  for (const [phoneNumber, templateId, networkStatus, layer] of cases) {
    it(`answers ${networkStatus} ${JSON.stringify(layer)} for ${phoneNumber}${templateId ? ' with a template' : ''}`, async () => {
      const { status, data } = await emulator.plaid.networkStatusGet({
        user: { phone_number: phoneNumber },
        ...(templateId && { template_id: templateId }),
      });
      assert.equal(status, 200);
      assert.deepEqual(validate('NetworkStatusGetResponse', data), []);
      assert.equal(data.network_status, networkStatus);
      assert.deepEqual(data.layer, layer);
    });
  }

  it('accepts extra user properties, as the schema allows', async () => {
    const { status } = await emulator.plaid.networkStatusGet({
      user: { phone_number: '+14155550011', email: 'x@example.com' } as never,
    });
    assert.equal(status, 200);
  });

  it('answers INVALID_FIELD to a number that is not E.164 and to an unknown template', async () => {
    for (const request of [
      { user: { phone_number: '415-555-0011' } },
      { user: { phone_number: '+14155550011' }, template_id: 'template_nope' },
      // Not a configured template, however an object lookup would see it.
      { user: { phone_number: '+14155550011' }, template_id: 'constructor' },
    ]) {
      const { status, body } = await plaidFailure(emulator.plaid.networkStatusGet(request));
      assert.equal(status, 400);
      assert.deepEqual(validate('PlaidError', body), []);
      assert.equal(body.error_code, 'INVALID_FIELD');
    }
  });

  it('answers MISSING_FIELDS without user.phone_number', async () => {
    const { body } = await plaidFailure(emulator.plaid.networkStatusGet({ user: {} } as never));
    assert.equal(body.error_code, 'MISSING_FIELDS');
    assert.match(String(body.error_message), /user\.phone_number/);
  });
});
