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

test('passes when all are installed, without loading them', async () => {
  // Installed peers are only resolved: a partner's server does not pay for loading `plaid` (~0.7 s)
  // at import, when the server loads it on its first Plaid call.
  const notLoaded = () => Promise.reject(new Error('an installed peer was loaded'));
  await requirePeers('layer-onboarding/server', { hono: notLoaded, jose: notLoaded, plaid: notLoaded });
});

test('loads a package that does not resolve on disk, as in a bundle that inlines it', async () => {
  const loaded: string[] = [];
  await requirePeers('layer-onboarding/server', {
    hono: () => import('hono'),
    'inlined-xyz': async () => loaded.push('inlined-xyz'),
  });
  assert.deepEqual(loaded, ['inlined-xyz']);
});

test('lets any other failure of a package it loads through as it is', async () => {
  const broken = new Error('the package threw while loading');
  await assert.rejects(
    requirePeers('layer-onboarding/server', { 'broken-xyz': () => Promise.reject(broken) }),
    (error) => error === broken,
  );
});
