/**
 * server/crypto.ts computes its hashes and HMACs with Node's crypto module where the runtime has
 * one and with Web Crypto elsewhere (Deno without Node compatibility, Workers, browsers). Both
 * paths must give the same bytes, or handles and tokens signed on one runtime would fail on the
 * other: each is checked here against the other and against a known answer.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';

import { jwtVerify } from 'jose';

import { createHashing, findNodeCrypto, sha256Hex, toHex } from '../../server/crypto.js';
import { createProfileTokens, verifyProfileToken } from '../../server/profile.js';

const node = findNodeCrypto();
const web = createHashing(undefined);
const onNode = createHashing(node);

test('Node offers its crypto module through process.getBuiltinModule, so the fast path is taken', () => {
  assert.ok(node, 'process.getBuiltinModule("node:crypto") should be found on Node ≥ 20.16');
});

test('SHA-256 is the same on both paths and matches the known digest of "abc"', async () => {
  const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  assert.equal(await web.sha256Hex('abc'), abc);
  assert.equal(await onNode.sha256Hex('abc'), abc);
  assert.equal(await sha256Hex(new TextEncoder().encode('abc')), abc);
  for (const text of ['', 'link-sandbox-1234', 'é ü ☃ 𝄞'])
    assert.equal(await onNode.sha256Hex(text), await web.sha256Hex(text));
});

test('HMACs, derived keys and signers agree on both paths', async () => {
  const secret = 'a-session-secret-of-at-least-32-characters';
  assert.equal(
    toHex(await onNode.hmac(secret, 'message')),
    createHmac('sha256', secret).update('message').digest('hex'),
  );
  assert.deepEqual(await onNode.hmac(secret, 'message'), await web.hmac(secret, 'message'));
  assert.deepEqual(await onNode.deriveKey(secret, 'user-id'), await web.deriveKey(secret, 'user-id'));
  assert.notDeepEqual(
    await onNode.deriveKey(secret, 'user-id'),
    await onNode.deriveKey(secret, 'profile-token'),
  );

  const fast = onNode.createSigner(secret, 'session-handle');
  const portable = web.createSigner(secret, 'session-handle');
  const signature = await fast.sign('v1.payload');
  assert.deepEqual(signature, await portable.sign('v1.payload'));
  assert.equal(await portable.verify('v1.payload', signature), true);
  assert.equal(await fast.verify('v1.payload', await portable.sign('v1.payload')), true);
  const forged = new Uint8Array(signature);
  forged[0]! ^= 1;
  assert.equal(await fast.verify('v1.payload', forged), false);
  assert.equal(await fast.verify('v1.payload', signature.slice(0, 31)), false);
  assert.equal(await fast.verify('v1.other', signature), false);
});

test('a profile token is a standard HS256 JWT under the derived profile-token key', async () => {
  const secret = 'a-session-secret-of-at-least-32-characters';
  const profile = {
    name: { first_name: 'Leslie', last_name: 'Knope' },
    address: null,
    phone_number: '+14155550011',
    email: null,
    date_of_birth: null,
    ssn_last_4: '4321',
  };
  const now = Date.now();
  const token = await createProfileTokens(secret).sign({
    profile,
    items: [{ item_id: 'item-1' }],
    userId: 'user-1',
    now,
    ttlSeconds: 600,
  });
  const { payload, protectedHeader } = await jwtVerify(token, await web.deriveKey(secret, 'profile-token'), {
    algorithms: ['HS256'],
  });
  assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
  assert.equal(payload.iss, 'layer-onboarding');
  assert.equal(payload.aud, 'layer-onboarding/profile');
  assert.equal(payload.sub, 'user-1');
  assert.equal(payload.exp, Math.floor(now / 1000) + 600);
  const verified = await verifyProfileToken(token, secret);
  assert.deepEqual(verified.profile, profile);
  assert.equal(verified.userId, 'user-1');
  await assert.rejects(verifyProfileToken(token, 'another-secret-of-at-least-32-characters!'));
});
