// When Redis fails: stopped, or paused (SIGSTOP) with its connections open. The API answers 503
// STORE_UNAVAILABLE in the error shape within the store's command deadline — never a hang, never
// a crash (no unhandled rejection, no unhandled 'error' event) — and serves again once Redis is
// back, through the same store and connection.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import { createRedisStore } from '../../server/redis-store.js';
import { useRedis } from '../support/redis.js';
import { recordLinkTokens } from './support/handlers.js';
import { PUBLIC_TOKEN } from './support/plaid-fixtures.js';
import { TestBrowser, assertError, createTestApi, useMockPlaid } from './support/test-api.js';
import { webhookBody } from './support/webhook-signer.js';

const { server, signer } = await useMockPlaid();
const redis = useRedis();

/** Short, so each failure is quick; the bound asserted below is far wider, for busy machines. */
const COMMAND_TIMEOUT_MS = 400;
/** A refusal must come this soon: the deadline plus room for a slow machine, but no hang. */
const ANSWER_WITHIN_MS = 10_000;
/** How long Redis may take to be used again after it is back (reconnect backoff is at most ~2 s). */
const RECOVERY_LIMIT_MS = 30_000;

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
afterEach(async () => {
  // Whatever a test did to it, the next one starts with Redis up.
  redis.resume();
  await redis.start();
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

/**
 * A store on the test's Redis and an API over it, with what the store logged. Instances given the
 * same `prefix` share their keys, as several instances of one API do.
 */
function apiOnRedis(
  overrides: Parameters<typeof createTestApi>[0] = {},
  prefix = `faults-${crypto.randomUUID()}:`,
) {
  const storeLog: string[] = [];
  const store = createRedisStore({
    url: redis.url,
    prefix,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    logger: (line) => storeLog.push(line),
  });
  return { store, storeLog, ...createTestApi({ store, ...overrides }) };
}

/** The response and how long it took. */
async function timed(request: Promise<Response>): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await request;
  return { response, ms: performance.now() - started };
}

async function assertUnavailable(request: Promise<Response>, what: string): Promise<void> {
  const { response, ms } = await timed(request);
  assert.ok(ms < ANSWER_WITHIN_MS, `${what}: answered in ${Math.round(ms)} ms`);
  await assertError(response, 'STORE_UNAVAILABLE', what);
  assert.equal(response.headers.get('Retry-After'), '5');
}

/** Repeats `attempt` until it answers 200; fails after RECOVERY_LIMIT_MS. */
async function until200(attempt: () => Promise<Response>, what: string): Promise<Response> {
  const limit = Date.now() + RECOVERY_LIMIT_MS;
  for (;;) {
    const response = await attempt();
    if (response.status === 200) return response;
    assert.ok(
      Date.now() < limit,
      `${what}: still ${response.status} ${RECOVERY_LIMIT_MS} ms after Redis came back`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once `store` answers again; fails after RECOVERY_LIMIT_MS. */
async function untilAnswers(store: { get(key: string): Promise<unknown> }): Promise<void> {
  const limit = Date.now() + RECOVERY_LIMIT_MS;
  for (;;) {
    try {
      await store.get('probe');
      return;
    } catch (error) {
      assert.ok(
        Date.now() < limit,
        `the store still fails ${RECOVERY_LIMIT_MS} ms after Redis came back: ${error}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function postWebhook(app: TestBrowser['app'], body: string, verification: string) {
  return app.request('/webhook', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Plaid-Verification': verification },
    body,
  });
}

test('Redis stopped: 503 STORE_UNAVAILABLE in bounded time, logged once; served again once it is back', async () => {
  const { store, storeLog, app, logs } = apiOnRedis();
  try {
    const browser = new TestBrowser(app);
    assert.equal((await browser.linkToken()).status, 200, 'while Redis is up');

    await redis.stop();
    await assertUnavailable(browser.linkToken(), '/link-token');
    await assertUnavailable(browser.exchange(PUBLIC_TOKEN), '/session');
    assert.match(
      logs.at(-1)!,
      new RegExp(`code=STORE_UNAVAILABLE store="redis: .+" hint="check that Redis at ${redis.url} is up`),
    );

    // Once the outage has lasted longer than a command's deadline, requests no longer wait for it.
    const limit = Date.now() + RECOVERY_LIMIT_MS;
    while (!/store="redis: unreachable for \d+ ms \(/.test(logs.at(-1)!)) {
      assert.ok(Date.now() < limit, `never failed fast: ${logs.at(-1)}`);
      await assertUnavailable(browser.linkToken(), '/link-token, later');
    }

    // A restarted Redis has lost its data and its scripts (EVALSHA → NOSCRIPT → EVAL).
    await redis.start();
    await until200(() => browser.linkToken(), '/link-token');
    assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200);
    assert.deepEqual(
      storeLog.map((line) => line.replace(/\(.*\)/, '(…)')),
      [
        `layer-onboarding: Redis at ${redis.url} is unreachable (…); retrying`,
        `layer-onboarding: Redis at ${redis.url} is reachable again`,
      ],
      'one line when it went, one when it came back: not one per retry',
    );
  } finally {
    await store.close();
  }
});

test('a store logger that throws leaves the outage a 503 and the recovery a 200, and crashes nothing', async (t) => {
  const said: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => said.push(args.map(String).join(' ')));
  const told: string[] = [];
  const store = createRedisStore({
    url: redis.url,
    prefix: `faults-${crypto.randomUUID()}:`,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    logger: (line) => {
      told.push(line);
      throw new Error('pino transport closed');
    },
  });
  const { app } = createTestApi({ store });
  try {
    const browser = new TestBrowser(app);
    assert.equal((await browser.linkToken()).status, 200, 'while Redis is up');
    await redis.stop();
    await assertUnavailable(browser.linkToken(), '/link-token');
    await redis.start();
    await until200(() => browser.linkToken(), '/link-token');
    assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200);
    assert.equal(told.length, 2, 'told when Redis went and when it came back');
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.match(said[0]!, /layer-onboarding: the logger option failed \(Error\)/);
  } finally {
    await store.close();
  }
});

test('Redis paused (connections open, no answers): 503 in bounded time, not a hang; served again on resume', async () => {
  const { store, app } = apiOnRedis();
  try {
    const browser = new TestBrowser(app);
    assert.equal((await browser.linkToken()).status, 200);

    redis.pause();
    const { response, ms } = await timed(browser.linkToken());
    await assertError(response, 'STORE_UNAVAILABLE');
    assert.ok(
      ms >= COMMAND_TIMEOUT_MS - 5 && ms < ANSWER_WITHIN_MS,
      `it waited for the deadline (${Math.round(ms)} ms)`,
    );
    // Many requests at once while paused: each still gets its answer.
    const all = await Promise.all(Array.from({ length: 20 }, () => timed(browser.linkToken())));
    for (const { response: each, ms: took } of all) {
      await assertError(each, 'STORE_UNAVAILABLE');
      assert.ok(took < ANSWER_WITHIN_MS);
    }

    redis.resume();
    await until200(() => browser.linkToken(), '/link-token');
  } finally {
    await store.close();
  }
});

test('an add that missed its deadline but reached Redis later is undone: the claim is free again', async () => {
  const store = createRedisStore({
    url: redis.url,
    prefix: `faults-${crypto.randomUUID()}:`,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    logger: false,
  });
  try {
    assert.equal(await store.get('warm-up'), undefined, 'connected');
    redis.pause();
    await assert.rejects(store.add('public:claim', 'pending', 600_000), { name: 'StoreUnavailableError' });
    redis.resume();
    // The SET NX lands once Redis resumes; left standing, the retry would be refused for 10 minutes.
    const limit = Date.now() + RECOVERY_LIMIT_MS;
    while (!(await store.add('public:claim', 'retry', 600_000))) {
      assert.ok(Date.now() < limit, 'the late claim was never undone');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await store.get('public:claim'), 'retry');
  } finally {
    await store.close();
  }
});

test('a webhook while Redis is down is answered 503, so Plaid retries it; the retry is handled, once', async () => {
  const links = recordLinkTokens(server);
  const { store, app, webhooks } = apiOnRedis();
  try {
    const browser = new TestBrowser(app);
    assert.equal((await browser.linkToken()).status, 200);
    const body = webhookBody({
      webhook_type: 'LINK',
      webhook_code: 'SESSION_FINISHED',
      status: 'SUCCESS',
      link_session_id: crypto.randomUUID(),
      link_token: links.tokens[0],
      public_tokens: [PUBLIC_TOKEN],
      environment: 'sandbox',
    });
    const verification = await signer.sign(body);

    await redis.stop();
    await assertUnavailable(postWebhook(app, body, verification), 'the webhook');
    assert.equal(webhooks.length, 0, 'not handed on');

    await redis.start();
    await until200(() => postWebhook(app, body, verification), 'the retried webhook');
    assert.equal((await postWebhook(app, body, verification)).status, 200, 'a duplicate is acknowledged');
    assert.equal(webhooks.length, 1, 'handed to onWebhook once');
  } finally {
    await store.close();
  }
});

test('Redis lost right after onWebhook returned: acknowledged, and no instance hands the event on again', async () => {
  // The review's defect: the 503 made Plaid resend an event already handed on, and with the claim
  // gone (Redis restarted empty, or down past its 10 minutes) the resend reached onWebhook again.
  const prefix = `faults-${crypto.randomUUID()}:`;
  let loseRedis = true;
  const handledByA: unknown[] = [];
  const instanceA = apiOnRedis(
    {
      onWebhook: async (webhook) => {
        handledByA.push(webhook);
        if (loseRedis) {
          loseRedis = false;
          await redis.stop();
        }
      },
    },
    prefix,
  );
  const instanceB = apiOnRedis({}, prefix);
  try {
    const event = () =>
      webhookBody({
        webhook_type: 'LAYER',
        webhook_code: 'LAYER_AUTHENTICATION_PASSED',
        environment: 'sandbox',
        link_session_id: crypto.randomUUID(),
        link_token: `link-sandbox-${crypto.randomUUID()}`,
      });
    const body = event();
    const first = await postWebhook(instanceA.app, body, await signer.sign(body));

    await redis.start();
    const resent = await postWebhook(instanceA.app, body, await signer.sign(body));
    assert.equal(handledByA.length, 1, 'onWebhook is called once');
    assert.equal(first.status, 200, 'onWebhook has it: a non-200 would make Plaid resend it');
    assert.equal(resent.status, 200);

    // Instance A's next webhook, once Redis answers again, records the event there for the others.
    await untilAnswers(instanceA.store);
    const next = event();
    await until200(async () => postWebhook(instanceA.app, next, await signer.sign(next)), 'the next webhook');
    // B has its own connection, which reconnects on its own time: until it does, B answers 503.
    await untilAnswers(instanceB.store);
    const elsewhere = await postWebhook(instanceB.app, body, await signer.sign(body));
    assert.equal(elsewhere.status, 200);
    assert.deepEqual(instanceB.webhooks, [], 'instance B does not hand on what A handled');
  } finally {
    await instanceA.store.close();
    await instanceB.store.close();
  }
});

test('close() ends at once while Redis is down, and a closed store answers 503, not a hang', async () => {
  const { store, app } = apiOnRedis();
  await redis.stop();
  const { ms } = await timed(store.close().then(() => new Response()));
  assert.ok(ms < ANSWER_WITHIN_MS, `closed in ${Math.round(ms)} ms`);
  await assertUnavailable(new TestBrowser(app).linkToken(), 'after close');
});
