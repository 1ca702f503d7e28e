/**
 * The rules of a Link session, without HTTP: which step may follow which, what leaving does at each
 * point, and how the link token's lifetime bounds the session.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { AUTOFILL_DATE_OF_BIRTH, EMULATOR_TEMPLATE_ID, SANDBOX_OTP } from '../../../emulator/index.js';
import { reviewProfile } from '../../../emulator/link-protocol/shared-profile.js';
import {
  LinkSessions,
  MAX_FLOW_MS,
  MAX_WRONG_CODES,
  type LinkSessionRecord,
} from '../../../emulator/link-protocol/sessions.js';
import { resolveOptions } from '../../../emulator/options.js';
import { PlaidApiError } from '../../../emulator/plaid-error.js';
import { EmulatorState, LINK_TOKEN_LIFETIME_MS } from '../../../emulator/state.js';
import { WebhookSender } from '../../../emulator/webhook-delivery.js';
import { WebhookSigner } from '../../../emulator/webhooks.js';

/** Asserts that `run` throws the Plaid error `code`, with a message matching `message`. */
function assertPlaidError(run: () => unknown, code: string, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof PlaidApiError, String(error));
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('LinkSessions', () => {
  let clock: number;
  let state: EmulatorState;
  let sessions: LinkSessions;

  /** A link token as `/session/token/create` (a template) or `/link/token/create` (null) issues it. */
  function issueLinkToken(templateId: string | null = EMULATOR_TEMPLATE_ID): string {
    const linkToken = `link-sandbox-${crypto.randomUUID()}`;
    state.linkTokens.set(linkToken, {
      linkToken,
      expiresAt: clock + LINK_TOKEN_LIFETIME_MS,
      templateId,
      // No webhook: these tests are about the session, webhooks.test.ts about what it sends.
      webhook: null,
      redirectUri: null,
      clientName: 'Demo Partner',
      used: false,
      revoked: false,
    });
    return linkToken;
  }

  /** A session started, given Leslie's number, and opened: its record. */
  function openSession(linkToken = issueLinkToken()): LinkSessionRecord {
    const { session } = sessions.start(linkToken);
    assert.equal(
      sessions.submit(session.linkSessionId, { phone_number: '+14155550011' }).event,
      'LAYER_READY',
    );
    sessions.open(session.linkSessionId);
    return session;
  }

  beforeEach(() => {
    clock = Date.parse('2026-11-25T12:00:00.000Z');
    const options = resolveOptions({ now: () => new Date(clock) });
    state = new EmulatorState(options.stateLimit);
    sessions = new LinkSessions(
      options,
      state,
      new WebhookSender({
        delivery: options.webhookDelivery,
        signer: new WebhookSigner(options.now),
        fetch: options.fetch,
        onFailure: options.onWebhookFailure,
      }),
    );
  });

  it('gives every session its own link_session_id, even from one link token', () => {
    const linkToken = issueLinkToken();
    const ids = [sessions.start(linkToken), sessions.start(linkToken)].map(
      ({ session }) => session.linkSessionId,
    );
    assert.match(ids[0]!, /^[0-9a-f-]{36}$/);
    assert.notEqual(ids[0], ids[1]);
  });

  it('answers a date of birth after LAYER_NOT_AVAILABLE through Extended Autofill', () => {
    const { session } = sessions.start(issueLinkToken());
    const id = session.linkSessionId;
    assert.equal(sessions.submit(id, { phone_number: '+14155550012' }).event, 'LAYER_NOT_AVAILABLE');
    assertPlaidError(() => sessions.open(id), 'INVALID_FIELD', /submit Phone Number before opening/);
    assert.equal(sessions.submit(id, { date_of_birth: AUTOFILL_DATE_OF_BIRTH }).event, 'LAYER_READY');
    assert.equal(sessions.open(id).phone_number, '+14155550012');
  });

  it('never serves Layer on a link token without a template', () => {
    const { session } = sessions.start(issueLinkToken(null));
    const id = session.linkSessionId;
    assert.equal(sessions.submit(id, { phone_number: '+14155550011' }).event, 'LAYER_NOT_AVAILABLE');
    assert.equal(
      sessions.submit(id, { date_of_birth: AUTOFILL_DATE_OF_BIRTH }).event,
      'LAYER_AUTOFILL_NOT_AVAILABLE',
    );
    assertPlaidError(() => sessions.open(id), 'INVALID_FIELD');
  });

  it('keeps a session that was left before it opened, so the page can submit again', () => {
    const { session } = sessions.start(issueLinkToken());
    const id = session.linkSessionId;
    sessions.exit(id);
    assert.equal(session.step, 'created');
    assert.equal(sessions.submit(id, { phone_number: '+14155550011' }).event, 'LAYER_READY');
    assert.equal(sessions.open(id).phone_number, '+14155550011');
  });

  it('finishes a session that was left after it opened: no step follows', () => {
    const id = openSession().linkSessionId;
    sessions.exit(id);
    for (const step of [
      () => sessions.submit(id, { phone_number: '+14155550011' }),
      () => sessions.open(id),
      () => sessions.verify(id, SANDBOX_OTP),
    ])
      assertPlaidError(step, 'INVALID_FIELD', /while the session is finished/);
    // Leaving again, or leaving a session Plaid never issued, changes nothing and throws nothing.
    sessions.exit(id);
    sessions.exit('not-a-session');
  });

  it('ends with the link token: a step after it expires is INVALID_LINK_TOKEN', () => {
    const id = openSession().linkSessionId;
    clock += LINK_TOKEN_LIFETIME_MS;
    assertPlaidError(() => sessions.verify(id, SANDBOX_OTP), 'INVALID_LINK_TOKEN', /expired/);
    assertPlaidError(() => sessions.verify('not-a-session', SANDBOX_OTP), 'INVALID_FIELD', /not found/);
  });

  it('lets the user take up to 30 minutes through an opened flow', () => {
    const id = openSession().linkSessionId;
    clock += MAX_FLOW_MS - 1000;
    assert.equal(sessions.verify(id, SANDBOX_OTP).result, 'verified');
  });

  it('invalidates the link token when the opened flow takes 30 minutes, as Plaid does', () => {
    // Plaid docs /link/handle-invalid-link-token/: "taking too long to go through the flow (30+
    // minutes)" invalidates the link token, well inside its nominal 4-hour lifetime.
    const linkToken = issueLinkToken();
    const session = openSession(linkToken);
    clock += MAX_FLOW_MS;
    assertPlaidError(
      () => sessions.verify(session.linkSessionId, SANDBOX_OTP),
      'INVALID_LINK_TOKEN',
      /30 minutes/,
    );
    assert.equal(session.step, 'finished', 'the session ended');
    assertPlaidError(() => sessions.start(linkToken), 'INVALID_LINK_TOKEN', /revoked/);
  });

  it('ends a flow that took too long as EXITED in SESSION_FINISHED', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const options = resolveOptions({
      now: () => new Date(clock),
      webhookDelivery: { delayMs: 0, duplicateRate: 0 },
      fetch: async (_url, init) => {
        sent.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
        return new Response(null, { status: 200 });
      },
    });
    const sender = new WebhookSender({
      delivery: options.webhookDelivery,
      signer: new WebhookSigner(options.now),
      fetch: options.fetch,
      onFailure: options.onWebhookFailure,
    });
    sessions = new LinkSessions(options, state, sender);
    const linkToken = issueLinkToken();
    state.linkTokens.get(linkToken)!.webhook = 'https://partner.example/webhook';
    const session = openSession(linkToken);
    clock += MAX_FLOW_MS;
    assertPlaidError(() => sessions.verify(session.linkSessionId, SANDBOX_OTP), 'INVALID_LINK_TOKEN');
    await sender.idle();
    assert.deepEqual(
      sent.map(({ webhook_code, status, link_session_id }) => [webhook_code, status, link_session_id]),
      [['SESSION_FINISHED', 'EXITED', session.linkSessionId]],
    );
  });

  it('times the flow from open(), not from the link token: a handler preloaded long before is fine', () => {
    const linkToken = issueLinkToken();
    const { session } = sessions.start(linkToken);
    clock += 3 * MAX_FLOW_MS;
    assert.equal(
      sessions.submit(session.linkSessionId, { phone_number: '+14155550011' }).event,
      'LAYER_READY',
    );
    sessions.open(session.linkSessionId);
    clock += MAX_FLOW_MS / 2;
    assert.equal(sessions.verify(session.linkSessionId, SANDBOX_OTP).result, 'verified');
  });

  it(`fails the session and revokes its link token after ${MAX_WRONG_CODES} wrong codes`, () => {
    const linkToken = issueLinkToken();
    const id = openSession(linkToken).linkSessionId;
    const results = Array.from({ length: MAX_WRONG_CODES }, () => sessions.verify(id, '000000').result);
    assert.deepEqual(results, ['invalid', 'invalid', 'failed']);
    assertPlaidError(() => sessions.verify(id, SANDBOX_OTP), 'INVALID_FIELD', /while the session is failed/);
    assertPlaidError(() => sessions.start(linkToken), 'INVALID_LINK_TOKEN', /revoked/);
    // The failed session can still be left (onExit follows the error view).
    sessions.exit(id);
  });

  it('issues a public token for what the user shared, spending the link token', () => {
    const linkToken = issueLinkToken();
    const session = openSession(linkToken);
    const id = session.linkSessionId;
    const verified = sessions.verify(id, ` ${SANDBOX_OTP} `);
    assert.ok(verified.result === 'verified', verified.result);
    const profile = reviewProfile(session.profile!, false);
    assertPlaidError(() => sessions.share(id, profile, []), 'INVALID_FIELD', /select an account/);
    const [first] = verified.accounts;
    const shared = sessions.share(id, profile, [first!.id]);
    assert.ok(shared.result === 'shared');
    assert.equal(session.step, 'finished');
    assert.equal(state.linkTokens.get(linkToken)?.used, true);
    assert.deepEqual(shared.institution, {
      name: first!.institution_name,
      institution_id: first!.institution_id,
    });
    const record = state.publicTokens.get(shared.public_token);
    assert.ok(record, 'the public token is on record for /user_account/session/get');
    assert.equal(record.identity.ssn, '987654321');
    assert.equal(record.items.length, 1);
  });
});
