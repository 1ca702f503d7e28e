/**
 * `redirect_uri` on `/session/token/create` and `/link/token/create`, checked as Plaid checks it:
 * no query string, no fragment, no wildcard, https (Sandbox also takes http://localhost), and listed
 * in the Dashboard's allowed redirect URIs when the emulator is given that list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CountryCode, Products } from 'plaid';

import { createPlaidEmulator, EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

/** Both routes that take a `redirect_uri`. */
function creators(emulator: RunningEmulator) {
  return {
    '/session/token/create': (redirectUri: string) =>
      emulator.plaid.sessionTokenCreate({
        template_id: EMULATOR_TEMPLATE_ID,
        user: { client_user_id: 'u' },
        redirect_uri: redirectUri,
      }),
    '/link/token/create': (redirectUri: string) =>
      emulator.plaid.linkTokenCreate({
        client_name: 'Demo Partner',
        language: 'en',
        country_codes: [CountryCode.Us],
        user: { client_user_id: 'u' },
        products: [Products.Auth],
        redirect_uri: redirectUri,
      }),
  };
}

const ACCEPTED = [
  'https://partner.example/oauth-return',
  'https://partner.example/',
  'https://sub.partner.example:8443/a/b.html',
  'http://localhost:5173/oauth',
  'http://localhost/oauth',
];

const REFUSED: Array<[string, RegExp]> = [
  ['https://partner.example/oauth?from=plaid', /query parameters/],
  ['https://partner.example/oauth?', /query parameters/],
  ['https://partner.example/oauth#done', /fragment/],
  ['https://*.partner.example/oauth', /wildcard/],
  ['https://partner.example/*', /wildcard/],
  ['http://partner.example/oauth', /https/],
  ['http://127.0.0.1:5173/oauth', /https/],
  ['ftp://partner.example/oauth', /https/],
  ['https://user:secret@partner.example/oauth', /credentials/],
  ['/oauth-return', /absolute URL/],
  ['not a url', /absolute URL/],
];

describe('redirect_uri', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  for (const route of ['/session/token/create', '/link/token/create'] as const) {
    describe(route, () => {
      for (const uri of ACCEPTED)
        it(`accepts ${uri}`, async () => {
          assert.equal((await creators(emulator)[route](uri)).status, 200);
        });
      for (const [uri, message] of REFUSED)
        it(`answers INVALID_FIELD to ${uri}`, async () => {
          const { status, body } = await plaidFailure(creators(emulator)[route](uri));
          assert.equal(status, 400);
          assert.deepEqual(validate('PlaidError', body), []);
          assert.deepEqual([body.error_type, body.error_code], ['INVALID_REQUEST', 'INVALID_FIELD']);
          assert.match(String(body.error_message), /^redirect_uri /);
          assert.match(String(body.error_message), message);
        });
    });
  }

  it('keeps the redirect_uri a token was created with, for the OAuth return', async () => {
    const linkToken = await emulator.linkToken({ redirectUri: 'https://partner.example/oauth-return' });
    const { session, verified } = await (async () => {
      const start = await emulator.post('/emulator/link/sessions', { link_token: linkToken });
      const id = String(start.body.link_session_id);
      await emulator.post(`/emulator/link/sessions/${id}/submit`, { phone_number: '+14155550031' });
      await emulator.post(`/emulator/link/sessions/${id}/open`, {});
      const verify = await emulator.post(`/emulator/link/sessions/${id}/verify`, { code: '123456' });
      return { session: id, verified: verify.body as { profile: object; accounts: Array<{ id: string }> } };
    })();
    const share = await emulator.post(`/emulator/link/sessions/${session}/share`, {
      profile: verified.profile,
      account_ids: verified.accounts.map((account) => account.id),
    });
    assert.match(
      String(share.body.redirect_url),
      /^https:\/\/partner\.example\/oauth-return\?oauth_state_id=/,
    );
  });

  describe('with the Dashboard allow-list (redirectUris)', () => {
    let listed: RunningEmulator;
    before(async () => {
      listed = await startEmulator({
        redirectUris: ['https://partner.example/oauth-return', 'https://*.preview.partner.example/oauth'],
      });
    });
    after(() => listed.close());

    const cases: Array<[string, boolean]> = [
      ['https://partner.example/oauth-return', true],
      ['https://pr-42.preview.partner.example/oauth', true],
      ['https://partner.example/oauth-return/', false],
      ['https://partner.example/other', false],
      ['https://a.b.preview.partner.example/oauth', false],
      ['https://preview.partner.example/oauth', false],
      ['https://pr-42.preview.partner.example/oauth2', false],
    ];
    for (const [uri, allowed] of cases)
      it(`${allowed ? 'allows' : 'refuses'} ${uri}`, async () => {
        for (const create of Object.values(creators(listed))) {
          if (allowed) assert.equal((await create(uri)).status, 200);
          else {
            const { body } = await plaidFailure(create(uri));
            assert.equal(body.error_code, 'INVALID_FIELD');
            assert.match(String(body.error_message), /not among the allowed redirect URIs/);
          }
        }
      });

    it('rejects an allow-list entry that breaks the rules when the emulator is created', () => {
      for (const entry of [
        'https://partner.*.example/oauth',
        'https://*.*.example/oauth',
        'https://*.example/oauth?x=1',
        'http://partner.example/oauth',
      ])
        assert.throws(() => createPlaidEmulator({ redirectUris: [entry] }), TypeError, entry);
    });
  });
});
