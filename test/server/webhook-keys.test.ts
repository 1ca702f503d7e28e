/**
 * Verification keys under attack: anyone can post webhooks naming made-up key ids, and each unknown
 * id costs a look-up at Plaid. Such a flood must neither push Plaid's real key out of the cache nor
 * spend the look-ups a genuine webhook — even one signed with a key never seen before — needs.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { exportJWK, generateKeyPair } from 'jose';
import { delay, http, HttpResponse } from 'msw';

import { KEY_LOOKUPS_FOR_STRANGERS, KEY_LOOKUPS_PER_SOURCE } from '../../server/webhook-verification.js';
import { PLAID_BASE, plaidError } from './support/plaid-fixtures.js';
import { createTestApi, errorBody, socketEnv, useMockPlaid } from './support/test-api.js';
import { createWebhookSigner, signWith, webhookBody, type WebhookSigner } from './support/webhook-signer.js';

const { server, signer } = await useMockPlaid();
const KEY_GET = `${PLAID_BASE}/webhook_verification_key/get`;
/** One of Plaid's documented webhook sender addresses. */
const PLAID_ADDRESS = '52.21.26.131';
const ATTACKER = '203.0.113.66';

/**
 * Plaid's key route, knowing `signers` (answered with `overrides` merged into their JWK); records
 * every kid it is asked about.
 */
function keyRoute(signers: WebhookSigner[], overrides: Record<string, unknown> = {}, latencyMs = 0) {
  const asked: string[] = [];
  server.use(
    http.post(KEY_GET, async ({ request }) => {
      const { key_id } = (await request.json()) as { key_id: string };
      asked.push(key_id);
      if (latencyMs) await delay(latencyMs);
      const known = signers.find((candidate) => candidate.kid === key_id);
      if (!known)
        return HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_WEBHOOK_VERIFICATION_KEY_ID'), {
          status: 400,
        });
      return HttpResponse.json({ key: { ...known.jwk, ...overrides }, request_id: 'keyReq00000001' });
    }),
  );
  return asked;
}

function keyRouteDown() {
  server.use(
    http.post(KEY_GET, () =>
      HttpResponse.json(plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR'), { status: 500 }),
    ),
  );
}

function layerWebhook() {
  return webhookBody({
    webhook_type: 'LAYER',
    webhook_code: 'LAYER_AUTHENTICATION_PASSED',
    environment: 'sandbox',
    link_session_id: randomUUID(),
    link_token: `link-sandbox-${randomUUID()}`,
  });
}

interface Clock {
  time: number;
}

/** Posts `body` signed by `by` (its key; `kid` overrides the key id) from `address`. */
async function deliver(
  app: ReturnType<typeof createTestApi>['app'],
  address: string | undefined,
  by: WebhookSigner,
  { kid, clock, body = layerWebhook() }: { kid?: string; clock?: Clock; body?: string } = {},
) {
  const iat = Math.floor((clock?.time ?? Date.now()) / 1000);
  const verification = await by.sign(body, { ...(kid ? { kid } : {}), iat });
  return app.request(
    '/webhook',
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Plaid-Verification': verification },
      body,
    },
    address === undefined ? undefined : socketEnv(address),
  );
}

/** A webhook naming a made-up key id, from `address`. */
function forged(app: ReturnType<typeof createTestApi>['app'], address: string | undefined, clock?: Clock) {
  return deliver(app, address, signer, { kid: randomUUID(), ...(clock ? { clock } : {}) });
}

/** A clock that stands still, so a slow machine never crosses into the next one-minute window. */
function frozenClock(): Clock {
  return { time: Date.parse('2030-01-01T00:00:00Z') };
}

