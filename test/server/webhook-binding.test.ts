/**
 * Binding a public token to the visitor whose Link session made it, while Plaid delivers webhooks
 * late, twice or out of order. SESSION_FINISHED names the Link token behind each public token; the
 * session handle carries its hash. With `requireWebhookBinding`, `/session` waits for that webhook
 * before exchanging; the webhook handler stays idempotent whatever the order of deliveries.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { http, HttpResponse } from 'msw';

import { createMemoryStore, type KeyValueStore } from '../../server/index.js';
import { recordLinkTokens } from './support/handlers.js';
import { PLAID_BASE, PUBLIC_TOKEN, SESSION_GET_RESPONSE } from './support/plaid-fixtures.js';
import { TestBrowser, assertError, createTestApi, socketEnv, useMockPlaid } from './support/test-api.js';
import { webhookBody } from './support/webhook-signer.js';

const { server, signer } = await useMockPlaid();

/** Counts `/user_account/session/get` calls: a refused exchange never reaches Plaid. */
function countExchanges() {
  const calls: unknown[] = [];
  server.use(
    http.post(`${PLAID_BASE}/user_account/session/get`, async ({ request }) => {
      calls.push(await request.json());
      return HttpResponse.json(SESSION_GET_RESPONSE);
    }),
  );
  return calls;
}

/** A memory store that records when `/session` looks for a public token's source. */
function watchedStore(): { store: KeyValueStore; sourceReads: number[] } {
  const inner = createMemoryStore();
  const sourceReads: number[] = [];
  return {
    sourceReads,
    store: {
      ...inner,
      get: (key) => {
        if (key.startsWith('source:')) sourceReads.push(performance.now());
        return inner.get(key);
      },
    },
  };
}

/** Resolves once `condition()` holds; fails after a generous limit (busy machines are slow). */
async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface SessionFinishedOptions {
  linkSessionId?: string;
  /** Seconds; now by default. */
  iat?: number;
  /** Extra fields, to make another body of the same event. */
  extra?: Record<string, unknown>;
  /** Serialise without indentation (another body of the same event). */
  compact?: boolean;
  /** The socket address it comes from (none by default). */
  address?: string;
}

/** Delivers a signed SESSION_FINISHED naming `publicToken` as Link's result for `linkToken`. */
async function sessionFinished(
  app: TestBrowser['app'],
  linkToken: string,
  publicToken: string,
  { linkSessionId = randomUUID(), iat, extra = {}, compact = false, address }: SessionFinishedOptions = {},
) {
  const webhook = {
    webhook_type: 'LINK',
    webhook_code: 'SESSION_FINISHED',
    status: 'SUCCESS',
    link_session_id: linkSessionId,
    link_token: linkToken,
    public_tokens: [publicToken],
    environment: 'sandbox',
    ...extra,
  };
  const body = compact ? JSON.stringify(webhook) : webhookBody(webhook);
  const response = await app.request(
    '/webhook',
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Plaid-Verification': await signer.sign(body, iat === undefined ? {} : { iat }),
      },
      body,
    },
    address === undefined ? undefined : socketEnv(address),
  );
  assert.equal(response.status, 200, 'the webhook is acknowledged');
  return response;
}

async function authenticationPassed(app: TestBrowser['app'], linkToken: string, linkSessionId: string) {
  const body = webhookBody({
    webhook_type: 'LAYER',
    webhook_code: 'LAYER_AUTHENTICATION_PASSED',
    environment: 'sandbox',
    link_session_id: linkSessionId,
    link_token: linkToken,
  });
  const response = await app.request('/webhook', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await signer.sign(body) },
    body,
  });
  assert.equal(response.status, 200);
}

async function browserWithHandle(app: TestBrowser['app']) {
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  return browser;
}

// ── requireWebhookBinding: waiting for a late SESSION_FINISHED ──────────────────────────────────

test('a leaked public token presented before SESSION_FINISHED arrives: 403 WRONG_SESSION once it does, Plaid not asked', async () => {
  const links = recordLinkTokens(server);
  const calls = countExchanges();
  const { store, sourceReads } = watchedStore();
  const { app, sessions } = createTestApi({ store, requireWebhookBinding: { waitMs: 15_000 } });
  const victim = await browserWithHandle(app);
  const attacker = await browserWithHandle(app);
  const [victimLinkToken] = links.tokens as [string];

  const stolen = attacker.exchange(PUBLIC_TOKEN);
  await until(() => sourceReads.length >= 2, 'the exchange to wait for the webhook');
  await sessionFinished(app, victimLinkToken, PUBLIC_TOKEN);
  await assertError(await stolen, 'WRONG_SESSION');
  assert.equal(calls.length, 0);
  assert.equal(sessions.length, 0);

  assert.equal((await victim.exchange(PUBLIC_TOKEN)).status, 200, 'the rightful visitor is not locked out');
  assert.equal(sessions.length, 1);
});

