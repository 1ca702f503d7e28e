/**
 * How webhooks travel, as Plaid's do (LAYER.md §2): after a lag, sometimes twice, out of order,
 * retried on anything but a 200 or no answer within the timeout — bounded, and all of it cancelled
 * by `close()`. And the signing key's rotation: new webhooks verify with the new key, the retired one
 * still answers `/webhook_verification_key/get` with `expired_at` set.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

import {
  createPlaidEmulator,
  ROTATE_WEBHOOK_KEY_PATH,
  type PlaidEmulatorOptions,
  type WebhookFailure,
} from '../../emulator/index.js';
import { startEmulator, type JsonBody, type RunningEmulator } from './support/emulator-server.js';
import { listenForWebhooks, type ReceivedWebhook, type WebhookListener } from './support/webhook-listener.js';

const codeOf = (webhook: ReceivedWebhook) => String((JSON.parse(webhook.body) as JsonBody).webhook_code);
const signatureOf = (webhook: ReceivedWebhook) => String(webhook.headers['plaid-verification']);

/** Verifies a received webhook as LAYER.md §2.3 says, against `emulator`'s key endpoint. */
async function verifies(emulator: RunningEmulator, webhook: ReceivedWebhook): Promise<boolean> {
  const { kid } = decodeProtectedHeader(signatureOf(webhook));
  const { data } = await emulator.plaid.webhookVerificationKeyGet({ key_id: kid! });
  try {
    const { payload } = await jwtVerify(signatureOf(webhook), await importJWK(data.key as never, 'ES256'));
    return payload.request_body_sha256 === createHash('sha256').update(webhook.body).digest('hex');
  } catch {
    return false;
  }
}

/** An emulator delivering to `listener`, and a function running one whole session through it. */
async function setUp(listener: WebhookListener, options: PlaidEmulatorOptions) {
  const emulator = await startEmulator({ webhookUrl: listener.url, ...options });
  const run = async () => {
    const linkToken = await emulator.linkToken();
    // Before the request: both webhooks are raised after this instant.
    const raisedAt = performance.now();
    const { status, body } = await emulator.post('/emulator/sessions/complete', {
      link_token: linkToken,
      phone_number: '+14155550011',
    });
    assert.equal(status, 200, JSON.stringify(body));
    return { linkToken, raisedAt };
  };
  return { emulator, run };
}

/**
 * Retry waits scaled to ms; the timeout and the hold limit (LAYER_AUTHENTICATION_PASSED waits for
 * SESSION_FINISHED through its retries) kept generous, for a busy machine.
 */
const SCALED_RETRIES = {
  delayMs: 0,
  duplicateRate: 0,
  outOfOrder: true,
  holdLimitMs: 60_000_000,
  timeoutMs: 30_000_000,
  timeScale: 0.001,
};