test('a flood of made-up key ids from one address cannot stop Plaid’s next genuine webhook', async () => {
  const clock = frozenClock();
  const asked = keyRoute([signer]);
  const { app, webhooks, logs } = createTestApi({ now: () => clock.time });
  for (let i = 0; i < 25; i++) assert.equal((await forged(app, ATTACKER, clock)).status, 401);
  assert.equal(asked.length, KEY_LOOKUPS_PER_SOURCE, 'the attacker spent its own address’s look-ups only');
  assert.match(logs.at(-1) ?? '', /code=WEBHOOK_VERIFICATION_FAILED hint="[^"]*trustProxy/);

  const genuine = await deliver(app, PLAID_ADDRESS, signer, { clock });
  assert.equal(genuine.status, 200);
  assert.equal(webhooks.length, 1);
});

test('a flood from many addresses is capped together, and cannot stop a known sender’s webhook signed with a new key', async () => {
  const clock = frozenClock();
  const rotated = await createWebhookSigner();
  const asked = keyRoute([signer, rotated]);
  const { app, webhooks } = createTestApi({ now: () => clock.time });
  assert.equal(
    (await deliver(app, PLAID_ADDRESS, signer, { clock })).status,
    200,
    'Plaid’s address delivers first',
  );

  for (let i = 0; i < 60; i++) assert.equal((await forged(app, `198.51.100.${i + 1}`, clock)).status, 401);
  // Plaid's first look-up came from a stranger too: together they got the strangers' budget.
  assert.equal(asked.length, KEY_LOOKUPS_FOR_STRANGERS, 'strangers together get a bounded budget');

  // Plaid rotates its key: the first webhook signed with it comes from the same sender.
  assert.equal((await deliver(app, PLAID_ADDRESS, rotated, { clock })).status, 200);
  assert.equal(webhooks.length, 2);
  assert.equal(asked.at(-1), rotated.kid);
});

test('made-up key ids never push Plaid’s key out of the cache', async () => {
  const clock = { time: Date.parse('2030-01-01T00:00:00Z') };
  const asked = keyRoute([signer]);
  const { app } = createTestApi({ now: () => clock.time });
  assert.equal((await deliver(app, PLAID_ADDRESS, signer, { clock })).status, 200);

  // Five minutes of look-ups for made-up kids, from ever new addresses.
  for (let minute = 0; minute < 5; minute++) {
    for (let i = 0; i < 40; i++) await forged(app, `198.51.${minute}.${i + 1}`, clock);
    clock.time += 61_000;
  }
  assert.ok(asked.length > 100, `the refused kids outnumber any key cache (${asked.length})`);
  keyRouteDown();
  assert.equal(
    (await deliver(app, PLAID_ADDRESS, signer, { clock })).status,
    200,
    'verified from the cache while Plaid cannot be asked',
  );
  assert.equal(asked.filter((kid) => kid === signer.kid).length, 1);
});

test('webhooks arriving together with a new key id share one look-up', async () => {
  const asked = keyRoute([signer], {}, 200);
  const { app, webhooks } = createTestApi();
  const requests = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const body = layerWebhook();
      return new Request('http://localhost/webhook', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await signer.sign(body) },
        body,
      });
    }),
  );
  const responses = await Promise.all(
    requests.map((request) => app.request(request, undefined, socketEnv(PLAID_ADDRESS))),
  );
  assert.deepEqual(
    responses.map((res) => res.status),
    Array(10).fill(200),
  );
  assert.deepEqual(asked, [signer.kid]);
  assert.equal(webhooks.length, 10);
});

test('a made-up key id is asked about once, then refused from the cache', async () => {
  const asked = keyRoute([signer]);
  const { app } = createTestApi();
  const kid = randomUUID();
  for (let i = 0; i < 8; i++) {
    const res = await deliver(app, `192.0.2.${i + 1}`, signer, { kid });
    assert.equal(res.status, 401);
    assert.match((await errorBody(res)).message, /unknown to Plaid/);
  }
  assert.deepEqual(asked, [kid]);
});

test('a stale or mismatched webhook is refused before any key look-up', async () => {
  const asked = keyRoute([signer]);
  const { app } = createTestApi();
  const body = layerWebhook();
  const stale = await signer.sign(body, { kid: randomUUID(), iat: Math.floor(Date.now() / 1000) - 600 });
  const mismatched = await signer.sign(body, { kid: randomUUID(), hashOf: `${body} ` });
  for (const verification of [stale, mismatched]) {
    const res = await app.request('/webhook', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Plaid-Verification': verification },
      body,
    });
    assert.equal(res.status, 401);
  }
  assert.deepEqual(asked, []);
});

