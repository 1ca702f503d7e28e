/** The emulator's public entry: the names other code depends on, and that it leaves nothing running. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  AUTOFILL_DATE_OF_BIRTH,
  createPlaidEmulator,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  SANDBOX_OTP,
  SANDBOX_USERS,
} from '../../emulator/index.js';

/** Every .ts file under `dir`, as [path relative to the repository, source]. */
function sources(dir: string): Array<[string, string]> {
  const root = new URL('../../', import.meta.url);
  return readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [`${dir}/${name}`, readFileSync(new URL(`${dir}/${name}`, root), 'utf8')]);
}

describe('emulator/index.ts', () => {
  it('is runtime-neutral: no Node built-in imported up front, no environment, no server/ or widget/', () => {
    const files = sources('emulator');
    assert.ok(files.length > 20);
    for (const [path, source] of files) {
      assert.doesNotMatch(source, /^import[^;]*from '(node:|fs|path|url|os)/m, `${path} imports Node`);
      assert.doesNotMatch(source, /process\.(env|argv|exit)/, `${path} reads the process`);
      assert.doesNotMatch(
        source,
        /from '\.\.?\/(\.\.\/)*(server|widget)\//,
        `${path} imports server/ or widget/`,
      );
    }
  });

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
      ],
    );
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
