/**
 * A partner's `logger` that fails (a closed pino transport, a logger that chokes on its input, an
 * async logger that rejects) never changes an answer: the request already succeeded against Plaid.
 * The failure is said once, on console.error, with no secret in it; no unhandled rejection.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test, type TestContext } from 'node:test';

import { PUBLIC_TOKEN } from './support/plaid-fixtures.js';
import { SESSION_SECRET, TestBrowser, createTestApi, useMockPlaid } from './support/test-api.js';
import { webhookBody } from './support/webhook-signer.js';

const { signer } = await useMockPlaid();

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => process.off('unhandledRejection', onUnhandled));

/** What the logger's own error says: a secret a careless transport might put in its message. */
const SECRET_IN_ERROR = `transport closed (token ${SESSION_SECRET})`;

function consoleErrors(t: TestContext): string[] {
  const said: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => said.push(args.map(String).join(' ')));
  return said;
}

async function waitFor(condition: () => boolean, limitMs = 30_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const loggers = {
  throws: () => {
    throw new Error(SECRET_IN_ERROR);
  },
  'throws a non-Error': () => {
    throw SECRET_IN_ERROR;
  },
  rejects: () => Promise.reject(new TypeError(SECRET_IN_ERROR)),
};

for (const [name, logger] of Object.entries(loggers)) {
  test(`a logger that ${name} leaves /link-token, /session and /webhook answering 200, and is reported once`, async (t) => {
    const said = consoleErrors(t);
    let calls = 0;
    const { app, sessions, webhooks } = createTestApi({
      logger: () => {
        calls += 1;
        return logger() as unknown as void;
      },
    });
    const browser = new TestBrowser(app);
    const token = await browser.linkToken();
    assert.equal(token.status, 200, await token.clone().text());
    const session = await browser.exchange(PUBLIC_TOKEN);
    assert.equal(session.status, 200, await session.clone().text());
    assert.equal(sessions.length, 1);
    const body = webhookBody({
      webhook_type: 'LAYER',
      webhook_code: 'LAYER_AUTHENTICATION_PASSED',
      environment: 'sandbox',
      link_session_id: randomUUID(),
      link_token: `link-sandbox-${randomUUID()}`,
    });
    const webhook = await app.request('/webhook', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await signer.sign(body) },
      body,
    });
    assert.equal(webhook.status, 200, await webhook.clone().text());
    assert.deepEqual(await webhook.json(), { received: true });
    assert.equal(webhooks.length, 1);
    assert.equal(calls, 3, 'the logger is still called for every request');

    // Reported once (an async logger's rejection is reported when it comes), with no secret.
    await waitFor(() => said.length > 0);
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.match(said[0]!, /layer-onboarding: the logger option failed/);
    assert.ok(!said[0]!.includes(SESSION_SECRET), said[0]);
    assert.deepEqual(unhandled, []);
  });
}

test('a refused request still gets its 4xx when the logger throws', async (t) => {
  consoleErrors(t);
  const { app } = createTestApi({ logger: loggers.throws });
  const res = await new TestBrowser(app, 'https://shop.evil.example').linkToken();
  assert.equal(res.status, 403);
});