test('as in Plaid’s sample, a key whose expired_at is set is refused, even with a date still ahead', async () => {
  const asked = keyRoute([signer], { expired_at: Math.floor(Date.now() / 1000) + 86_400 });
  const { app, webhooks } = createTestApi();
  const res = await deliver(app, PLAID_ADDRESS, signer);
  assert.equal(res.status, 401);
  assert.match((await errorBody(res)).message, /expired/);
  assert.equal((await deliver(app, PLAID_ADDRESS, signer)).status, 401);
  assert.equal(asked.length, 1, 'a retired key is remembered as such');
  assert.deepEqual(webhooks, []);
});

test('a cached key that Plaid retires is refused once it is checked again (within the hour)', async () => {
  const clock = { time: Date.parse('2030-01-01T00:00:00Z') };
  keyRoute([signer]);
  const { app } = createTestApi({ now: () => clock.time });
  assert.equal((await deliver(app, PLAID_ADDRESS, signer, { clock })).status, 200);
  keyRoute([signer], { expired_at: Math.floor(clock.time / 1000) + 3600 });
  clock.time += 30 * 60_000;
  assert.equal((await deliver(app, PLAID_ADDRESS, signer, { clock })).status, 200, 'still cached');
  clock.time += 31 * 60_000;
  const res = await deliver(app, PLAID_ADDRESS, signer, { clock });
  assert.equal(res.status, 401);
  assert.match((await errorBody(res)).message, /expired/);
});

test('while Plaid cannot be asked, a key it confirmed within the day stays in use', async () => {
  const clock = { time: Date.parse('2030-01-01T00:00:00Z') };
  keyRoute([signer]);
  const { app } = createTestApi({ now: () => clock.time });
  assert.equal((await deliver(app, PLAID_ADDRESS, signer, { clock })).status, 200);
  keyRouteDown();
  clock.time += 2 * 3600_000;
  assert.equal((await deliver(app, PLAID_ADDRESS, signer, { clock })).status, 200);
  clock.time += 23 * 3600_000;
  // Not after a day: then Plaid's outage is the webhook's answer (a 5xx, so Plaid resends it).
  assert.equal((await deliver(app, PLAID_ADDRESS, signer, { clock })).status, 502, 'not after a day');
});

test('with no client address, all webhooks share one look-up budget, and the log line says what to set', async () => {
  const clock = frozenClock();
  keyRoute([signer]);
  const { app, logs } = createTestApi({ getClientAddress: () => undefined, now: () => clock.time });
  for (let i = 0; i < KEY_LOOKUPS_PER_SOURCE; i++) await forged(app, ATTACKER, clock);
  const res = await forged(app, ATTACKER, clock);
  assert.equal(res.status, 401);
  assert.match((await errorBody(res)).message, /Too many verification key look-ups/);
  assert.match(logs.at(-1) ?? '', /hint="no client address is known[^"]*getClientAddress/);
});

test('a key Plaid answers that is not ES256 is refused', async () => {
  const { publicKey } = await generateKeyPair('ES384');
  const kid = randomUUID();
  server.use(
    http.post(KEY_GET, async () =>
      HttpResponse.json({
        key: { ...(await exportJWK(publicKey)), kid, use: 'sig', created_at: 1, expired_at: null },
        request_id: 'r',
      }),
    ),
  );
  const { privateKey } = await generateKeyPair('ES256');
  const { app } = createTestApi();
  const body = layerWebhook();
  const res = await app.request('/webhook', {
    method: 'POST',
    headers: { 'Plaid-Verification': await signWith(privateKey, body, { kid }) },
    body,
  });
  assert.equal(res.status, 401);
  assert.match((await errorBody(res)).message, /not ES256/);
});
