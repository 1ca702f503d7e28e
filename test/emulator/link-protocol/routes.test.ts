/**
 * The emulator-only routes behind the Link UI: the rules a session follows whatever the browser
 * sends (order of steps, link token lifetime and reuse, what may be shared).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SANDBOX_OTP } from '../../../emulator/index.js';
import { startEmulator, type JsonBody, type RunningEmulator } from '../support/emulator-server.js';

interface Session {
  id: string;
  step: (name: string, body?: unknown) => Promise<{ status: number; body: JsonBody }>;
}

async function startSession(emulator: RunningEmulator, linkToken?: string): Promise<Session> {
  const { status, body } = await emulator.post('/emulator/link/sessions', {
    link_token: linkToken ?? (await emulator.linkToken()),
  });
  assert.equal(status, 200, JSON.stringify(body));
  const id = String(body.link_session_id);
  return {
    id,
    step: (name, stepBody = {}) => emulator.post(`/emulator/link/sessions/${id}/${name}`, stepBody),
  };
}

async function verifiedSession(emulator: RunningEmulator, linkToken?: string) {
  const session = await startSession(emulator, linkToken);
  await session.step('submit', { phone_number: '+14155550011' });
  await session.step('open');
  const { body } = await session.step('verify', { code: SANDBOX_OTP });
  assert.equal(body.result, 'verified');
  return { session, verified: body as { profile: JsonBody; accounts: Array<{ id: string }> } };
}

describe('the Link UI routes', () => {
  let clock = new Date('2026-11-25T12:00:00.000Z');
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ now: () => clock });
  });
  after(() => emulator.close());

  it("tells the Link iframe Plaid's timing by default: events after onSuccess/onExit", async () => {
    const { status, body } = await emulator.post('/emulator/link/sessions', {
      link_token: await emulator.linkToken(),
    });
    assert.deepEqual([status, body.event_timing, body.oauth_resume], [200, 'batched-after-callback', false]);
  });

  it('keeps the steps in order', async () => {
    const session = await startSession(emulator);
    const open = await session.step('open');
    assert.deepEqual(
      [open.status, open.body.error_message],
      [400, 'Please submit Phone Number before opening Link.'],
    );
    assert.equal((await session.step('verify', { code: SANDBOX_OTP })).status, 400);
    assert.equal((await session.step('share', { profile: {}, account_ids: [] })).status, 400);
    await session.step('submit', { phone_number: '+14155550011' });
    assert.equal((await session.step('open')).status, 200);
    assert.equal((await session.step('submit', { phone_number: '+14155550011' })).status, 400);
  });

  it('takes a phone number or a date of birth, not both', async () => {
    const session = await startSession(emulator);
    const both = await session.step('submit', { phone_number: '+14155550011', date_of_birth: '1975-01-18' });
    assert.deepEqual([both.status, both.body.error_code], [400, 'INVALID_FIELD']);
  });

  it('never sends the full SSN or an access token to the browser, at any step', async () => {
    const session = await startSession(emulator);
    const answers = [
      await session.step('submit', { phone_number: '+14155550011' }),
      await session.step('open'),
      await session.step('verify', { code: SANDBOX_OTP }),
    ];
    const verified = answers[2]!.body as { profile: JsonBody; accounts: Array<{ id: string }> };
    assert.equal(verified.profile.ssn_last_4, '4321');
    const shared = await session.step('share', {
      profile: verified.profile,
      account_ids: verified.accounts.map((account) => account.id),
    });
    answers.push(shared, await session.step('exit'));
    assert.deepEqual(
      answers.map(({ status }) => status),
      [200, 200, 200, 200, 200],
    );
    // What the partner's server gets for the same session does hold both: the browser must not.
    const { data } = await emulator.plaid.userAccountSessionGet({
      public_token: String(shared.body.public_token),
    });
    assert.equal(data.identity?.ssn, '987654321');
    const accessTokens = data.items.map((item) => item.access_token!);
    assert.ok(accessTokens.length > 0);
    const seen = JSON.stringify(answers);
    for (const secret of ['987654321', 'access-sandbox-', ...accessTokens])
      assert.ok(!seen.includes(secret), `the Link UI was sent ${secret}`);
  });

  it('shares only accounts it showed, and at least one when the template requires accounts', async () => {
    const { session, verified } = await verifiedSession(emulator);
    const unknown = await session.step('share', { profile: verified.profile, account_ids: ['nope'] });
    assert.deepEqual([unknown.status, unknown.body.error_code], [400, 'INVALID_FIELD']);
    const none = await session.step('share', { profile: verified.profile, account_ids: [] });
    assert.deepEqual([none.status, none.body.display_message], [400, 'Select an account to share.']);
    const shared = await session.step('share', {
      profile: verified.profile,
      account_ids: [verified.accounts[0]!.id],
    });
    assert.equal(shared.status, 200);
    assert.match(String(shared.body.public_token), /^public-sandbox-/);
  });

  it("records the user's edits in identity_edit_history", async () => {
    const editedStreet = async () => {
      const { session, verified } = await verifiedSession(emulator);
      const address = verified.profile.address as JsonBody;
      const { body } = await session.step('share', {
        profile: { ...verified.profile, address: { ...address, street: `${Math.random()} Main St.` } },
        account_ids: [verified.accounts[0]!.id],
      });
      return (await emulator.plaid.userAccountSessionGet({ public_token: String(body.public_token) })).data;
    };
    const before = (await editedStreet()).identity_edit_history?.address?.edits_all_time ?? 0;
    const second = await editedStreet();
    assert.equal(second.identity_edit_history?.address?.edits_current, 1);
    assert.equal(second.identity_edit_history?.address?.edits_all_time, before + 1);
    assert.equal(second.identity_edit_history?.name?.edits_current, 0);
    assert.match(String(second.identity?.address?.street), /Main St\.$/);
  });

  it('revokes the link token after three wrong codes', async () => {
    const linkToken = await emulator.linkToken();
    const session = await startSession(emulator, linkToken);
    await session.step('submit', { phone_number: '+14155550011' });
    await session.step('open');
    const results = [];
    for (const code of ['000000', '111111', '222222'])
      results.push((await session.step('verify', { code })).body);
    assert.deepEqual(
      results.map((result) => [result.result, result.attempts_remaining]),
      [
        ['invalid', 2],
        ['invalid', 1],
        ['failed', undefined],
      ],
    );
    assert.equal((results[2]!.error as JsonBody).error_code, 'PROFILE_AUTHENTICATION_FAILED');
    const again = await emulator.post('/emulator/link/sessions', { link_token: linkToken });
    assert.deepEqual([again.status, again.body.error_code], [400, 'INVALID_LINK_TOKEN']);
  });

  it('lets a link token start sessions for 4 hours', async () => {
    const start = clock;
    try {
      const linkToken = await emulator.linkToken();
      clock = new Date(start.getTime() + 4 * 60 * 60 * 1000 - 1);
      await startSession(emulator, linkToken);
      clock = new Date(start.getTime() + 4 * 60 * 60 * 1000);
      const late = await emulator.post('/emulator/link/sessions', { link_token: linkToken });
      assert.deepEqual(
        [late.status, late.body.error_code, late.body.error_type],
        [400, 'INVALID_LINK_TOKEN', 'INVALID_INPUT'],
      );
      assert.match(String(late.body.link_session_id), /^[0-9a-f-]{36}$/);
    } finally {
      clock = start;
    }
  });

  it('lets a used link token start another session, as Sandbox does', async () => {
    const linkToken = await emulator.linkToken();
    const { session, verified } = await verifiedSession(emulator, linkToken);
    await session.step('share', { profile: verified.profile, account_ids: [verified.accounts[0]!.id] });
    await startSession(emulator, linkToken);
  });

  it('refuses a used link token when reuse is switched off, as Production does', async () => {
    const strict = await startEmulator({ linkTokenReuse: false });
    try {
      const linkToken = await strict.linkToken();
      const { session, verified } = await verifiedSession(strict, linkToken);
      await session.step('share', { profile: verified.profile, account_ids: [verified.accounts[0]!.id] });
      const again = await strict.post('/emulator/link/sessions', { link_token: linkToken });
      assert.deepEqual([again.status, again.body.error_code], [400, 'INVALID_LINK_TOKEN']);
      assert.match(String(again.body.error_message), /already used/);
    } finally {
      await strict.close();
    }
  });

  it("answers a body it cannot use with Plaid's error, never a 500", async () => {
    const { session, verified } = await verifiedSession(emulator);
    const cases: Array<[string, string, unknown, string, RegExp]> = [
      ['no link token', '/emulator/link/sessions', {}, 'MISSING_FIELDS', /link_token/],
      [
        'a link token that is no string',
        '/emulator/link/sessions',
        { link_token: 5 },
        'INVALID_FIELD',
        /string/,
      ],
      ['a body that is not JSON', '/emulator/link/sessions', '{"link_token":', 'INVALID_BODY', /JSON/],
      ['no code', `/emulator/link/sessions/${session.id}/verify`, {}, 'MISSING_FIELDS', /code/],
      ['an unknown session', '/emulator/link/sessions/nope/open', {}, 'INVALID_FIELD', /nope not found/],
      [
        'account ids that are no list',
        `/emulator/link/sessions/${session.id}/share`,
        { profile: verified.profile, account_ids: 'all' },
        'INVALID_FIELD',
        /account_ids/,
      ],
      [
        'a date of birth that is no date',
        `/emulator/link/sessions/${session.id}/share`,
        { profile: { ...verified.profile, date_of_birth: 'yesterday' }, account_ids: [] },
        'INVALID_FIELD',
        /profile\.date_of_birth is invalid/,
      ],
      [
        'a name that is no object',
        `/emulator/link/sessions/${session.id}/share`,
        { profile: { ...verified.profile, name: ['Leslie'] }, account_ids: [] },
        'INVALID_FIELD',
        /profile\.name is invalid/,
      ],
      [
        'an email longer than anyone types',
        `/emulator/link/sessions/${session.id}/share`,
        { profile: { ...verified.profile, email: `${'a'.repeat(200)}@pawnee.example` }, account_ids: [] },
        'INVALID_FIELD',
        /profile\.email is invalid/,
      ],
    ];
    for (const [what, path, body, code, message] of cases) {
      const answer = await emulator.post(path, body);
      assert.deepEqual([answer.status, answer.body.error_code], [400, code], what);
      assert.match(String(answer.body.error_message), message, what);
    }
    // None of that used up the session: it still shares.
    const shared = await session.step('share', {
      profile: verified.profile,
      account_ids: [verified.accounts[0]!.id],
    });
    assert.equal(shared.status, 200);
  });

  it('serves the Link iframe only: no CORS, and no call from another site', async () => {
    const preflight = await fetch(`${emulator.base}/emulator/link/sessions`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://partner.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const linkToken = await emulator.linkToken();
    const foreign = await emulator.post(
      '/emulator/link/sessions',
      { link_token: linkToken },
      { Origin: 'https://partner.example' },
    );
    assert.deepEqual([foreign.status, foreign.body.error_code], [403, 'INVALID_HEADERS']);
    // A "simple" request (no preflight) cannot carry JSON's content type.
    const simple = await fetch(`${emulator.base}/emulator/link/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ link_token: linkToken }),
    });
    assert.deepEqual([simple.status, ((await simple.json()) as JsonBody).error_code], [400, 'INVALID_BODY']);
    // The Link iframe calls from the emulator's own origin.
    const own = await emulator.post(
      '/emulator/link/sessions',
      { link_token: linkToken },
      { Origin: new URL(emulator.base).origin },
    );
    assert.equal(own.status, 200);
  });
});
