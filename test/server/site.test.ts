import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { Hono } from 'hono';

import { createPlaidEmulator } from '../../emulator/index.js';
import {
  EMULATOR_LINK_SCRIPT,
  createSiteApp,
  demoContentSecurityPolicy,
  injectLinkScriptSrc,
  injectNonce,
  packageVersion,
  widgetPath,
} from '../../server/site.js';

let root: string;

before(async () => {
  // A site folder of our own, so these tests do not depend on what the demo looks like today.
  root = await mkdtemp(join(tmpdir(), 'layer-site-'));
  await mkdir(join(root, 'demo', 'assets'), { recursive: true });
  await mkdir(join(root, 'dist'));
  await writeFile(
    join(root, 'demo', 'index.html'),
    '<!doctype html><title>Demo</title><layer-onboarding api="/api/layer"></layer-onboarding>',
  );
  await writeFile(join(root, 'demo', 'assets', 'site.css'), 'body { color: teal }');
  await writeFile(join(root, 'demo', 'assets', 'app.js'), 'console.log("demo")');
  await writeFile(join(root, 'demo', '.env'), 'SECRET=1');
  await mkdir(join(root, 'demo', '.git'));
  await writeFile(join(root, 'demo', '.git', 'config'), 'SECRET=2');
  await writeFile(join(root, 'secret.txt'), 'outside the demo folder');
  await writeFile(join(root, 'dist', 'layer-onboarding.js'), '/* layer-onboarding iife */');
  await writeFile(join(root, 'dist', 'layer-onboarding.mjs'), '/* layer-onboarding esm */');
  await writeFile(join(root, 'dist', 'layer-onboarding.js.map'), '{"version":3}');
  await writeFile(join(root, 'dist', 'layer-onboarding.dev.js'), '/* layer-onboarding iife, development */');
  await writeFile(join(root, 'dist', 'layer-onboarding.dev.mjs'), '/* layer-onboarding esm, development */');
});

after(() => rm(root, { recursive: true, force: true }));

test('answers the health route', async () => {
  const res = await createSiteApp({ root }).request('/health');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true });
});

test('serves the widget builds, production and development, and their source maps', async () => {
  const app = createSiteApp({ root });
  for (const [path, type, text] of [
    ['/layer-onboarding.js', /^text\/javascript/, /iife/],
    ['/layer-onboarding.mjs', /^text\/javascript/, /esm/],
    ['/layer-onboarding.js.map', /^application\/json/, /version/],
    ['/layer-onboarding.dev.js', /^text\/javascript/, /iife, development/],
    ['/layer-onboarding.dev.mjs', /^text\/javascript/, /esm, development/],
  ] as const) {
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', type);
    assert.match(await res.text(), text);
  }
  const missing = await app.request('/layer-onboarding.mjs.map');
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /npm run build/);
});

test('serves the repository’s built widget and demo page', async () => {
  const app = createSiteApp();
  assert.match(await (await app.request('/layer-onboarding.js')).text(), /layer-onboarding/);
  const page = await app.request('/');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await page.text(), /<layer-onboarding/);
});

test('sends the built widget and the demo page gzipped to browsers that accept it, the same bytes, and a 304 either way', async () => {
  const app = createSiteApp();
  const gzip = { 'Accept-Encoding': 'gzip, deflate, br, zstd' };
  const plain = await app.request('/layer-onboarding.js');
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.match(plain.headers.get('vary') ?? '', /accept-encoding/i);
  const file = Buffer.from(await plain.arrayBuffer());

  const zipped = await app.request('/layer-onboarding.js', { headers: gzip });
  assert.equal(zipped.headers.get('content-encoding'), 'gzip');
  assert.match(zipped.headers.get('vary') ?? '', /accept-encoding/i);
  assert.equal(zipped.headers.get('x-content-type-options'), 'nosniff');
  const body = Buffer.from(await zipped.arrayBuffer());
  assert.ok(body.length < file.length / 2, `${body.length} B gzip of ${file.length} B`);
  assert.ok(gunzipSync(body).equals(file), 'the same bytes (so the SRI hash holds)');
  // One weak validator for the file, whichever encoding carries it.
  const etag = zipped.headers.get('etag') ?? '';
  assert.match(etag, /^W\/"/);
  assert.equal(etag, plain.headers.get('etag'));
  const unchanged = await app.request('/layer-onboarding.js', {
    headers: { ...gzip, 'If-None-Match': etag },
  });
  assert.equal(unchanged.status, 304);
  assert.match(unchanged.headers.get('vary') ?? '', /accept-encoding/i);
  assert.equal(unchanged.headers.get('etag'), etag);
  assert.equal(await unchanged.text(), '');

  const page = await app.request('/', { headers: gzip });
  assert.equal(page.headers.get('content-encoding'), 'gzip');
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.match(gunzipSync(Buffer.from(await page.arrayBuffer())).toString(), /<layer-onboarding/);
  // The API's small JSON answers are left alone.
  assert.equal((await app.request('/health', { headers: gzip })).headers.get('content-encoding'), null);
});

test('serves the demo page at / and the other files under demo/', async () => {
  const app = createSiteApp({ root });
  const page = await app.request('/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await page.text(), /<layer-onboarding api="\/api\/layer">/);
  assert.equal((await app.request('/index.html')).status, 200);
  const css = await app.request('/assets/site.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  assert.equal(await css.text(), 'body { color: teal }');
  assert.match((await app.request('/assets/app.js')).headers.get('content-type') ?? '', /^text\/javascript/);
});

test('never serves anything outside demo/, nor hidden files', async () => {
  const app = createSiteApp({ root });
  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/.env',
    '/%2eenv',
    '/.git/config',
    '/assets/../.git/config',
    '/nope.html',
    '/%E0%A4%A',
  ]) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(await res.text(), /outside the demo|SECRET/, path);
  }
});

