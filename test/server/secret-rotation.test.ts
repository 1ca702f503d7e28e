/**
 * Rotating `sessionSecret` during a rolling deploy. Old and new instances serve side by side and
 * share one store; a visitor's `/link-token` may reach one and its `/session` the other. With a list
 * of secrets the first signs and every one verifies, so:
 * - step 1, `[old, new]` on every instance (rolled out over `old`): handles, profile tokens and
 *   pseudonyms are still the old secret's, and the new one is already accepted;
 * - step 2, `[new, old]`: the new secret signs, and what the old one signed, from instances not yet
 *   rolled or issued just before, still verifies;
 * - step 3, `new` alone, once what the old secret signed has expired (handles: 4 hours at most;
 *   profile tokens: `profileTokenTtlSeconds`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createMemoryStore, verifyProfileToken, type LayerApiOptions } from '../../server/index.js';
import { PUBLIC_TOKEN } from './support/plaid-fixtures.js';
import { TestBrowser, assertError, createTestApi, useMockPlaid } from './support/test-api.js';

await useMockPlaid();

const OLD = 'old-session-secret-0123456789abcdef0123456789';
const NEW = 'new-session-secret-fedcba9876543210fedcba9876';
const ELSE = 'another-session-secret-00000000000000000000000';

/** Two instances of one deployment: the same store, each with its own secrets. */
function instances(
  first: LayerApiOptions['sessionSecret'],
  second: LayerApiOptions['sessionSecret'],
  options: Partial<LayerApiOptions> = {},
) {
  const store = createMemoryStore();
  return [
    createTestApi({ ...options, store, sessionSecret: first }),
    createTestApi({ ...options, store, sessionSecret: second }),
  ] as const;
}

/** A visitor whose `/link-token` reaches `from` and whose `/session` reaches `to`. */
async function acrossInstances(from: TestBrowser['app'], to: TestBrowser['app']) {
  const browser = new TestBrowser(from);
  assert.equal((await browser.linkToken()).status, 200);
  return new TestBrowser(to).post('/session', { public_token: PUBLIC_TOKEN }, { handle: browser.handle });
}

const SIGNED_IN = { getUserId: () => 'user-42' };

for (const [who, options] of [
  ['an anonymous visitor', {}],
  ['a signed-in user', SIGNED_IN],
] as const) {
  test(`step 2: a handle an old instance issued is exchanged on a new one, for ${who}`, async () => {
    const [oldApi, newApi] = instances(OLD, [NEW, OLD], options);
    const res = await acrossInstances(oldApi.app, newApi.app);
    assert.equal(res.status, 200, await res.clone().text());
    const { token } = (await res.json()) as { token: string };
    // The new instance signed it: the partner's back end, given both secrets, accepts it.
    const verified = await verifyProfileToken(token, [NEW, OLD]);
    assert.equal(verified.profile.name?.first_name, 'Leslie');
    await assert.rejects(verifyProfileToken(token, OLD), { reason: 'invalid' }, 'signed with the new secret');
    assert.equal(newApi.sessions.length, 1);
    if ('getUserId' in options) assert.equal(newApi.sessions[0]?.userId, 'user-42');
  });

  test(`step 1: a handle a new instance issued is exchanged on an old one that accepts the new secret, for ${who}`, async () => {
    const [newApi, oldApi] = instances([NEW, OLD], [OLD, NEW], options);
    const res = await acrossInstances(newApi.app, oldApi.app);
    assert.equal(res.status, 200, await res.clone().text());
    const { token } = (await res.json()) as { token: string };
    assert.equal((await verifyProfileToken(token, OLD)).profile.name?.first_name, 'Leslie');
  });
}

test('a returning anonymous visitor keeps its identity across the rotation', async () => {
  const [oldApi, newApi] = instances(OLD, [NEW, OLD]);
  const browser = new TestBrowser(oldApi.app);
  assert.equal((await browser.linkToken()).status, 200);
  const before = browser.handle;
  // Its next /link-token reaches a new instance with the old instance's handle.
  const again = new TestBrowser(newApi.app);
  again.handle = before;
  assert.equal((await again.linkToken()).status, 200);
  assert.equal((await again.exchange(PUBLIC_TOKEN)).status, 200);
  const anonymousId = (handle: string | null) =>
    (JSON.parse(Buffer.from(handle!.split('.')[1]!, 'base64url').toString()) as { a: string }).a;
  assert.equal(anonymousId(again.handle), anonymousId(before), 'the same anonymous visitor');
  assert.equal(newApi.sessions[0]?.userId, anonymousId(before), 'onSession gets that visitor');
});

test('a handle signed with a secret not in the list is refused: 401 SESSION_HANDLE_INVALID', async () => {
  const [elsewhere, newApi] = instances(ELSE, [NEW, OLD]);
  await assertError(await acrossInstances(elsewhere.app, newApi.app), 'SESSION_HANDLE_INVALID');
  const [, dropped] = instances(OLD, NEW);
  const [oldApi] = instances(OLD, OLD);
  await assertError(
    await acrossInstances(oldApi.app, dropped.app),
    'SESSION_HANDLE_INVALID',
    'step 3: the old secret no longer verifies',
  );
});

test('a signed-in user’s handle still may not be exchanged by another user across the rotation', async () => {
  const store = createMemoryStore();
  const oldApi = createTestApi({ store, sessionSecret: OLD, getUserId: () => 'user-42' });
  const newApi = createTestApi({ store, sessionSecret: [NEW, OLD], getUserId: () => 'user-43' });
  await assertError(await acrossInstances(oldApi.app, newApi.app), 'WRONG_SESSION');
});

test('verifyProfileToken takes a list of secrets: any one verifies, an expired token is still expired', async () => {
  const [oldApi] = instances(OLD, OLD, { profileTokenTtlSeconds: 60 });
  const browser = new TestBrowser(oldApi.app);
  assert.equal((await browser.linkToken()).status, 200);
  const { token } = (await (await browser.exchange(PUBLIC_TOKEN)).json()) as { token: string };
  assert.equal((await verifyProfileToken(token, [NEW, OLD])).profile.name?.last_name, 'Knope');
  await assert.rejects(verifyProfileToken(token, [NEW, ELSE]), { reason: 'invalid' });
  await assert.rejects(verifyProfileToken(token, [NEW, OLD], { now: () => Date.now() + 120_000 }), {
    reason: 'expired',
  });
  await assert.rejects(verifyProfileToken(token, []), TypeError, 'no secret at all is a setup error');
});

test('a list of secrets is checked at start-up like one secret', () => {
  for (const [label, sessionSecret, message] of [
    ['empty list', [], /at least one/],
    ['a short one', [NEW, 'short'], /at least 32 characters/],
    ['not a string', [NEW, 42], /at least 32 characters/],
  ] as const)
    assert.throws(
      () => createTestApi({ sessionSecret: sessionSecret as unknown as string[] }),
      (error: unknown) => error instanceof TypeError && message.test(error.message),
      label,
    );
});
