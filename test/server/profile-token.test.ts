import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SignJWT } from 'jose';

import { ProfileTokenError, verifyProfileToken, type BrowserProfile } from '../../server/index.js';
import { createProfileTokens } from '../../server/profile.js';
import { SESSION_SECRET } from './support/test-api.js';

const PROFILE: BrowserProfile = {
  name: { first_name: 'Ann', last_name: 'Perkins' },
  address: null,
  phone_number: '+14155550015',
  email: null,
  date_of_birth: null,
  ssn_last_4: null,
};
const NOW = Date.parse('2030-01-01T00:00:00Z');

function issue(overrides: { userId?: string; now?: number } = {}) {
  return createProfileTokens(SESSION_SECRET).sign({
    profile: PROFILE,
    items: [{ item_id: 'item-1' }],
    now: NOW,
    ttlSeconds: 600,
    ...overrides,
  });
}

test('verifies a token and returns what it carries', async () => {
  const verified = await verifyProfileToken(await issue({ userId: 'user-7' }), SESSION_SECRET, {
    now: () => NOW + 1000,
  });
  assert.deepEqual(verified.profile, PROFILE);
  assert.deepEqual(verified.items, [{ item_id: 'item-1' }]);
  assert.equal(verified.userId, 'user-7');
  assert.equal(verified.issuedAt.toISOString(), '2030-01-01T00:00:00.000Z');
  assert.equal(verified.expiresAt.toISOString(), '2030-01-01T00:10:00.000Z');
  assert.match(verified.tokenId, /^[\w-]{22}$/);
});

test('each token has its own id', async () => {
  const [a, b] = await Promise.all([issue(), issue()]);
  const ids = await Promise.all(
    [a, b].map(async (t) => (await verifyProfileToken(t, SESSION_SECRET, { now: () => NOW })).tokenId),
  );
  assert.notEqual(ids[0], ids[1]);
});

test('refuses an expired token as expired', async () => {
  await assert.rejects(
    verifyProfileToken(await issue(), SESSION_SECRET, { now: () => NOW + 600_000 }),
    (error) => {
      assert.ok(error instanceof ProfileTokenError);
      assert.equal(error.reason, 'expired');
      return true;
    },
  );
});

test('refuses tokens that are forged, altered or signed with another secret', async () => {
  const token = await issue();
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const altered = Buffer.from(payload, 'base64url').toString().replace('Ann', 'Eve');
  const forgeries = {
    'another secret': await createProfileTokens('x'.repeat(40)).sign({
      profile: PROFILE,
      items: [],
      now: NOW,
      ttlSeconds: 600,
    }),
    'altered payload': `${header}.${Buffer.from(altered).toString('base64url')}.${signature}`,
    'alg none': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
    'raw secret as key': await new SignJWT({ profile: PROFILE, items: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('layer-onboarding')
      .setAudience('layer-onboarding/profile')
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 600)
      .setJti('x')
      .sign(new TextEncoder().encode(SESSION_SECRET)),
    garbage: 'not.a.token',
    empty: '',
  };
  for (const [name, forged] of Object.entries(forgeries))
    await assert.rejects(
      verifyProfileToken(forged, SESSION_SECRET, { now: () => NOW }),
      (error) => error instanceof ProfileTokenError && error.reason === 'invalid',
      name,
    );
});
