// The published server and emulator entries call requirePeers before loading anything else: a
// missing optional peer dependency is named, with all the others missing, and the install command.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MissingPeersError, requirePeers } from '../../server/require-peers.js';

test('names every missing package and the command that installs them', async () => {
  const error = await requirePeers('layer-onboarding/server', {
    hono: () => import('hono'),
    'not-a-package-xyz': () => import('not-a-package-xyz' as string),
    'also-missing-abc': () => import('also-missing-abc' as string),
  }).then(
    () => assert.fail('resolved'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof MissingPeersError);
  assert.deepEqual(error.missing, ['not-a-package-xyz', 'also-missing-abc']);
  assert.equal(
    error.message,
    'layer-onboarding/server needs packages that are not installed: not-a-package-xyz, also-missing-abc. ' +
      'Install them next to layer-onboarding: npm install not-a-package-xyz also-missing-abc',
  );
});

test('passes when all are installed, and lets any other failure through as it is', async () => {
  await requirePeers('layer-onboarding/emulator', { hono: () => import('hono'), jose: () => import('jose') });
  const broken = new Error('the package threw while loading');
  await assert.rejects(
    requirePeers('layer-onboarding/server', { plaid: () => Promise.reject(broken) }),
    (error) => error === broken,
  );
});