describe('webhook delivery', () => {
  let listener: WebhookListener;
  before(async () => {
    listener = await listenForWebhooks();
  });
  after(() => listener.close());

  it('arrives after a lag of 100–500 ms by default, not at once', async () => {
    const { emulator, run } = await setUp(listener, { webhookDelivery: { duplicateRate: 0 } });
    try {
      const { linkToken, raisedAt } = await run();
      const webhooks = await listener.waitFor(linkToken, 2);
      // Each waited at least its lag after it was raised (timers may round by a millisecond or two).
      for (const webhook of webhooks) assert.ok(webhook.at - raisedAt >= 95, `${webhook.at - raisedAt} ms`);
    } finally {
      await emulator.close();
    }
  });

  it('can be delivered at once (delayMs: 0)', async () => {
    const { emulator, run } = await setUp(listener, { webhookDelivery: { delayMs: 0, duplicateRate: 0 } });
    try {
      const { linkToken } = await run();
      assert.equal((await listener.waitFor(linkToken, 2)).length, 2);
    } finally {
      await emulator.close();
    }
  });

  it('delivers some webhooks twice: same bytes, each copy signed and verifying', async () => {
    const { emulator, run } = await setUp(listener, {
      webhookDelivery: { delayMs: [0, 20], duplicateRate: 1 },
    });
    try {
      const { linkToken } = await run();
      const webhooks = await listener.waitFor(linkToken, 4);
      await emulator.emulator.webhooksIdle();
      assert.equal(listener.received.filter((webhook) => webhook.body.includes(linkToken)).length, 4);
      const byCode = (code: string) => webhooks.filter((webhook) => codeOf(webhook) === code);
      for (const code of ['LAYER_AUTHENTICATION_PASSED', 'SESSION_FINISHED']) {
        const [first, second] = byCode(code);
        assert.equal(first!.body, second!.body);
        assert.equal(await verifies(emulator, first!), true);
        assert.equal(await verifies(emulator, second!), true);
      }
    } finally {
      await emulator.close();
    }
  });

  it('the default duplicate rate sends a share of webhooks twice', async () => {
    let draws = 0;
    // Every fourth draw is under 0.1: a duplicate.
    const random = () => (draws++ % 4 === 0 ? 0.05 : 0.5);
    const { emulator, run } = await setUp(listener, { webhookDelivery: { delayMs: 0, random } });
    try {
      const { linkToken } = await run();
      await listener.waitFor(linkToken, 3);
      await emulator.emulator.webhooksIdle();
      assert.equal(listener.received.filter((webhook) => webhook.body.includes(linkToken)).length, 3);
    } finally {
      await emulator.close();
    }
  });

  it('can deliver LAYER_AUTHENTICATION_PASSED after SESSION_FINISHED (outOfOrder)', async () => {
    const { emulator, run } = await setUp(listener, {
      webhookDelivery: { delayMs: 0, duplicateRate: 0, outOfOrder: true },
    });
    try {
      const { linkToken } = await run();
      const webhooks = await listener.waitFor(linkToken, 2);
      assert.deepEqual(webhooks.map(codeOf), ['SESSION_FINISHED', 'LAYER_AUTHENTICATION_PASSED']);
    } finally {
      await emulator.close();
    }
  });

  it('retries anything but a 200 with growing waits, then succeeds', async () => {
    // 500, then 204 (not 200: Plaid retries it too), then 200.
    const flaky = await listenForWebhooks({ status: (index) => [500, 204][index] ?? 200 });
    const failures: WebhookFailure[] = [];
    const { emulator, run } = await setUp(flaky, {
      webhookDelivery: SCALED_RETRIES,
      onWebhookFailure: (failure) => failures.push(failure),
    });
    try {
      const { linkToken } = await run();
      // SESSION_FINISHED goes first (LAYER_AUTHENTICATION_PASSED waits for it): it meets both failures.
      const webhooks = await flaky.waitFor(linkToken, 4);
      assert.deepEqual(webhooks.map(codeOf), [
        'SESSION_FINISHED',
        'SESSION_FINISHED',
        'SESSION_FINISHED',
        'LAYER_AUTHENTICATION_PASSED',
      ]);
      assert.deepEqual(
        webhooks.map((webhook) => webhook.status),
        [500, 204, 200, 200],
      );
      assert.deepEqual(
        failures.map(({ webhook_code, reason, attempt, final }) => [webhook_code, reason, attempt, final]),
        [
          ['SESSION_FINISHED', 'HTTP 500', 1, false],
          ['SESSION_FINISHED', 'HTTP 204', 2, false],
        ],
      );
      // 30 s then 120 s, scaled by 0.001: the second retry waited about four times the first.
      const [first, second, third] = webhooks.map((webhook) => webhook.at);
      assert.ok(second! - first! >= 25, `first wait ${second! - first!} ms`);
      assert.ok(third! - second! >= 100, `second wait ${third! - second!} ms`);
      // Every attempt verifies, each signed afresh over the same bytes.
      for (const webhook of webhooks) assert.equal(await verifies(emulator, webhook), true);
    } finally {
      await emulator.close();
      await flaky.close();
    }
  });

  it('a throwing onWebhookFailure neither stops the retries nor rejects unhandled', async () => {
    const flaky = await listenForWebhooks({ status: (index) => [500][index] ?? 200 });
    const rejections = watchUnhandledRejections();
    let calls = 0;
    const { emulator, run } = await setUp(flaky, {
      webhookDelivery: SCALED_RETRIES,
      onWebhookFailure: () => {
        calls += 1;
        throw new Error('the partner’s failure hook broke');
      },
    });
    try {
      const { linkToken } = await run();
      const webhooks = await flaky.waitFor(linkToken, 3);
      assert.deepEqual(webhooks.map(codeOf), [
        'SESSION_FINISHED',
        'SESSION_FINISHED',
        'LAYER_AUTHENTICATION_PASSED',
      ]);
      assert.equal(calls, 1);
      await rejections.assertNone();
    } finally {
      rejections.stop();
      await emulator.close();
      await flaky.close();
    }
  });

  it('an async onWebhookFailure that rejects neither stops the retries nor rejects unhandled', async () => {
    const flaky = await listenForWebhooks({ status: (index) => [500, 503][index] ?? 200 });
    const rejections = watchUnhandledRejections();
    const said: string[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void said.push(args.join(' '));
    let calls = 0;
    const { emulator, run } = await setUp(flaky, {
      webhookDelivery: SCALED_RETRIES,
      // A partner's hook that reports failures somewhere asynchronous, and that somewhere is down.
      onWebhookFailure: async () => {
        calls += 1;
        await Promise.resolve();
        throw new Error('the partner’s failure hook broke');
      },
    });
    try {
      const { linkToken } = await run();
      const webhooks = await flaky.waitFor(linkToken, 4);
      assert.deepEqual(webhooks.map(codeOf), [
        'SESSION_FINISHED',
        'SESSION_FINISHED',
        'SESSION_FINISHED',
        'LAYER_AUTHENTICATION_PASSED',
      ]);
      assert.equal(calls, 2);
      await emulator.emulator.webhooksIdle();
      await rejections.assertNone();
      assert.deepEqual(said, [
        'plaid emulator: onWebhookFailure rejected (Error)',
        'plaid emulator: onWebhookFailure rejected (Error)',
      ]);
    } finally {
      console.error = consoleError;
      rejections.stop();
      await emulator.close();
      await flaky.close();
    }
  });

  it('gives up after maxRetries, and counts no answer within the timeout as a failure', async () => {
    const silent = await listenForWebhooks({ status: () => null });
    const failures: WebhookFailure[] = [];
    const { emulator, run } = await setUp(silent, {
      webhookDelivery: { delayMs: 0, duplicateRate: 0, maxRetries: 2, timeScale: 0.005 },
      onWebhookFailure: (failure) => failures.push(failure),
    });
    try {
      const { linkToken } = await run();
      await emulator.emulator.webhooksIdle();
      // Two webhooks, each tried once and retried twice: six attempts, each given up after 50 ms.
      assert.equal(failures.length, 6);
      assert.ok(failures.every((failure) => /no answer within 50 ms/.test(failure.reason)));
      for (const code of ['LAYER_AUTHENTICATION_PASSED', 'SESSION_FINISHED'])
        assert.deepEqual(
          failures
            .filter((failure) => failure.webhook_code === code)
            .map((failure) => [failure.attempt, failure.final]),
          [
            [1, false],
            [2, false],
            [3, true],
          ],
          code,
        );
      // How many reached the silent receiver before each 50 ms ran out depends on the machine's
      // load (an attempt may be abandoned before the receiver has read it), never more than six.
      const mine = silent.received.filter((webhook) => webhook.body.includes(linkToken));
      assert.ok(mine.length <= 6, `${mine.length} deliveries`);
      assert.equal(emulator.emulator.stats().pendingWebhooks, 0);
    } finally {
      await emulator.close();
      await silent.close();
    }
  });

  it('plans no retry past the retry window', async () => {
    const failing = await listenForWebhooks({ status: () => 503 });
    const failures: WebhookFailure[] = [];
    const { emulator, run } = await setUp(failing, {
      // Waits of 30, 120, 480 ms…: only the first two fit in 200 ms.
      webhookDelivery: { delayMs: 0, duplicateRate: 0, timeScale: 0.001, retryWindowMs: 200_000 },
      onWebhookFailure: (failure) => failures.push(failure),
    });
    try {
      await run();
      await emulator.emulator.webhooksIdle();
      const attempts = failures.filter((failure) => failure.webhook_code === 'SESSION_FINISHED');
      assert.deepEqual(
        attempts.map((failure) => [failure.attempt, failure.final]),
        [
          [1, false],
          [2, false],
          [3, true],
        ],
      );
    } finally {
      await emulator.close();
      await failing.close();
    }
  });

  it('close() cancels pending deliveries and leaves no timer behind', async () => {
    const { emulator, run } = await setUp(listener, { webhookDelivery: { delayMs: 60_000 } });
    const { linkToken } = await run();
    assert.ok(emulator.emulator.stats().pendingWebhooks >= 2);
    assert.ok(emulator.emulator.stats().webhookTimers >= 2);
    await emulator.close();
    assert.deepEqual(
      [emulator.emulator.stats().pendingWebhooks, emulator.emulator.stats().webhookTimers],
      [0, 0],
    );
    assert.equal(listener.received.filter((webhook) => webhook.body.includes(linkToken)).length, 0);
  });

  it('close() aborts a delivery in flight, and its retries', async () => {
    const silent = await listenForWebhooks({ status: () => null });
    const { emulator, run } = await setUp(silent, { webhookDelivery: { delayMs: 0, duplicateRate: 0 } });
    const { linkToken } = await run();
    await silent.waitFor(linkToken, 2);
    assert.ok(emulator.emulator.stats().webhookTimers >= 2, 'the two timeouts run');
    await emulator.close();
    assert.deepEqual(
      [emulator.emulator.stats().pendingWebhooks, emulator.emulator.stats().webhookTimers],
      [0, 0],
    );
    await silent.close();
  });

  it('an aborted signal closes the emulator as close() does', async () => {
    const controller = new AbortController();
    const app = createPlaidEmulator({ webhookUrl: listener.url, signal: controller.signal });
    const request = (path: string, body: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'PLAID-CLIENT-ID': 'emulator-client-id',
          'PLAID-SECRET': 'emulator-secret',
        },
        body: JSON.stringify(body),
      });
    const created = (await (
      await request('/session/token/create', {
        template_id: 'template_emulator',
        user: { client_user_id: 'u' },
      })
    ).json()) as { link: { link_token: string } };
    await request('/emulator/sessions/complete', {
      link_token: created.link.link_token,
      phone_number: '+14155550011',
    });
    assert.ok(app.stats().pendingWebhooks > 0);
    controller.abort();
    await app.webhooksIdle();
    assert.deepEqual([app.stats().pendingWebhooks, app.stats().webhookTimers], [0, 0]);
  });
});

