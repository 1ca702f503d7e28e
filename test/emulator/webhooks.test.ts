/**
 * Webhooks as an integration receives them: both Layer webhooks arrive on a local listener, and
 * their signature verifies with jose against the key from /webhook_verification_key/get — the
 * steps of LAYER.md §2.3 — while a body changed by one byte does not.
 */
import assert from 'node:assert/strict';
import { createHash, timingSafeEqual } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { PlaidApi } from 'plaid';

import type { WebhookFailure } from '../../emulator/index.js';
import { plaidFailure, startEmulator, type RunningEmulator } from './support/emulator-server.js';
import { validate } from './support/openapi-schema.js';
import { listenForWebhooks, type ReceivedWebhook, type WebhookListener } from './support/webhook-listener.js';

/** Plaid's documented verification, as an integrator would write it. */
async function verifyWebhook(
  plaid: PlaidApi,
  body: string,
  signature: string,
  now = new Date(),
): Promise<boolean> {
  const header = decodeProtectedHeader(signature);
  if (header.alg !== 'ES256' || !header.kid) return false;
  const { data } = await plaid.webhookVerificationKeyGet({ key_id: header.kid });
  try {
    const { payload } = await jwtVerify(signature, await importJWK(data.key as never, 'ES256'), {
      maxTokenAge: '5 min',
      currentDate: now,
    });
    const expected = Buffer.from(String(payload.request_body_sha256), 'utf8');
    const actual = Buffer.from(createHash('sha256').update(body, 'utf8').digest('hex'), 'utf8');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  } catch {
    return false;
  }
}

const signatureOf = (webhook: ReceivedWebhook) => String(webhook.headers['plaid-verification']);

/** A whole Layer Link session whose webhooks go to `webhook` (or the emulator's default). */
async function completeSession(emulator: RunningEmulator, webhook?: string) {
  const linkToken = await emulator.linkToken(webhook ? { webhook } : {});
  const { body } = await emulator.post('/emulator/sessions/complete', {
    link_token: linkToken,
    phone_number: '+14155550011',
  });
  return { linkToken, linkSessionId: String(body.link_session_id), publicToken: String(body.public_token) };
}