test('the rightful visitor’s exchange waits for the late webhook, then succeeds', async () => {
  const links = recordLinkTokens(server);
  const calls = countExchanges();
  const { store, sourceReads } = watchedStore();
  const { app } = createTestApi({ store, requireWebhookBinding: { waitMs: 15_000 } });
  const visitor = await browserWithHandle(app);

  const exchange = visitor.exchange(PUBLIC_TOKEN);
  await until(() => sourceReads.length >= 2, 'the exchange to wait for the webhook');
  assert.equal(calls.length, 0, 'Plaid is not asked before the webhook');
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN);
  assert.equal((await exchange).status, 200);
  assert.equal(calls.length, 1);
});

test('a waiting request holds no claim: the owner succeeds while a thief’s request still waits', async () => {
  const links = recordLinkTokens(server);
  const { store, sourceReads } = watchedStore();
  const { app } = createTestApi({ store, requireWebhookBinding: { waitMs: 15_000 } });
  const owner = await browserWithHandle(app);
  const thief = await browserWithHandle(app);
  const stolen = thief.exchange(PUBLIC_TOKEN);
  const rightful = owner.exchange(PUBLIC_TOKEN);
  await until(() => sourceReads.length >= 4, 'both exchanges to wait');
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN);
  assert.equal((await rightful).status, 200);
  await assertError(await stolen, 'WRONG_SESSION');
});

test('when SESSION_FINISHED never comes: 503 SESSION_NOT_CONFIRMED with Retry-After, nothing claimed, a later retry succeeds', async () => {
  const links = recordLinkTokens(server);
  const calls = countExchanges();
  const { app, logs } = createTestApi({ requireWebhookBinding: { waitMs: 300 } });
  const visitor = await browserWithHandle(app);
  const started = performance.now();
  const refused = await visitor.exchange(PUBLIC_TOKEN);
  assert.ok(performance.now() - started >= 290, 'it waited waitMs');
  await assertError(refused, 'SESSION_NOT_CONFIRMED');
  assert.equal(refused.headers.get('Retry-After'), '5');
  assert.match(
    logs.at(-1) ?? '',
    /code=SESSION_NOT_CONFIRMED webhook="no SESSION_FINISHED within 300ms" hint=/,
  );
  assert.equal(calls.length, 0);

  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN);
  assert.equal((await visitor.exchange(PUBLIC_TOKEN)).status, 200);
});

test("with onTimeout: 'proceed', the exchange goes ahead unbound after the wait", async () => {
  const calls = countExchanges();
  const { app } = createTestApi({ requireWebhookBinding: { waitMs: 200, onTimeout: 'proceed' } });
  assert.equal((await (await browserWithHandle(app)).exchange(PUBLIC_TOKEN)).status, 200);
  assert.equal(calls.length, 1);
});

test('the wait reads the store with growing pauses, not in a busy loop', async () => {
  const { store, sourceReads } = watchedStore();
  const { app } = createTestApi({ store, requireWebhookBinding: { waitMs: 2000 } });
  await assertError(await (await browserWithHandle(app)).exchange(PUBLIC_TOKEN), 'SESSION_NOT_CONFIRMED');
  // One look, then after 25, 50, 100, 200, 400 ms and every 500 ms: about ten reads in two
  // seconds (a fixed 25 ms pause would make eighty).
  assert.ok(sourceReads.length >= 3 && sourceReads.length <= 14, `${sourceReads.length} reads`);
  const pauses = sourceReads.slice(1, -1).map((at, i) => at - sourceReads[i]!);
  assert.ok(
    pauses.every((pause) => pause >= 20),
    `pauses: ${pauses.map(Math.round).join(', ')}`,
  );
});

test('a public token already exchanged is answered 409 at once, without waiting', async () => {
  const store = createMemoryStore();
  const first = createTestApi({ store });
  assert.equal((await (await browserWithHandle(first.app)).exchange(PUBLIC_TOKEN)).status, 200);
  const waiting = createTestApi({ store, requireWebhookBinding: { waitMs: 15_000 } });
  const started = performance.now();
  await assertError(
    await (await browserWithHandle(waiting.app)).exchange(PUBLIC_TOKEN),
    'PUBLIC_TOKEN_ALREADY_USED',
  );
  assert.ok(performance.now() - started < 10_000, 'answered without the 15 s wait');
});

test('without requireWebhookBinding nothing waits: an exchange before the webhook goes ahead, a late webhook changes nothing', async () => {
  const links = recordLinkTokens(server);
  const calls = countExchanges();
  const { app } = createTestApi();
  const visitor = await browserWithHandle(app);
  const other = await browserWithHandle(app);
  assert.equal((await visitor.exchange(PUBLIC_TOKEN)).status, 200);
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN);
  await assertError(await other.exchange(PUBLIC_TOKEN), 'WRONG_SESSION');
  await assertError(await visitor.exchange(PUBLIC_TOKEN), 'PUBLIC_TOKEN_ALREADY_USED');
  assert.equal(calls.length, 1);
});

