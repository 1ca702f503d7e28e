import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

const createToken = (emulator: RunningEmulator) =>
  emulator.plaid.sessionTokenCreate({ template_id: EMULATOR_TEMPLATE_ID, user: { client_user_id: 'u' } });

describe('fault injection', () => {
  it('forces a status and Plaid error for the next call of a route, from the options', async () => {
    const emulator = await startEmulator({ faults: [{ route: '/session/token/create', status: 429 }] });
    try {
      const { status, body } = await plaidFailure(createToken(emulator));
      assert.equal(status, 429);
      assert.deepEqual(validate('PlaidError', body), []);
      assert.deepEqual([body.error_type, body.error_code], ['RATE_LIMIT_EXCEEDED', 'RATE_LIMIT']);
      assert.equal((await createToken(emulator)).status, 200);
    } finally {
      await emulator.close();
    }
  });

  describe('through POST /emulator/faults', () => {
    let emulator: RunningEmulator;
    before(async () => {
      emulator = await startEmulator();
    });
    after(() => emulator.close());

    const addFault = (fault: unknown) => emulator.post('/emulator/faults', fault);
    const clear = () => fetch(`${emulator.base}/emulator/faults`, { method: 'DELETE' });

    it('takes a Plaid error code and finds its status, for N calls', async () => {
      const added = await addFault({
        route: '/user_account/session/get',
        errorCode: 'INTERNAL_SERVER_ERROR',
        times: 2,
      });
      assert.equal(added.status, 200);
      const publicToken = await emulator.publicToken('+14155550011');
      for (let call = 0; call < 2; call += 1) {
        const { status, body } = await plaidFailure(
          emulator.plaid.userAccountSessionGet({ public_token: publicToken }),
        );
        assert.deepEqual(
          [status, body.error_type, body.error_code],
          [500, 'API_ERROR', 'INTERNAL_SERVER_ERROR'],
        );
      }
      assert.equal((await emulator.plaid.userAccountSessionGet({ public_token: publicToken })).status, 200);
    });

    it('lists the active faults and clears them', async () => {
      await addFault([
        { route: '/network/status/get', status: 503, times: null },
        { route: '/link/token/create', errorCode: 'PLANNED_MAINTENANCE', errorMessage: 'back soon' },
      ]);
      const listed = (await (await fetch(`${emulator.base}/emulator/faults`)).json()) as {
        faults: unknown[];
      };
      assert.deepEqual(listed.faults, [
        { route: '/network/status/get', status: 503, times: null, remaining: null },
        {
          route: '/link/token/create',
          errorCode: 'PLANNED_MAINTENANCE',
          errorMessage: 'back soon',
          remaining: 1,
        },
      ]);
      for (let call = 0; call < 3; call += 1) {
        const { status } = await plaidFailure(
          emulator.plaid.networkStatusGet({ user: { phone_number: '+14155550011' } }),
        );
        assert.equal(status, 503);
      }
      assert.equal((await clear()).status, 200);
      assert.equal(
        (await emulator.plaid.networkStatusGet({ user: { phone_number: '+14155550011' } })).status,
        200,
      );
    });

    it('applies "*" to every Plaid route but not to the Link script', async () => {
      await addFault({ route: '*', status: 500, times: 2 });
      assert.equal((await fetch(`${emulator.base}/link/v2/stable/link-initialize.js`)).status, 200);
      assert.equal((await plaidFailure(createToken(emulator))).status, 500);
      assert.equal(
        (await plaidFailure(emulator.plaid.networkStatusGet({ user: { phone_number: '+1' } }))).status,
        500,
      );
      assert.equal((await createToken(emulator)).status, 200);
    });

    it('can make the Link script fail to load', async () => {
      await addFault({ route: '/link/v2/stable/link-initialize.js', status: 503 });
      assert.equal((await fetch(`${emulator.base}/link/v2/stable/link-initialize.js`)).status, 503);
      assert.equal((await fetch(`${emulator.base}/link/v2/stable/link-initialize.js`)).status, 200);
    });

    it('can fail a step of the Link UI', async () => {
      await addFault({ route: '/emulator/link/sessions/:id/submit', status: 500 });
      const { body: session } = await emulator.post('/emulator/link/sessions', {
        link_token: await emulator.linkToken(),
      });
      const submit = await emulator.post(
        `/emulator/link/sessions/${String(session.link_session_id)}/submit`,
        {
          phone_number: '+14155550011',
        },
      );
      assert.deepEqual([submit.status, submit.body.error_code], [500, 'INTERNAL_SERVER_ERROR']);
    });

    it('rejects a malformed fault and adds nothing from a bad batch', async () => {
      await clear();
      const cases: Array<[unknown, string]> = [
        [{ route: 'session/token/create', status: 500 }, 'INVALID_FIELD'],
        [{ route: '/session/token/create', status: 200 }, 'INVALID_FIELD'],
        [{ route: '/session/token/create' }, 'INVALID_FIELD'],
        [{ route: '/session/token/create', status: 500, times: 0 }, 'INVALID_FIELD'],
        [{ route: '/session/token/create', status: 500, colour: 'red' }, 'UNKNOWN_FIELDS'],
        [[{ route: '/session/token/create', status: 500 }, { route: 'bad' }], 'INVALID_FIELD'],
      ];
      for (const [fault, code] of cases) {
        const { status, body } = await addFault(fault);
        assert.deepEqual([status, body.error_code], [400, code], JSON.stringify(fault));
      }
      const listed = (await (await fetch(`${emulator.base}/emulator/faults`)).json()) as {
        faults: unknown[];
      };
      assert.deepEqual(listed.faults, []);
    });
  });

  it('waits out latency before answering', async () => {
    let release: () => void = () => {};
    let sleeping: (ms: number) => void = () => {};
    const asleep = new Promise<number>((resolve) => (sleeping = resolve));
    const emulator = await startEmulator({
      faults: [{ route: '/network/status/get', latencyMs: 250 }],
      sleep: (ms) => {
        sleeping(ms);
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    try {
      let answered = false;
      const call = emulator.plaid
        .networkStatusGet({ user: { phone_number: '+14155550011' } })
        .then((response) => {
          answered = true;
          return response;
        });
      assert.equal(await asleep, 250);
      // Another call, with no fault left, is answered while the first still waits.
      assert.equal(
        (await emulator.plaid.networkStatusGet({ user: { phone_number: '+14155550011' } })).status,
        200,
      );
      assert.equal(answered, false);
      release();
      assert.equal((await call).status, 200);
    } finally {
      await emulator.close();
    }
  });
});