describe('webhooks', () => {
  let listener: WebhookListener;
  let emulator: RunningEmulator;
  before(async () => {
    listener = await listenForWebhooks();
    // Plaid's lag, but no duplicates: these tests count webhooks (webhook-delivery.test.ts has the rest).
    emulator = await startEmulator({ webhookDelivery: { duplicateRate: 0 } });
  });
  after(async () => {
    await emulator.close();
    await listener.close();
  });

  it('sends LAYER_AUTHENTICATION_PASSED and SESSION_FINISHED, signed so they verify', async () => {
    const { linkToken, linkSessionId, publicToken } = await completeSession(emulator, listener.url);
    // Raised in this order, they may arrive in either: Plaid promises no order.
    const both = await listener.waitFor(linkToken, 2);
    const byCode = (code: string) => both.find((webhook) => JSON.parse(webhook.body).webhook_code === code);
    const passed = byCode('LAYER_AUTHENTICATION_PASSED');
    const finished = byCode('SESSION_FINISHED');

    const first = JSON.parse(passed!.body);
    assert.deepEqual(validate('LayerAuthenticationPassedWebhook', first), []);
    assert.deepEqual(first, {
      webhook_type: 'LAYER',
      webhook_code: 'LAYER_AUTHENTICATION_PASSED',
      environment: 'sandbox',
      link_session_id: linkSessionId,
      link_token: linkToken,
    });
    const second = JSON.parse(finished!.body);
    assert.deepEqual(validate('LinkSessionFinishedWebhook', second), []);
    assert.deepEqual(second, {
      webhook_type: 'LINK',
      webhook_code: 'SESSION_FINISHED',
      status: 'SUCCESS',
      link_session_id: linkSessionId,
      link_token: linkToken,
      public_tokens: [publicToken],
      environment: 'sandbox',
    });

    for (const webhook of [passed!, finished!]) {
      assert.equal(webhook.headers['content-type'], 'application/json');
      // Plaid pretty-prints with two spaces, and signs those exact bytes.
      assert.equal(webhook.body, JSON.stringify(JSON.parse(webhook.body), null, 2));
      const header = decodeProtectedHeader(signatureOf(webhook));
      assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
      assert.deepEqual([header.alg, header.typ], ['ES256', 'JWT']);
      assert.equal(await verifyWebhook(emulator.plaid, webhook.body, signatureOf(webhook)), true);
    }
  });

  it('serves the verification key in the JWKPublicKey shape', async () => {
    const { linkToken } = await completeSession(emulator, listener.url);
    const [webhook] = await listener.waitFor(linkToken, 1);
    const { kid } = decodeProtectedHeader(signatureOf(webhook!));
    const { status, data } = await emulator.plaid.webhookVerificationKeyGet({ key_id: kid! });
    assert.equal(status, 200);
    assert.deepEqual(validate('WebhookVerificationKeyGetResponse', data), []);
    assert.deepEqual(
      [data.key.alg, data.key.crv, data.key.kty, data.key.use, data.key.kid, data.key.expired_at],
      ['ES256', 'P-256', 'EC', 'sig', kid, null],
    );
    assert.equal(Number.isInteger(data.key.created_at), true);
    assert.equal('d' in data.key, false, 'the private part never leaves the emulator');
  });

  it('fails verification when the body is changed by one byte', async () => {
    const { linkToken } = await completeSession(emulator, listener.url);
    const [webhook] = await listener.waitFor(linkToken, 1);
    const index = webhook!.body.indexOf('"link_token"') + 1;
    const tampered = `${webhook!.body.slice(0, index)}X${webhook!.body.slice(index + 1)}`;
    assert.equal(tampered.length, webhook!.body.length);
    assert.equal(await verifyWebhook(emulator.plaid, webhook!.body, signatureOf(webhook!)), true);
    assert.equal(await verifyWebhook(emulator.plaid, tampered, signatureOf(webhook!)), false);
  });

  it('fails verification of a signature older than five minutes', async () => {
    const tenMinutesAgo = new Date(Date.now() - 10 * 60 * 1000);
    const stale = await startEmulator({ now: () => tenMinutesAgo, webhookDelivery: { duplicateRate: 0 } });
    try {
      const { linkToken } = await completeSession(stale, listener.url);
      const [webhook] = await listener.waitFor(linkToken, 1);
      assert.equal(await verifyWebhook(stale.plaid, webhook!.body, signatureOf(webhook!)), false);
      // Only its age is wrong: checked at the time it was signed, it verifies.
      assert.equal(
        await verifyWebhook(stale.plaid, webhook!.body, signatureOf(webhook!), tenMinutesAgo),
        true,
      );
    } finally {
      await stale.close();
    }
  });

  it('sends SESSION_FINISHED EXITED, to the default webhook URL, when the user leaves', async () => {
    const withDefault = await startEmulator({
      webhookUrl: listener.url,
      webhookDelivery: { duplicateRate: 0 },
    });
    try {
      const linkToken = await withDefault.linkToken();
      const { body: session } = await withDefault.post('/emulator/link/sessions', { link_token: linkToken });
      const id = String(session.link_session_id);
      await withDefault.post(`/emulator/link/sessions/${id}/submit`, { phone_number: '+14155550011' });
      await withDefault.post(`/emulator/link/sessions/${id}/open`, {});
      await withDefault.post(`/emulator/link/sessions/${id}/exit`, { status: null });
      const [webhook] = await listener.waitFor(linkToken, 1);
      const exited = JSON.parse(webhook!.body);
      assert.deepEqual(validate('LinkSessionFinishedWebhook', exited), []);
      assert.deepEqual(
        [exited.status, exited.link_session_id, 'public_tokens' in exited],
        ['EXITED', id, false],
      );
      assert.equal(await verifyWebhook(withDefault.plaid, webhook!.body, signatureOf(webhook!)), true);
    } finally {
      await withDefault.close();
    }
  });

  it('answers INVALID_WEBHOOK_VERIFICATION_KEY_ID to a key id it never issued', async () => {
    const { status, body } = await plaidFailure(
      emulator.plaid.webhookVerificationKeyGet({ key_id: 'bfbd5111-8e33-4643-8ced-b2e642a72f3c' }),
    );
    assert.equal(status, 400);
    assert.deepEqual(validate('PlaidError', body), []);
    assert.deepEqual(
      [body.error_type, body.error_code],
      ['INVALID_INPUT', 'INVALID_WEBHOOK_VERIFICATION_KEY_ID'],
    );
  });

  it('reports each webhook it could not deliver, without secrets', async () => {
    // Each webhook travels on its own (Plaid promises no order), so neither failure comes first
    // for sure: wait until both have been reported once.
    const failures: WebhookFailure[] = [];
    let reportedBoth: () => void = () => {};
    const bothReported = new Promise<void>((resolve) => (reportedBoth = resolve));
    const unreachable = await listenForWebhooks();
    const url = unreachable.url;
    await unreachable.close();
    const failing = await startEmulator({
      webhookUrl: url,
      webhookDelivery: { duplicateRate: 0 },
      onWebhookFailure: (failure) => {
        failures.push(failure);
        if (new Set(failures.map((each) => each.webhook_code)).size === 2) reportedBoth();
      },
    });
    try {
      await failing.publicToken('+14155550011');
      await bothReported;
      assert.deepEqual(failures.map((failure) => failure.webhook_code).sort(), [
        'LAYER_AUTHENTICATION_PASSED',
        'SESSION_FINISHED',
      ]);
      for (const failure of failures) {
        assert.equal(failure.url, url);
        // The first attempt failed; Plaid's schedule retries it 30 s later.
        assert.equal(failure.attempt, 1);
        assert.equal(failure.final, false);
      }
      assert.doesNotMatch(JSON.stringify(failures), /access-sandbox|public-sandbox|emulator-secret/);
    } finally {
      await failing.close();
    }
  });
});