describe('webhook key rotation', () => {
  let listener: WebhookListener;
  let emulator: RunningEmulator;
  before(async () => {
    listener = await listenForWebhooks();
    emulator = await startEmulator({
      webhookUrl: listener.url,
      webhookDelivery: { delayMs: 0, duplicateRate: 0 },
      now: () => new Date('2026-11-25T12:00:00.000Z'),
    });
  });
  after(async () => {
    await emulator.close();
    await listener.close();
  });

  async function oneWebhook(): Promise<ReceivedWebhook> {
    const linkToken = await emulator.linkToken();
    await emulator.post('/emulator/sessions/complete', {
      link_token: linkToken,
      phone_number: '+14155550011',
    });
    const [webhook] = await listener.waitFor(linkToken, 1);
    return webhook!;
  }

  it('signs new webhooks with the new key; the retired one answers with expired_at', async () => {
    const before = await oneWebhook();
    const oldKid = decodeProtectedHeader(signatureOf(before)).kid!;

    const rotated = await emulator.emulator.rotateWebhookKey();
    assert.equal(rotated.retiredKid, oldKid);
    const after = await oneWebhook();
    const newKid = decodeProtectedHeader(signatureOf(after)).kid!;
    assert.equal(newKid, rotated.kid);
    assert.notEqual(newKid, oldKid);
    assert.equal(await verifies(emulator, after), true);

    const retired = await emulator.plaid.webhookVerificationKeyGet({ key_id: oldKid });
    assert.equal(retired.data.key.expired_at, Date.parse('2026-11-25T12:00:00.000Z') / 1000);
    const current = await emulator.plaid.webhookVerificationKeyGet({ key_id: newKid });
    assert.equal(current.data.key.expired_at, null);
    // A webhook signed before the rotation still verifies against the retired key.
    assert.equal(await verifies(emulator, before), true);
  });

  it(`rotates through POST ${ROTATE_WEBHOOK_KEY_PATH} too, for tests driving the emulator over HTTP`, async () => {
    const previous = decodeProtectedHeader(signatureOf(await oneWebhook())).kid!;
    const { status, body } = await emulator.post(ROTATE_WEBHOOK_KEY_PATH, {});
    assert.equal(status, 200);
    assert.equal(body.retired_kid, previous);
    assert.equal(decodeProtectedHeader(signatureOf(await oneWebhook())).kid, body.kid);
    const foreign = await emulator.post(ROTATE_WEBHOOK_KEY_PATH, {}, { Origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
  });
});

/** Collects the process's unhandled rejections until `stop()`: a partner's failing hook must cause none. */
function watchUnhandledRejections(): { assertNone: () => Promise<void>; stop: () => void } {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  return {
    async assertNone() {
      // A rejection is reported once the microtask queue drains; a macrotask later it would be seen.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    },
    stop: () => process.off('unhandledRejection', onUnhandled),
  };
}
