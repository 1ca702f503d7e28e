import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createSiteApp } from '../../server/main.js';

test('answers the health route', async () => {
  const res = await createSiteApp().request('/health');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true });
});

test('serves the widget script with a JavaScript content type', async () => {
  const app = createSiteApp();
  for (const path of ['/layer-onboarding.js', '/layer-onboarding.mjs']) {
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(await res.text(), /layer-onboarding/);
  }
});

test('serves the demo page that embeds the element', async () => {
  const res = await createSiteApp().request('/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await res.text(), /<layer-onboarding/);
});