test('the attack of the review: a flood of made-up key ids first cannot switch the binding off; the leaked token is refused, its owner exchanges it', async () => {
  const links = recordLinkTokens(server);
  const calls = countExchanges();
  const { app } = createTestApi();
  const owner = await browserWithHandle(app);
  const thief = await browserWithHandle(app);
  // 25 webhooks naming made-up key ids from one address: once 20 a minute switched off key look-ups
  // for everyone, so Plaid's SESSION_FINISHED was refused and nothing was bound. (Floods from many
  // addresses before Plaid's first delivery are the limit SECURITY.md states: webhook-keys.test.ts.)
  for (let index = 0; index < 25; index++) {
    const body = webhookBody({ webhook_type: 'LINK', webhook_code: 'SESSION_FINISHED', link_token: 'x' });
    const response = await app.request(
      '/webhook',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Plaid-Verification': await signer.sign(body, { kid: randomUUID() }),
        },
        body,
      },
      socketEnv('203.0.113.66'),
    );
    assert.equal(response.status, 401);
  }
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN, { address: '52.21.26.131' });
  await assertError(await thief.exchange(PUBLIC_TOKEN), 'WRONG_SESSION');
  assert.equal(calls.length, 0, 'Plaid was not asked for the thief');
  assert.equal((await owner.exchange(PUBLIC_TOKEN)).status, 200);
});

// ── idempotent webhooks: duplicates, other bodies, any order ─────────────────────────────────────

test('the same SESSION_FINISHED twice (same body, another iat) is handed on once and binds once', async () => {
  const links = recordLinkTokens(server);
  const { app, webhooks } = createTestApi();
  const owner = await browserWithHandle(app);
  const thief = await browserWithHandle(app);
  const linkSessionId = randomUUID();
  const body = webhookBody({
    webhook_type: 'LINK',
    webhook_code: 'SESSION_FINISHED',
    status: 'SUCCESS',
    link_session_id: linkSessionId,
    link_token: links.tokens[0],
    public_tokens: [PUBLIC_TOKEN],
    environment: 'sandbox',
  });
  for (const iat of [Math.floor(Date.now() / 1000) - 120, Math.floor(Date.now() / 1000)]) {
    const res = await app.request('/webhook', {
      method: 'POST',
      headers: { 'Plaid-Verification': await signer.sign(body, { iat }) },
      body,
    });
    assert.equal(res.status, 200);
  }
  assert.equal(webhooks.length, 1);
  await assertError(await thief.exchange(PUBLIC_TOKEN), 'WRONG_SESSION');
  assert.equal((await owner.exchange(PUBLIC_TOKEN)).status, 200);
});

test('the same event in another body (re-serialised, a field added) is handed on once; the first binding stands', async () => {
  const links = recordLinkTokens(server);
  const { app, webhooks } = createTestApi();
  const owner = await browserWithHandle(app);
  const other = await browserWithHandle(app);
  const linkSessionId = randomUUID();
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN, { linkSessionId });
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN, { linkSessionId, compact: true });
  await sessionFinished(app, links.tokens[1]!, PUBLIC_TOKEN, {
    linkSessionId,
    extra: { session_group_id: 'group-1' },
  });
  assert.equal(webhooks.length, 1);
  assert.equal(webhooks[0]?.link_token, links.tokens[0]);
  await assertError(await other.exchange(PUBLIC_TOKEN), 'WRONG_SESSION');
  assert.equal((await owner.exchange(PUBLIC_TOKEN)).status, 200);
});

test('LAYER_AUTHENTICATION_PASSED after SESSION_FINISHED: each handed on once, in arrival order; the binding holds', async () => {
  const links = recordLinkTokens(server);
  const { app, webhooks } = createTestApi();
  const owner = await browserWithHandle(app);
  const thief = await browserWithHandle(app);
  const linkSessionId = randomUUID();
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN, { linkSessionId });
  await authenticationPassed(app, links.tokens[0]!, linkSessionId);
  await authenticationPassed(app, links.tokens[0]!, linkSessionId);
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN, { linkSessionId });
  assert.deepEqual(
    webhooks.map((webhook) => webhook.webhook_code),
    ['SESSION_FINISHED', 'LAYER_AUTHENTICATION_PASSED'],
  );
  await assertError(await thief.exchange(PUBLIC_TOKEN), 'WRONG_SESSION');
  assert.equal((await owner.exchange(PUBLIC_TOKEN)).status, 200);
});

test('a SESSION_FINISHED with several public tokens binds each of them', async () => {
  const links = recordLinkTokens(server);
  const { app } = createTestApi();
  await browserWithHandle(app);
  const thief = await browserWithHandle(app);
  const second = `${PUBLIC_TOKEN}-2`;
  await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN, {
    extra: { public_tokens: [PUBLIC_TOKEN, second], public_token: second },
  });
  await assertError(await thief.exchange(second), 'WRONG_SESSION');
  await assertError(await thief.exchange(PUBLIC_TOKEN), 'WRONG_SESSION');
});
