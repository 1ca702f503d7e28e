/**
 * The OAuth Sandbox user (+1 415-555-0031), whose bank connects through OAuth: sharing sends the
 * user to the link token's `redirect_uri` with an `oauth_state_id`, and a session started again
 * with the same token and that URL (`receivedRedirectUri`) finishes — once. Plaid's OAuth errors
 * otherwise (https://plaid.com/docs/errors/oauth/).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { OAUTH_SANDBOX_PHONE, SANDBOX_OTP } from '../../../emulator/index.js';
import { startEmulator, type JsonBody, type RunningEmulator } from '../support/emulator-server.js';
import { validate } from '../support/openapi-schema.js';
import { listenForWebhooks, type WebhookListener } from '../support/webhook-listener.js';

const RETURN = 'https://partner.example/oauth-return';

describe('OAuth through the Link protocol', () => {
  let emulator: RunningEmulator;
  let listener: WebhookListener;
  before(async () => {
    listener = await listenForWebhooks();
    emulator = await startEmulator({ webhookDelivery: { delayMs: 0, duplicateRate: 0 } });
  });
  after(async () => {
    await emulator.close();
    await listener.close();
  });

  const step = (path: string, body: unknown = {}) => emulator.post(`/emulator/link/sessions${path}`, body);

  /** The OAuth user up to Share: the session and the share step's answer. */
  async function shareAtOAuthBank(linkToken: string): Promise<{ id: string; share: JsonBody }> {
    const { body: started } = await step('', { link_token: linkToken });
    const id = String(started.link_session_id);
    await step(`/${id}/submit`, { phone_number: OAUTH_SANDBOX_PHONE });
    await step(`/${id}/open`);
    const { body: verified } = await step(`/${id}/verify`, { code: SANDBOX_OTP });
    const accounts = verified.accounts as Array<{ id: string; oauth: boolean; institution_name: string }>;
    assert.deepEqual(
      accounts.map((account) => [account.institution_name, account.oauth]),
      [['Platypus OAuth Bank', true]],
    );
    const { status, body: share } = await step(`/${id}/share`, {
      profile: verified.profile,
      account_ids: accounts.map((account) => account.id),
    });
    assert.equal(status, 200, JSON.stringify(share));
    return { id, share };
  }

  it('sends the user to redirect_uri?oauth_state_id=…, and finishes the session once back', async () => {
    const linkToken = await emulator.linkToken({ redirectUri: RETURN, webhook: listener.url });
    const { id, share } = await shareAtOAuthBank(linkToken);
    assert.equal(share.result, 'oauth');
    const returnUrl = String(share.redirect_url);
    assert.match(returnUrl, /^https:\/\/partner\.example\/oauth-return\?oauth_state_id=[0-9a-f-]{36}$/);
    assert.deepEqual(share.institution, { name: 'Platypus OAuth Bank', institution_id: 'ins_127287' });

    // While the user is at the bank, the session has not finished.
    await emulator.emulator.webhooksIdle();
    const codes = () =>
      listener.received
        .map((webhook) => JSON.parse(webhook.body) as JsonBody)
        .filter((webhook) => webhook.link_token === linkToken)
        .map((webhook) => webhook.webhook_code);
    assert.deepEqual(codes(), ['LAYER_AUTHENTICATION_PASSED']);

    const back = await step('', { link_token: linkToken, received_redirect_uri: returnUrl });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual([back.body.link_session_id, back.body.oauth_resume], [id, true]);
    const resumed = await step(`/${id}/resume`);
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.result, 'shared');
    const { data } = await emulator.plaid.userAccountSessionGet({
      public_token: String(resumed.body.public_token),
    });
    assert.equal(data.identity?.phone_number, OAUTH_SANDBOX_PHONE);
    assert.equal(data.items.length, 1);
    await emulator.emulator.webhooksIdle();
    assert.deepEqual(codes().sort(), ['LAYER_AUTHENTICATION_PASSED', 'SESSION_FINISHED']);
  });

  it("answers a used, an unknown or a missing oauth_state_id, and another link token, with Plaid's OAuth errors", async () => {
    const linkToken = await emulator.linkToken({ redirectUri: RETURN });
    const { id, share } = await shareAtOAuthBank(linkToken);
    const returnUrl = String(share.redirect_url);
    const otherToken = await emulator.linkToken({ redirectUri: RETURN });
    const cases: Array<[string, unknown, string]> = [
      [
        'another link token',
        { link_token: otherToken, received_redirect_uri: returnUrl },
        'INCORRECT_LINK_TOKEN',
      ],
      [
        'an unknown state id',
        {
          link_token: linkToken,
          received_redirect_uri: `${RETURN}?oauth_state_id=00000000-0000-4000-8000-000000000000`,
        },
        'OAUTH_STATE_ID_NOT_FOUND',
      ],
      ['no state id', { link_token: linkToken, received_redirect_uri: RETURN }, 'OAUTH_STATE_ID_NOT_FOUND'],
      ['no URL', { link_token: linkToken, received_redirect_uri: 'not a url' }, 'OAUTH_STATE_ID_NOT_FOUND'],
    ];
    for (const [what, body, code] of cases) {
      const { status, body: error } = await step('', body);
      assert.deepEqual([status, error.error_type, error.error_code], [400, 'OAUTH_ERROR', code], what);
      const { link_session_id: _sessionId, ...plaidError } = error;
      assert.deepEqual(validate('PlaidError', plaidError), [], what);
    }
    // None of those used the state up: the right return works, once.
    assert.equal((await step('', { link_token: linkToken, received_redirect_uri: returnUrl })).status, 200);
    assert.equal((await step(`/${id}/resume`)).status, 200);
    const again = await step('', { link_token: linkToken, received_redirect_uri: returnUrl });
    assert.deepEqual([again.status, again.body.error_code], [400, 'OAUTH_STATE_ID_ALREADY_PROCESSED']);
    assert.equal(again.body.error_message, 'the oauth state id has already been processed');
  });

  it('ends the session (EXITED) with INVALID_FIELD when the link token has no redirect_uri', async () => {
    const linkToken = await emulator.linkToken({ webhook: listener.url });
    const { body: started } = await step('', { link_token: linkToken });
    const id = String(started.link_session_id);
    await step(`/${id}/submit`, { phone_number: OAUTH_SANDBOX_PHONE });
    await step(`/${id}/open`);
    const { body: verified } = await step(`/${id}/verify`, { code: SANDBOX_OTP });
    const share = await step(`/${id}/share`, {
      profile: verified.profile,
      account_ids: (verified.accounts as Array<{ id: string }>).map((account) => account.id),
    });
    assert.deepEqual(
      [share.status, share.body.error_type, share.body.error_code, share.body.display_message],
      [400, 'INVALID_REQUEST', 'INVALID_FIELD', null],
    );
    assert.match(String(share.body.error_message), /redirect_uri/);
    const webhooks = (await listener.waitFor(linkToken, 2)).map(
      (webhook) => JSON.parse(webhook.body) as JsonBody,
    );
    assert.deepEqual(webhooks.map((webhook) => [webhook.webhook_code, webhook.status]).sort(), [
      ['LAYER_AUTHENTICATION_PASSED', undefined],
      ['SESSION_FINISHED', 'EXITED'],
    ]);
  });

  it('runs the OAuth user through /emulator/sessions/complete, trip to the bank included', async () => {
    const publicToken = await emulator.publicToken(OAUTH_SANDBOX_PHONE, { redirectUri: RETURN });
    const { data } = await emulator.plaid.userAccountSessionGet({ public_token: publicToken });
    assert.equal(data.items.length, 1);
  });
});