test('a missing favicon is a 204, not a console error in the browser', async () => {
  assert.equal((await createSiteApp({ root }).request('/favicon.ico')).status, 204);
});

test('in emulator mode the demo page loads the emulator’s Link script', async () => {
  const app = createSiteApp({ root, linkScriptSrc: EMULATOR_LINK_SCRIPT });
  const page = await app.request('/');
  const html = await page.text();
  assert.match(
    html,
    /<layer-onboarding link-script-src="\/plaid\/link\/v2\/stable\/link-initialize\.js" api="\/api\/layer">/,
  );
  // The file's length would cut the longer page short in the browser.
  const length = page.headers.get('content-length');
  assert.ok(length === null || Number(length) === Buffer.byteLength(html), `content-length ${length}`);
  const head = await app.request('/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), null);
  // Other files are served as they are.
  assert.equal(await (await app.request('/assets/site.css')).text(), 'body { color: teal }');
});

test('injectLinkScriptSrc fills every tag that has no link-script-src and leaves the rest', () => {
  const html =
    '<layer-onboarding></layer-onboarding><LAYER-ONBOARDING\n  phone="1"></LAYER-ONBOARDING>' +
    '<layer-onboarding link-script-src="/mine.js"></layer-onboarding><layer-onboarding-x></layer-onboarding-x>';
  assert.equal(
    injectLinkScriptSrc(html, '/a.js?x="1"&y'),
    '<layer-onboarding link-script-src="/a.js?x=&quot;1&quot;&amp;y"></layer-onboarding>' +
      '<LAYER-ONBOARDING link-script-src="/a.js?x=&quot;1&quot;&amp;y"\n  phone="1"></LAYER-ONBOARDING>' +
      '<layer-onboarding link-script-src="/mine.js"></layer-onboarding><layer-onboarding-x></layer-onboarding-x>',
  );
});

test('a policy function gets a fresh nonce per page, and each <layer-onboarding> tag gets it too', async () => {
  assert.equal(
    injectNonce(
      '<layer-onboarding api="/x"></layer-onboarding><layer-onboarding nonce="k"></layer-onboarding>',
      'n1',
    ),
    '<layer-onboarding nonce="n1" api="/x"></layer-onboarding><layer-onboarding nonce="k"></layer-onboarding>',
  );
  const app = createSiteApp({
    root,
    contentSecurityPolicy: (nonce) => demoContentSecurityPolicy({ plaid: true }, nonce),
  });
  const nonces = [];
  for (const _ of [1, 2]) {
    const page = await app.request('/');
    const html = await page.text();
    const nonce = /<layer-onboarding[^>]*\snonce="([^"]+)"/.exec(html)?.[1];
    assert.ok(nonce, html);
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    assert.match(
      page.headers.get('content-security-policy') ?? '',
      new RegExp(`style-src 'self' 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`),
    );
    nonces.push(nonce);
  }
  assert.notEqual(nonces[0], nonces[1]);
  const head = await app.request('/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.match(head.headers.get('content-security-policy') ?? '', /'nonce-/);
});

