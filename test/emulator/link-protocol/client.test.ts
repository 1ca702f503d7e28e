/**
 * The Link iframe's client for the protocol, against a real emulator: what each step answers, and
 * that every failure comes back as a result the Link script can end the session with, never a throw.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SANDBOX_OTP } from '../../../emulator/index.js';
import { LinkProtocolClient } from '../../../emulator/link-protocol/client.js';
import { startEmulator, type RunningEmulator } from '../support/emulator-server.js';

describe('LinkProtocolClient', () => {
  let emulator: RunningEmulator;
  let client: LinkProtocolClient;
  before(async () => {
    // Mounted under a prefix, as `npm start` mounts it: the client is given the prefix, as the Link
    // iframe finds it from its own URL.
    emulator = await startEmulator({ eventTiming: 'batched-before-callback' }, '/plaid');
    client = new LinkProtocolClient(emulator.base);
  });
  after(() => emulator.close());

  it('runs every step of a Link session', async () => {
    const started = await client.start(await emulator.linkToken());
    assert.ok(started.ok, JSON.stringify(started));
    const { link_session_id: id } = started.data;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      [started.data.client_name, started.data.layer, started.data.event_timing],
      ['Demo Partner', true, 'batched-before-callback'],
    );

    const submitted = await client.submit(id, { phone_number: '+14155550011' });
    assert.ok(submitted.ok);
    assert.equal(submitted.data.event, 'LAYER_READY');

    const opened = await client.open(id);
    assert.ok(opened.ok);
    assert.equal(opened.data.phone_number, '+14155550011');

    const verified = await client.verify(id, SANDBOX_OTP);
    assert.ok(verified.ok && verified.data.result === 'verified', JSON.stringify(verified));
    const { profile, accounts } = verified.data;
    assert.equal(profile.name?.first_name, 'Leslie');

    const shared = await client.share(id, { profile, account_ids: [accounts[0]!.id] });
    assert.ok(shared.ok && shared.data.result === 'shared', JSON.stringify(shared));
    assert.match(shared.data.public_token, /^public-sandbox-/);
    assert.deepEqual(
      shared.data.accounts.map((account) => account.id),
      [accounts[0]!.id],
    );

    const exited = await client.exit(id, null);
    assert.ok(exited.ok);
    for (const answer of [started, submitted, opened, verified, shared, exited])
      assert.match(answer.data.request_id, /^\w{15}$/);
  });

  it("hands back the emulator's error, with a link_session_id for a link token it cannot use", async () => {
    const started = await client.start('link-sandbox-00000000-0000-0000-0000-000000000000');
    assert.ok(!started.ok);
    assert.equal(started.error.error_code, 'INVALID_LINK_TOKEN');
    assert.equal(started.error.error_type, 'INVALID_INPUT');
    assert.match(started.error.link_session_id ?? '', /^[0-9a-f-]{36}$/);
    assert.match(started.error.request_id, /^\w{15}$/);
  });

  it('answers a wrong code as a result, not an error', async () => {
    const started = await client.start(await emulator.linkToken());
    assert.ok(started.ok);
    const id = started.data.link_session_id;
    await client.submit(id, { phone_number: '+14155550011' });
    await client.open(id);
    const wrong = await client.verify(id, '000000');
    assert.ok(wrong.ok && wrong.data.result === 'invalid', JSON.stringify(wrong));
    assert.equal(wrong.data.attempts_remaining, 2);
    assert.equal(wrong.data.error.error_code, 'INVALID_OTP');
  });

  it('turns an emulator it cannot reach into an INTERNAL_SERVER_ERROR result', async () => {
    // A URL fetch refuses outright: no port to race for, no network.
    const unreachable = new LinkProtocolClient('unknown-scheme://emulator');
    const started = await unreachable.start('link-sandbox-anything');
    assert.ok(!started.ok);
    assert.deepEqual(
      [started.error.error_type, started.error.error_code, started.error.request_id],
      ['API_ERROR', 'INTERNAL_SERVER_ERROR', ''],
    );
    assert.match(started.error.error_message, /^Link could not reach the Plaid emulator: /);
  });

  it('turns an answer that is not JSON into the same result', async () => {
    // The emulator's origin without its /plaid prefix: nothing there answers JSON.
    const misplaced = new LinkProtocolClient(new URL(emulator.base).origin);
    const started = await misplaced.start('link-sandbox-anything');
    assert.ok(!started.ok);
    assert.equal(started.error.error_code, 'INTERNAL_SERVER_ERROR');
  });
});
