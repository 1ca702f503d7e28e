/**
 * The session handle: `/link-token` gives the browser a signed handle bound to its Link token, and
 * `/session` exchanges a public token only for the browser that presents it, unaltered and unexpired,
 * as the same user, and (once a verified SESSION_FINISHED webhook named the public token's Link
 * token) with that Link token. A returning visitor keeps its identity through `/link-token`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { http, HttpResponse } from 'msw';

import { createSigner } from '../../server/crypto.js';
import { createSessionHandles } from '../../server/session-handle.js';
import { recordLinkTokens } from './support/handlers.js';
import { PLAID_BASE, PUBLIC_TOKEN, SESSION_GET_RESPONSE } from './support/plaid-fixtures.js';
import { SESSION_SECRET, TestBrowser, assertError, createTestApi, useMockPlaid } from './support/test-api.js';
import { webhookBody } from './support/webhook-signer.js';

const { server, signer } = await useMockPlaid();

/** Counts `/user_account/session/get` calls (the exchange): a refused request never reaches Plaid. */
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

async function browserWithHandle(app: TestBrowser['app']): Promise<TestBrowser & { handle: string }> {
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  assert.ok(browser.handle);
  return browser as TestBrowser & { handle: string };
}

/** A handle's three parts and its payload, decoded. */
function parts(handle: string) {
  const [version, payload, signature] = handle.split('.') as [string, string, string];
  return {
    version,
    payload,
    signature,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
  };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `body` exactly as the server signs handles, to build ones that pass the signature check. */
async function signedWithServerKey(body: string): Promise<string> {
  const signature = await createSigner(SESSION_SECRET, 'session-handle').sign(body);
  return `${body}.${Buffer.from(signature).toString('base64url')}`;
}

test('no handle on /session: 401 SESSION_HANDLE_MISSING, logged with a hint, Plaid not asked', async () => {
  const calls = countExchanges();
  const { app, logs, sessions } = createTestApi();
  const browser = await browserWithHandle(app);
  const res = await browser.post('/session', { public_token: PUBLIC_TOKEN }, { handle: null });
  const { message } = await assertError(res, 'SESSION_HANDLE_MISSING');
  assert.match(message, /Layer-Session/);
  assert.match(logs.at(-1) ?? '', /code=SESSION_HANDLE_MISSING handle=missing hint="[^"]*Layer-Session/);
  assert.equal(calls.length, 0);
  assert.equal(sessions.length, 0);
  assert.equal(
    (await browser.exchange(PUBLIC_TOKEN)).status,
    200,
    'with its handle, the same browser succeeds',
  );
});

