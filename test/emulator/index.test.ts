/** The emulator's public entry: the names other code depends on, and that it leaves nothing running. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AUTOFILL_DATE_OF_BIRTH,
  createPlaidEmulator,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  OAUTH_SANDBOX_PHONE,
  SANDBOX_OTP,
  SANDBOX_USERS,
} from '../../emulator/index.js';

describe('emulator/index.ts', () => {
  it('exports the documented constants', () => {
    assert.equal(EMULATOR_CLIENT_ID, 'emulator-client-id');
    assert.equal(EMULATOR_SECRET, 'emulator-secret');
    assert.equal(EMULATOR_TEMPLATE_ID, 'template_emulator');
    assert.equal(SANDBOX_OTP, '123456');
    assert.equal(AUTOFILL_DATE_OF_BIRTH, '1975-01-18');
    assert.deepEqual(
      SANDBOX_USERS.map((user) => user.phone_number),
      [
        '+14155550000',
        '+14155550011',
        '+14155550012',
        '+14155550015',
        '+15155550013',
        '+15155550015',
        '+15155550016',
        '+15155550017',
        '+15155550018',
        '+15155550019',
        '+14155550031',
      ],
    );
    assert.equal(OAUTH_SANDBOX_PHONE, '+14155550031');
  });

  it('runs a whole session in process and leaves no timer or handle behind', async () => {
    const before = process.getActiveResourcesInfo().sort();
    const app = createPlaidEmulator();
    const post = async (path: string, body: unknown) =>
      (
        await app.request(path, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID,
            'PLAID-SECRET': EMULATOR_SECRET,
          },
          body: JSON.stringify(body),
        })
      ).json() as Promise<Record<string, unknown>>;
    const created = await post('/session/token/create', {
      template_id: EMULATOR_TEMPLATE_ID,
      user: { client_user_id: 'u' },
    });
    const linkToken = (created.link as { link_token: string }).link_token;
    const done = await post('/emulator/sessions/complete', {
      link_token: linkToken,
      phone_number: '+14155550011',
    });
    const session = await post('/user_account/session/get', { public_token: done.public_token });
    assert.equal((session.identity as { phone_number: string }).phone_number, '+14155550011');
    assert.deepEqual(process.getActiveResourcesInfo().sort(), before);
  });
});
