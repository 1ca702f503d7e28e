/**
 * The emulator under hostile or careless input: bodies keyed `__proto__`, `constructor` or
 * `toString` get Plaid's 400s (never a 500 or an Object.prototype member mistaken for a field);
 * bodies past 64 KB are refused without being read to the end; state stays bounded over thousands
 * of flows; and another site cannot install faults through a developer's browser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  createPlaidEmulator,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  MAX_BODY_BYTES,
  type PlaidEmulator,
  type PlaidEmulatorOptions,
} from '../../emulator/index.js';
import { startEmulator, type JsonBody, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';

/** Keys that name Object.prototype members, raw: JSON.stringify would drop a `__proto__` key. */
const PROTOTYPE_KEYS =
  '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":"x"';

/** Raw JSON: `{...valid, <prototype keys>}`. */
const withPrototypeKeys = (valid: object) => {
  const json = JSON.stringify(valid);
  return json === '{}' ? `{${PROTOTYPE_KEYS}}` : `${json.slice(0, -1)},${PROTOTYPE_KEYS}}`;
};

describe('hardening', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ webhookDelivery: { delayMs: 0, duplicateRate: 0 } });
  });
  after(() => emulator.close());

  describe('prototype-named keys', () => {
    const API: Array<[string, object]> = [
      ['/session/token/create', { template_id: EMULATOR_TEMPLATE_ID, user: { client_user_id: 'u' } }],
      [
        '/link/token/create',
        { client_name: 'x', language: 'en', country_codes: ['US'], user: { client_user_id: 'u' } },
      ],
      ['/user_account/session/get', { public_token: 'public-sandbox-x' }],
      [
        '/user_account/session/event/send',
        { link_session_id: 'x', event: { name: 'x', timestamp: '2026-11-25T12:00:00Z' } },
      ],
      ['/webhook_verification_key/get', { key_id: 'x' }],
      ['/network/status/get', { user: { phone_number: '+14155550011' } }],
    ];

    for (const [route, valid] of API)
      it(`${route} answers UNKNOWN_FIELDS naming them`, async () => {
        const { status, body } = await emulator.post(route, withPrototypeKeys(valid), {
          'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID,
          'PLAID-SECRET': EMULATOR_SECRET,
        });
        assert.equal(status, 400, JSON.stringify(body));
        assert.deepEqual(validate('PlaidError', body), []);
        assert.equal(body.error_code, 'UNKNOWN_FIELDS');
        assert.match(String(body.error_message), /__proto__, constructor, toString$/);
        assert.equal(({} as JsonBody).polluted, undefined);
      });

    it('nested in a known field too', async () => {
      const { status, body } = await emulator.post(
        '/session/token/create',
        `{"template_id":"${EMULATOR_TEMPLATE_ID}","user":{"client_user_id":"u",${PROTOTYPE_KEYS}}}`,
        { 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID, 'PLAID-SECRET': EMULATOR_SECRET },
      );
      assert.deepEqual([status, body.error_code], [400, 'UNKNOWN_FIELDS']);
      assert.match(String(body.error_message), /user\.__proto__, user\.constructor, user\.toString$/);
    });

    it('the emulator routes answer a 4xx, never a 500, and take no member of Object.prototype for a value', async () => {
      const linkToken = await emulator.linkToken();
      const start = await emulator.post(
        '/emulator/link/sessions',
        withPrototypeKeys({ link_token: linkToken }),
      );
      // Unknown keys are ignored here (the Link iframe is the only caller); the session starts.
      assert.equal(start.status, 200, JSON.stringify(start.body));
      const id = String(start.body.link_session_id);
      const routes: Array<[string, object]> = [
        ['/emulator/link/sessions', {}],
        [`/emulator/link/sessions/${id}/submit`, {}],
        [`/emulator/link/sessions/${id}/verify`, {}],
        [`/emulator/link/sessions/${id}/share`, {}],
        [`/emulator/link/sessions/${id}/open`, {}],
        [`/emulator/link/sessions/${id}/resume`, {}],
        ['/emulator/faults', {}],
        ['/emulator/tokens/expire', {}],
        ['/emulator/sessions/complete', {}],
      ];
      for (const [route, valid] of routes) {
        const { status, body } = await emulator.post(route, withPrototypeKeys(valid));
        assert.ok(status >= 400 && status < 500, `${route}: ${status} ${JSON.stringify(body)}`);
        assert.match(String(body.error_code), /^[A-Z_]+$/, route);
      }
      // `profile.constructor` is not a profile field: a share with only prototype keys shares nothing odd.
      const share = await emulator.post(
        `/emulator/link/sessions/${id}/share`,
        `{"account_ids":[],"profile":{${PROTOTYPE_KEYS}}}`,
      );
      assert.equal(share.status, 400);
      assert.doesNotMatch(String(share.body.error_message), /function|prototype/);
    });

    it('a fault whose errorType names an Object.prototype member gets a plain documentation_url', async () => {
      await emulator.post('/emulator/faults', {
        route: '/network/status/get',
        errorCode: 'SOME_ERROR',
        errorType: 'toString',
        status: 400,
      });
      const { body } = await emulator.post(
        '/network/status/get',
        { user: { phone_number: '+14155550011' } },
        { 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID, 'PLAID-SECRET': EMULATOR_SECRET },
      );
      assert.equal(body.documentation_url, 'https://plaid.com/docs/errors/#some_error');
    });
  });

  describe(`bodies past ${MAX_BODY_BYTES / 1024} KB`, () => {
    const big = JSON.stringify({ padding: 'x'.repeat(MAX_BODY_BYTES) });
    for (const route of ['/session/token/create', '/emulator/link/sessions', '/emulator/faults'])
      it(`${route} answers 413 INVALID_BODY`, async () => {
        const { status, body } = await emulator.post(route, big, {
          'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID,
          'PLAID-SECRET': EMULATOR_SECRET,
        });
        assert.deepEqual(
          [status, body.error_type, body.error_code],
          [413, 'INVALID_REQUEST', 'INVALID_BODY'],
        );
        assert.match(String(body.request_id), /^[A-Za-z0-9]{15}$/);
      });

    it('without a Content-Length, stops reading at the limit: an endless body is refused', async () => {
      let sent = 0;
      const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.length;
          // Far past the limit, but not forever: if the emulator read it all, the test still ends.
          if (sent > 64 * MAX_BODY_BYTES) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${emulator.base}/session/token/create`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: endless,
        duplex: 'half',
      } as RequestInit);
      assert.equal(response.status, 413);
      assert.ok(sent < 64 * MAX_BODY_BYTES, `the emulator read ${sent} bytes`);
    });

    it('takes a body just under the limit', async () => {
      const { status } = await emulator.post(
        '/session/token/create',
        JSON.stringify({
          template_id: EMULATOR_TEMPLATE_ID,
          user: { client_user_id: 'u'.repeat(MAX_BODY_BYTES - 200) },
        }),
        { 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID, 'PLAID-SECRET': EMULATOR_SECRET },
      );
      assert.equal(status, 200);
    });
  });

  describe('bounded state', () => {
    /** Runs `flows` whole Layer sessions in process, calling `tick` before each. */
    async function runFlows(app: PlaidEmulator, flows: number, tick: () => void = () => {}) {
      const post = async (path: string, body: unknown) =>
        (await (
          await app.request(path, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID,
              'PLAID-SECRET': EMULATOR_SECRET,
            },
            body: JSON.stringify(body),
          })
        ).json()) as JsonBody;
      for (let flow = 0; flow < flows; flow += 1) {
        tick();
        const { link } = await post('/session/token/create', {
          template_id: EMULATOR_TEMPLATE_ID,
          user: { client_user_id: `u${flow}` },
        });
        const done = await post('/emulator/sessions/complete', {
          link_token: (link as { link_token: string }).link_token,
          phone_number: '+14155550011',
        });
        assert.match(String(done.public_token), /^public-sandbox-/);
      }
    }

    it('forgets expired tokens and finished sessions as the clock moves on', async () => {
      let clock = Date.parse('2026-11-25T12:00:00.000Z');
      const app = createPlaidEmulator({ now: () => new Date(clock) });
      // A flow a minute for 1500 minutes: far past every lifetime.
      await runFlows(app, 1500, () => (clock += 60_000));
      const stats = app.stats();
      // Link tokens: 4 h + 1 h of grace = 300 flows' worth, plus at most a tidy interval behind.
      assert.ok(stats.linkTokens <= 300 + 60, JSON.stringify(stats));
      // Public tokens: 30 min + 1 h.
      assert.ok(stats.publicTokens <= 90 + 60, JSON.stringify(stats));
      // Finished sessions: 10 minutes.
      assert.ok(stats.linkSessions <= 10 + 60, JSON.stringify(stats));
      await app.close();
    });

    it('never holds more than stateLimit of anything, even with the clock standing still', async () => {
      const options: PlaidEmulatorOptions = {
        now: () => new Date('2026-11-25T12:00:00.000Z'),
        stateLimit: 50,
      };
      const app = createPlaidEmulator(options);
      await runFlows(app, 300);
      const { pendingWebhooks: _pending, webhookTimers: _timers, ...sizes } = app.stats();
      for (const [kind, size] of Object.entries(sizes)) assert.ok(size <= 50, `${kind}: ${size}`);
      await app.close();
    });
  });

  describe('the fault-injection routes, from a browser', () => {
    const listFaults = async () =>
      ((await (await fetch(`${emulator.base}/emulator/faults`)).json()) as { faults: unknown[] }).faults;
    const fault = JSON.stringify({ route: '/session/token/create', status: 500 });

    it('ignore a cross-site form post (text/plain, no preflight)', async () => {
      const response = await fetch(`${emulator.base}/emulator/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', Origin: 'https://evil.example' },
        body: fault,
      });
      assert.ok(response.status === 400 || response.status === 403, String(response.status));
      assert.deepEqual(await listFaults(), []);
      const sameSiteForm = await fetch(`${emulator.base}/emulator/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: fault,
      });
      assert.equal(sameSiteForm.status, 400);
      assert.deepEqual(await listFaults(), []);
    });

    it('refuse JSON from another origin, and a DELETE from one', async () => {
      const { status, body } = await emulator.post('/emulator/faults', JSON.parse(fault), {
        Origin: 'https://evil.example',
      });
      assert.deepEqual([status, body.error_code], [403, 'INVALID_HEADERS']);
      assert.deepEqual(await listFaults(), []);
      await emulator.post('/emulator/faults', JSON.parse(fault));
      const foreignDelete = await fetch(`${emulator.base}/emulator/faults`, {
        method: 'DELETE',
        headers: { Origin: 'https://evil.example' },
      });
      assert.equal(foreignDelete.status, 403);
      assert.equal((await listFaults()).length, 1);
      await fetch(`${emulator.base}/emulator/faults`, { method: 'DELETE' });
    });

    it('take JSON with no Origin (Node, curl) or the emulator’s own host', async () => {
      assert.equal((await emulator.post('/emulator/faults', JSON.parse(fault))).status, 200);
      const own = await emulator.post('/emulator/faults', JSON.parse(fault), {
        Origin: new URL(emulator.base).origin,
      });
      assert.equal(own.status, 200);
      // Behind a proxy that rewrites Host (a dev server proxying /plaid), X-Forwarded-Host names the page's.
      const proxied = await emulator.post('/emulator/faults', JSON.parse(fault), {
        Origin: 'http://localhost:5173',
        'X-Forwarded-Host': 'localhost:5173',
      });
      assert.equal(proxied.status, 200);
      assert.equal((await listFaults()).length, 3);
      await fetch(`${emulator.base}/emulator/faults`, { method: 'DELETE' });
      assert.deepEqual(await listFaults(), []);
    });
  });
});