/** Each way a handle can be wrong, built from a genuine one; all are refused as invalid. */
const TAMPERED: Record<string, [(genuine: string) => Promise<string> | string, RegExp]> = {
  'payload edited (another visitor)': [
    (genuine) => {
      const { version, claims, signature } = parts(genuine);
      return `${version}.${encode({ ...claims, v: 'f'.repeat(32) })}.${signature}`;
    },
    /handle="?bad signature/,
  ],
  'payload edited (expiry pushed back)': [
    (genuine) => {
      const { version, claims, signature } = parts(genuine);
      return `${version}.${encode({ ...claims, e: 4_102_444_800 })}.${signature}`;
    },
    /handle="?bad signature/,
  ],
  'signature edited': [
    (genuine) => {
      const { version, payload, signature } = parts(genuine);
      // A middle character: the last one of a 32-byte base64url signature has two unused bits.
      const flipped = signature[10] === 'A' ? 'B' : 'A';
      return `${version}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
    },
    /handle="?bad signature/,
  ],
  'signature cut off': [(genuine) => genuine.slice(0, genuine.lastIndexOf('.') + 1), /handle=malformed/],
  'signature not base64url': [
    (genuine) => `${genuine.slice(0, genuine.lastIndexOf('.') + 1)}not*base64`,
    /handle="?bad signature/,
  ],
  'signed with another secret': [
    async () => {
      const other = createTestApi({ sessionSecret: 'another-secret-another-secret-another-secret' });
      return (await browserWithHandle(other.app)).handle;
    },
    /handle="?bad signature/,
  ],
  'wrong version': [(genuine) => genuine.replace(/^v1\./, 'v2.'), /handle=malformed/],
  'wrong version, validly signed': [
    (genuine) => signedWithServerKey(`v2.${parts(genuine).payload}`),
    /handle=malformed/,
  ],
  'malformed: not a handle': [() => 'garbage', /handle=malformed/],
  'malformed: `new`, what a first /link-token sends': [() => 'new', /handle=malformed/],
  'malformed: an extra part': [(genuine) => `${genuine}.extra`, /handle=malformed/],
  'malformed: validly signed, not JSON': [
    () => signedWithServerKey(`v1.${Buffer.from('not json').toString('base64url')}`),
    /handle=malformed/,
  ],
  'malformed: validly signed JSON without the claims': [
    () => signedWithServerKey(`v1.${encode({ v: 'f'.repeat(32) })}`),
    /handle=malformed/,
  ],
  'over-long, though validly signed': [
    (genuine) =>
      createSessionHandles(SESSION_SECRET, Date.now).issue({
        visitor: parts(genuine).claims.v as string,
        anonymousId: `anon_${'x'.repeat(1100)}`,
        linkTokenHash: parts(genuine).claims.l as string,
        expiresAt: Date.now() + 60_000,
      }),
    /handle="?too long/,
  ],
};

for (const [name, [tamper, logged]] of Object.entries(TAMPERED)) {
  test(`a tampered handle (${name}): 401 SESSION_HANDLE_INVALID, Plaid not asked`, async () => {
    const calls = countExchanges();
    const { app, logs, sessions } = createTestApi();
    const browser = await browserWithHandle(app);
    const forged = await tamper(browser.handle);
    assert.notEqual(forged, browser.handle);
    const res = await browser.post('/session', { public_token: PUBLIC_TOKEN }, { handle: forged });
    await assertError(res, 'SESSION_HANDLE_INVALID', name);
    const line = logs.at(-1) ?? '';
    assert.match(line, /code=SESSION_HANDLE_INVALID /);
    assert.match(line, logged);
    assert.match(line, /hint="[^"]*sessionSecret/);
    assert.ok(!line.includes(forged.slice(0, 40)), 'the log never carries the handle');
    assert.equal(calls.length, 0);
    assert.equal(sessions.length, 0);
  });
}

test('the handle expires after 4 hours at most: 401 SESSION_HANDLE_EXPIRED', async () => {
  let time = Date.parse('2030-01-01T00:00:00Z');
  const calls = countExchanges();
  const { app, logs } = createTestApi({ now: () => time });
  const browser = await browserWithHandle(app); // the fixture's Link token expires in 2099
  time += 4 * 3600_000 + 1000;
  const res = await browser.exchange(PUBLIC_TOKEN);
  const { message } = await assertError(res, 'SESSION_HANDLE_EXPIRED');
  assert.match(message, /new Link token/);
  assert.match(logs.at(-1) ?? '', /code=SESSION_HANDLE_EXPIRED handle=expired/);
  assert.equal(calls.length, 0);
});

test('the handle expires with its Link token: valid just before, 401 SESSION_HANDLE_EXPIRED after', async () => {
  let time = Date.parse('2030-01-01T00:00:00Z');
  recordLinkTokens(server, () => new Date(time + 30 * 60_000).toISOString());
  const calls = countExchanges();
  const { app } = createTestApi({ now: () => time });
  const early = await browserWithHandle(app);
  const late = await browserWithHandle(app);
  time += 30 * 60_000 - 2000;
  assert.equal((await early.exchange(PUBLIC_TOKEN)).status, 200);
  time += 3000;
  await assertError(await late.exchange(`${PUBLIC_TOKEN}-2`), 'SESSION_HANDLE_EXPIRED');
  assert.equal(calls.length, 1);
});

test('with getUserId, another user presenting this user’s handle gets 403 WRONG_SESSION', async () => {
  let user = 'alice@example.com';
  const calls = countExchanges();
  const { app, sessions, logs } = createTestApi({ getUserId: () => user });
  const alice = await browserWithHandle(app);
  user = 'mallory@example.com';
  const stolen = await alice.exchange(PUBLIC_TOKEN);
  await assertError(stolen, 'WRONG_SESSION');
  assert.match(logs.at(-1) ?? '', /code=WRONG_SESSION handle="issued to another user" hint="[^"]*getUserId/);
  assert.ok(!logs.join('\n').includes('example.com'), 'no user id in the log');
  assert.equal(calls.length, 0, 'Plaid is not asked');
  assert.equal(sessions.length, 0);

  user = 'alice@example.com';
  assert.equal((await alice.exchange(PUBLIC_TOKEN)).status, 200, 'the rightful user still can');
  assert.equal(sessions[0]?.userId, 'alice@example.com');
});

/** Delivers a SESSION_FINISHED webhook naming `publicToken` as Link's result for `linkToken`. */
async function sessionFinished(
  app: TestBrowser['app'],
  linkToken: string,
  publicToken: string,
  sign: (body: string) => Promise<string> = (body) => signer.sign(body),
) {
  const body = webhookBody({
    webhook_type: 'LINK',
    webhook_code: 'SESSION_FINISHED',
    status: 'SUCCESS',
    link_session_id: randomUUID(),
    link_token: linkToken,
    public_tokens: [publicToken],
    environment: 'sandbox',
  });
  return app.request('/webhook', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await sign(body) },
    body,
  });
}

test('once a verified SESSION_FINISHED ties a public token to a Link token, another visitor’s handle gets 403 WRONG_SESSION', async () => {
  const links = recordLinkTokens(server);
  const calls = countExchanges();
  const { app, sessions, logs } = createTestApi();
  const victim = await browserWithHandle(app);
  const attacker = await browserWithHandle(app);
  const [victimLinkToken] = links.tokens as [string];

  assert.equal((await sessionFinished(app, victimLinkToken, PUBLIC_TOKEN)).status, 200);
  const stolen = await attacker.exchange(PUBLIC_TOKEN);
  const { message } = await assertError(stolen, 'WRONG_SESSION');
  assert.match(message, /another visitor/);
  assert.match(logs.at(-1) ?? '', /code=WRONG_SESSION handle="public token from another Link token"/);
  assert.equal(calls.length, 0, 'Plaid is not asked');
  assert.equal(sessions.length, 0);

  assert.equal((await victim.exchange(PUBLIC_TOKEN)).status, 200, 'the rightful visitor still succeeds');
  assert.equal(sessions.length, 1);
});

test('an unverified SESSION_FINISHED binds nothing', async () => {
  const links = recordLinkTokens(server);
  const { app } = createTestApi();
  const owner = await browserWithHandle(app);
  await browserWithHandle(app); // another visitor, whose Link token the forged webhook names
  const forged = await sessionFinished(app, links.tokens[1]!, PUBLIC_TOKEN, async () => 'not-a-jwt');
  assert.equal(forged.status, 401);
  assert.equal(
    (await owner.exchange(PUBLIC_TOKEN)).status,
    200,
    'a forged webhook cannot lock out the owner',
  );
});

test('a returning visitor keeps its identity: its handle on /link-token means the same client_user_id', async () => {
  const links = recordLinkTokens(server);
  const { app } = createTestApi();
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  const first = browser.handle;
  assert.equal((await browser.linkToken()).status, 200);
  assert.notEqual(browser.handle, first, 'each Link token gets its own handle');
  assert.equal((await browser.post('/link-token', {}, { handle: 'new' })).status, 200);
  assert.equal((await browser.post('/link-token', {}, { handle: 'garbage' })).status, 200);
  assert.equal((await browser.post('/link-token', {}, { handle: null })).status, 200);

  const [a, b, fresh, garbage, none] = links.clientUserIds();
  assert.match(a ?? '', /^[0-9a-f]{32}$/);
  assert.equal(b, a, 'the handle kept the visitor');
  assert.equal(new Set([a, fresh, garbage, none]).size, 4, '`new`, garbage or no handle: a fresh visitor');
});

test('an expired handle on /link-token still names its visitor, whose rate limit keeps counting', async () => {
  let time = Date.parse('2030-01-01T00:00:00Z');
  const links = recordLinkTokens(server, () => new Date(time + 30_000).toISOString());
  const { app } = createTestApi({
    now: () => time,
    rateLimits: { linkTokenPerVisitor: { limit: 2, windowSeconds: 600 } },
  });
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  const expired = browser.handle!;
  time += 31_000;
  await assertError(
    await browser.post('/session', { public_token: PUBLIC_TOKEN }, { handle: expired }),
    'SESSION_HANDLE_EXPIRED',
  );
  assert.equal((await browser.post('/link-token', {}, { handle: expired })).status, 200);
  const [first, second] = links.clientUserIds();
  assert.equal(second, first, 'the expired handle kept the visitor');

  const limited = await browser.linkToken();
  await assertError(limited, 'RATE_LIMITED', 'the third Link token of this visitor');
  assert.equal(links.requests.length, 2, 'Plaid is not asked once limited');
  assert.equal(
    (await browser.post('/link-token', {}, { handle: 'new' })).status,
    200,
    'a fresh visitor is not',
  );
});