test('mounts the API at /api/layer and the emulator at /plaid', async () => {
  const api = new Hono().post('/link-token', (c) => c.json({ from: 'api' }, 200));
  const app = createSiteApp({ root, api, emulator: createPlaidEmulator() });
  const fromApi = await app.request('/api/layer/link-token', { method: 'POST' });
  assert.deepEqual(await fromApi.json(), { from: 'api' });
  const script = await app.request(EMULATOR_LINK_SCRIPT);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type') ?? '', /javascript/);
  const zipped = await app.request(EMULATOR_LINK_SCRIPT, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(zipped.headers.get('content-encoding'), 'gzip', 'Link assets travel gzipped, as from Plaid');
  assert.equal(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString(), await script.text());
  const plaid = await app.request('/plaid/session/token/create', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(plaid.status, 400, 'the emulator answers as Plaid: no credentials');
  assert.equal(((await plaid.json()) as { error_code: string }).error_code, 'MISSING_FIELDS');
});

test('demo pages carry a strict CSP, no referrer and no framing; other files only nosniff', async () => {
  const app = createSiteApp({ root });
  const page = await app.request('/');
  assert.equal(
    page.headers.get('content-security-policy'),
    "default-src 'self'; script-src 'self'; frame-src 'self'; connect-src 'self'; style-src 'self'; " +
      "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
      "require-trusted-types-for 'script'; trusted-types lit-html layer-onboarding default",
  );
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const script = await app.request('/assets/app.js');
  assert.equal(script.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(script.headers.get('content-security-policy'), null);
  const widget = await app.request('/layer-onboarding.js');
  assert.equal(widget.headers.get('x-content-type-options'), 'nosniff');
});

test('the policy names Link’s origins, and a link-script-src function is asked per request', async () => {
  const policy = demoContentSecurityPolicy({ emulatorOrigins: ['http://localhost:1', 'http://127.0.0.1:1'] });
  assert.match(policy, /script-src 'self' http:\/\/localhost:1 http:\/\/127\.0\.0\.1:1;/);
  assert.match(policy, /frame-src 'self' http:\/\/localhost:1 http:\/\/127\.0\.0\.1:1;/);
  assert.doesNotMatch(policy, /unsafe/);
  // Trusted Types enforced, with only the policy names the README lists (not with real Plaid).
  assert.match(
    policy,
    /; require-trusted-types-for 'script'; trusted-types lit-html layer-onboarding default$/,
  );
  assert.doesNotMatch(demoContentSecurityPolicy({ plaid: true }, 'n0nce'), /trusted-types/);
  const seen: string[] = [];
  const app = createSiteApp({
    root,
    contentSecurityPolicy: policy,
    linkScriptSrc: (url) => {
      seen.push(url.host);
      return `http://other.test${EMULATOR_LINK_SCRIPT}`;
    },
  });
  const page = await app.request('http://page.test/');
  assert.equal(page.headers.get('content-security-policy'), policy);
  assert.match(await page.text(), /link-script-src="http:\/\/other\.test\/plaid\/link/);
  assert.deepEqual(seen, ['page.test']);
});

test('serves the widget at a versioned URL, immutable and loadable cross-origin, and at the plain URL revalidated', async () => {
  const app = createSiteApp({ root, version: '1.2.3' });
  for (const name of ['layer-onboarding.js', 'layer-onboarding.mjs']) {
    const path = widgetPath('1.2.3', name);
    assert.equal(path, `/layer-onboarding@1.2.3/${name}`);
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.match(await res.text(), name.endsWith('.mjs') ? /esm/ : /iife/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const etag = res.headers.get('etag');
    assert.ok(etag, 'an ETag');
    const again = await app.request(path, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  }

  const plain = await app.request('/layer-onboarding.js');
  assert.equal(plain.headers.get('cache-control'), 'no-cache');
  assert.equal(plain.headers.get('access-control-allow-origin'), '*');
  assert.equal(plain.headers.get('cross-origin-resource-policy'), 'cross-origin');
  const etag = plain.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const unchanged = await app.request('/layer-onboarding.js', { headers: { 'If-None-Match': etag } });
  assert.equal(unchanged.status, 304);
  assert.equal(await unchanged.text(), '');

  // Another version is not this one, and is never served as if it were.
  assert.equal((await app.request(widgetPath('1.2.4'))).status, 404);
});

test('the default version is package.json’s', async () => {
  const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  assert.equal(packageVersion(), version);
  const res = await createSiteApp({ root }).request(widgetPath(version));
  assert.equal(res.status, 200);
});
