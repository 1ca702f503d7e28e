import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  AUTOFILL_DATE_OF_BIRTH,
  EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
  EMULATOR_TEMPLATE_ID,
} from '../../emulator/index.js';
import { plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

describe('POST /user_account/session/get', () => {
  let clock = new Date('2026-11-25T12:00:00.000Z');
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({
      now: () => clock,
      // Asks for nothing, so users missing even a name are served and show the gap.
      templates: { template_anything: { requiredFields: [], accounts: 'optional' } },
    });
  });
  after(() => emulator.close());

  const sessionGet = (publicToken: string) =>
    emulator.plaid.userAccountSessionGet({ public_token: publicToken });

  it("returns the default user's identity and an Item per bank", async () => {
    const { status, data } = await sessionGet(await emulator.publicToken('+14155550011'));
    assert.equal(status, 200);
    assert.deepEqual(validate('UserAccountSessionGetResponse', data), []);
    assert.deepEqual(data.identity, {
      name: { first_name: 'Leslie', last_name: 'Knope' },
      address: {
        street: '123 Main St.',
        street2: null,
        city: 'Pawnee',
        region: 'IN',
        postal_code: '41006',
        country: 'US',
      },
      phone_number: '+14155550011',
      // Plaid: "currently not returned".
      email: null,
      date_of_birth: '1975-01-18',
      ssn: '987654321',
      ssn_last_4: '4321',
    });
    assert.equal(data.items.length, 2);
    for (const item of data.items) {
      assert.match(item.item_id!, /^[A-Za-z0-9]{37}$/);
      assert.match(
        item.access_token!,
        /^access-sandbox-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    assert.equal(data.identity_edit_history?.name?.edits_current, 0);
  });

  const gaps: Array<[string, string, (identity: Record<string, unknown>) => unknown, unknown]> = [
    ['+15155550013', 'email', (identity) => identity.email, null],
    ['+15155550015', 'date of birth', (identity) => identity.date_of_birth, null],
    ['+15155550016', 'SSN', (identity) => [identity.ssn, identity.ssn_last_4], [null, null]],
    ['+15155550017', 'address', (identity) => identity.address, null],
    ['+15155550018', 'name', (identity) => identity.name, null],
    [
      '+14155550012',
      'PII',
      ({ name, address, email, date_of_birth, ssn, ssn_last_4 }) => [
        name,
        address,
        email,
        date_of_birth,
        ssn,
        ssn_last_4,
      ],
      [null, null, null, null, null, null],
    ],
  ];
  for (const [phoneNumber, field, read, expected] of gaps) {
    it(`returns null for the ${field} ${phoneNumber} lacks`, async () => {
      const publicToken = await emulator.publicToken(phoneNumber, { templateId: 'template_anything' });
      const { data } = await sessionGet(publicToken);
      assert.deepEqual(validate('UserAccountSessionGetResponse', data), []);
      assert.deepEqual(read(data.identity as Record<string, unknown>), expected);
      assert.equal(data.identity!.phone_number, phoneNumber);
    });
  }

  it('returns the email only when told to (returnEmail), and null for a user who has none', async () => {
    const withEmail = await startEmulator({ returnEmail: true });
    try {
      const leslie = await withEmail.plaid.userAccountSessionGet({
        public_token: await withEmail.publicToken('+14155550011'),
      });
      assert.equal(leslie.data.identity!.email, 'leslie@knope.com');
      const ben = await withEmail.plaid.userAccountSessionGet({
        public_token: await withEmail.publicToken('+15155550013'),
      });
      assert.equal(ben.data.identity!.email, null);
    } finally {
      await withEmail.close();
    }
  });

  it('returns the savings-only user with one Item', async () => {
    const { data } = await sessionGet(await emulator.publicToken('+15155550019'));
    assert.equal(data.items.length, 1);
    assert.equal(data.identity!.name!.first_name, 'Donna');
  });

  it('fills the gaps through Extended Autofill and keeps the banks', async () => {
    const publicToken = await emulator.publicToken('+15155550015', {
      templateId: EMULATOR_TEMPLATE_ID,
      dateOfBirth: AUTOFILL_DATE_OF_BIRTH,
    });
    const { data } = await sessionGet(publicToken);
    assert.equal(data.identity!.date_of_birth, AUTOFILL_DATE_OF_BIRTH);
    assert.equal(data.identity!.name!.first_name, 'April');
    assert.equal(data.items.length, 1);
  });

  it('returns an empty items array for an autofilled user with no bank', async () => {
    const publicToken = await emulator.publicToken('+14155550000', {
      templateId: EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
      dateOfBirth: AUTOFILL_DATE_OF_BIRTH,
    });
    const { data } = await sessionGet(publicToken);
    assert.deepEqual(validate('UserAccountSessionGetResponse', data), []);
    assert.deepEqual(data.items, []);
    assert.equal(data.identity!.phone_number, '+14155550000');
  });

  it('accepts a public token once', async () => {
    const publicToken = await emulator.publicToken('+14155550011');
    assert.equal((await sessionGet(publicToken)).status, 200);
    const { status, body } = await plaidFailure(sessionGet(publicToken));
    assert.equal(status, 400);
    assert.deepEqual(validate('PlaidError', body), []);
    assert.deepEqual([body.error_type, body.error_code], ['INVALID_INPUT', 'INVALID_PUBLIC_TOKEN']);
  });

  it('accepts a public token for 30 minutes', async () => {
    const start = clock;
    try {
      const fresh = await emulator.publicToken('+14155550011');
      const stale = await emulator.publicToken('+14155550011');
      clock = new Date(start.getTime() + 30 * 60 * 1000 - 1);
      assert.equal((await sessionGet(fresh)).status, 200);
      clock = new Date(start.getTime() + 30 * 60 * 1000);
      const { body } = await plaidFailure(sessionGet(stale));
      assert.equal(body.error_code, 'INVALID_PUBLIC_TOKEN');
      assert.match(String(body.error_message), /expired/);
    } finally {
      clock = start;
    }
  });

  it('answers INVALID_PUBLIC_TOKEN to a token it never issued, and MISSING_FIELDS to none', async () => {
    const unknown = await plaidFailure(sessionGet('public-sandbox-00000000-0000-4000-8000-000000000000'));
    assert.deepEqual([unknown.status, unknown.body.error_code], [400, 'INVALID_PUBLIC_TOKEN']);
    const missing = await plaidFailure(emulator.plaid.userAccountSessionGet({} as never));
    assert.deepEqual([missing.status, missing.body.error_code], [400, 'MISSING_FIELDS']);
    assert.deepEqual(validate('PlaidError', missing.body), []);
  });
});

describe('POST /user_account/session/event/send', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  it('accepts an event', async () => {
    const { status, data } = await emulator.plaid.userAccountSessionEventSend({
      link_session_id: '356dbb28-7f98-44d1-8e6d-0cec580f3171',
      event: { name: 'FORM_PREFILLED', timestamp: '2026-11-25T12:00:00Z', outcome: 'success' },
    });
    assert.equal(status, 200);
    assert.deepEqual(validate('UserAccountSessionEventSendResponse', data), []);
  });

  it('answers MISSING_FIELDS and INVALID_FIELD to a malformed event', async () => {
    const missing = await plaidFailure(
      emulator.plaid.userAccountSessionEventSend({ link_session_id: 'x', event: { name: 'E' } } as never),
    );
    assert.equal(missing.body.error_code, 'MISSING_FIELDS');
    assert.match(String(missing.body.error_message), /event\.timestamp/);
    const invalid = await plaidFailure(
      emulator.plaid.userAccountSessionEventSend({
        link_session_id: 'x',
        event: { name: 'E', timestamp: 'yesterday' },
      }),
    );
    assert.equal(invalid.body.error_code, 'INVALID_FIELD');
    assert.deepEqual(validate('PlaidError', invalid.body), []);
  });
});
