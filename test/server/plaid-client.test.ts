import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LayerApiError } from '../../server/errors.js';
import { callPlaid } from '../../server/plaid-client.js';

/** What the plaid client rejects with when Plaid answers an error status. */
function plaidFailure(status: number) {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    response: {
      status,
      data: { error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR', request_id: 'r' },
    },
  });
}

test('backs off exponentially between retries, capped at maxRetryDelayMs', async () => {
  const waits: number[] = [];
  let attempts = 0;
  await assert.rejects(
    callPlaid(
      async () => {
        attempts++;
        throw plaidFailure(500);
      },
      {
        timeoutMs: 1000,
        retries: 4,
        retryDelayMs: 250,
        maxRetryDelayMs: 1000,
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    ),
    (error) => error instanceof LayerApiError && error.code === 'PLAID_ERROR' && error.status === 502,
  );
  assert.equal(attempts, 5);
  assert.deepEqual(waits, [250, 500, 1000, 1000]);
});

test('returns the data of the first successful attempt', async () => {
  let attempts = 0;
  const data = await callPlaid(
    async () => {
      if (++attempts < 3) throw plaidFailure(503);
      return { data: { ok: true } };
    },
    { timeoutMs: 1000, retries: 2, sleep: async () => undefined },
  );
  assert.deepEqual(data, { ok: true });
});

test('the thrown error keeps nothing of the client’s error (which holds the secret)', async () => {
  const leaky = Object.assign(plaidFailure(400), { config: { headers: { 'PLAID-SECRET': 'top-secret' } } });
  const error = await callPlaid(
    async () => {
      throw leaky;
    },
    { timeoutMs: 1000 },
  ).catch((e: unknown) => e);
  assert.ok(error instanceof LayerApiError);
  assert.equal(error.cause, undefined);
  assert.ok(!JSON.stringify({ ...error, message: error.message }).includes('top-secret'));
});
