import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Hono } from 'hono';
import { http, HttpResponse } from 'msw';

import { createLayerApi } from '../../server/index.js';
import { LINK_EXPIRATION, LINK_TOKEN, PLAID_BASE, PUBLIC_TOKEN } from './support/plaid-fixtures.js';
import {
  PLAID_CREDENTIALS,
  SESSION_SECRET,
  TEMPLATE_ID,
  TestBrowser,
  createTestApi,
  errorCode,
  useMockPlaid,
} from './support/test-api.js';

const { server } = await useMockPlaid();
const PARTNER = 'https://www.partner.example';
const API = 'https://api.partner.example';

function countTokenCalls() {
  const calls: unknown[] = [];
  server.use(
    http.post(`${PLAID_BASE}/session/token/create`, () => {
      calls.push(1);
      return HttpResponse.json({
        link: { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION },
        request_id: 'r',
      });
    }),
  );
  return calls;
}

function preflight(app: { request: TestBrowser['app']['request'] }, origin: string, path = '/link-token') {
  return app.request(`${API}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    },
  });
}

test('a preflight from an allowed origin grants POST with credentials and JSON', async () => {
  const { app } = createTestApi({ allowedOrigins: [PARTNER] });
  for (const path of ['/link-token', '/session']) {
    const res = await preflight(app, PARTNER, path);
    assert.equal(res.status, 204, path);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), PARTNER);
    assert.equal(res.headers.get('Access-Control-Allow-Credentials'), 'true');
    assert.equal(res.headers.get('Access-Control-Allow-Methods'), 'POST');
    assert.equal(res.headers.get('Access-Control-Allow-Headers'), 'Content-Type');
    assert.match(res.headers.get('Vary') ?? '', /Origin/);
  }
});

test('a preflight from any other origin grants nothing', async () => {
  const { app } = createTestApi({ allowedOrigins: [PARTNER] });
  for (const origin of [
    'https://evil.example',
    'https://www.partner.example.evil.example',
    'http://www.partner.example',
  ]) {
    const res = await preflight(app, origin);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), null, origin);
  }
});

test('a POST from an allowed origin is served with CORS headers and the session cookie', async () => {
  const { app } = createTestApi({ allowedOrigins: [`${PARTNER}/`] });
  const browser = new TestBrowser(app, PARTNER);
  const res = await browser.post(`${API}/link-token`, {});
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Access-Control-Allow-Origin'), PARTNER);
  assert.equal(res.headers.get('Access-Control-Allow-Credentials'), 'true');
  assert.match(res.headers.get('Access-Control-Expose-Headers') ?? '', /X-Request-Id/);
  assert.equal(browser.setCookies.length, 1);
});

test('errors answered to an allowed origin carry CORS headers too, so the widget can read the code', async () => {
  const { app } = createTestApi({ allowedOrigins: [PARTNER] });
  const browser = new TestBrowser(app, PARTNER);
  for (const res of [
    await browser.post(`${API}/session`, { public_token: PUBLIC_TOKEN }),
    await browser.post(`${API}/session`, undefined, { raw: 'nope' }),
  ]) {
    assert.ok(res.status >= 400);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), PARTNER);
    assert.equal(res.headers.get('Access-Control-Allow-Credentials'), 'true');
    assert.match(res.headers.get('Access-Control-Expose-Headers') ?? '', /Retry-After/);
  }
});

test('a POST from a foreign origin, or with no Origin at all, is refused before Plaid is asked', async () => {
  const calls = countTokenCalls();
  const { app } = createTestApi({ allowedOrigins: [PARTNER] });
  for (const origin of [
    'https://evil.example',
    'null',
    'https://api.partner.example:8443',
    'http://api.partner.example',
    null,
  ]) {
    const res = await new TestBrowser(app).post(`${API}/link-token`, {}, { origin });
    assert.equal(res.status, 403, String(origin));
    assert.equal(await errorCode(res), 'ORIGIN_NOT_ALLOWED');
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), null);
  }
  const session = await new TestBrowser(app).post(
    `${API}/session`,
    { public_token: PUBLIC_TOKEN },
    { origin: 'https://evil.example' },
  );
  assert.equal(session.status, 403);
  assert.equal(calls.length, 0);
});

test('the same origin is always allowed, and its https form behind a TLS-terminating proxy', async () => {
  const { app } = createTestApi();
  assert.equal((await new TestBrowser(app, 'http://localhost').post('/link-token')).status, 200);
  const proxied = await app.request('http://shop.example/link-token', {
    method: 'POST',
    headers: { Origin: 'https://shop.example', 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(proxied.status, 200);
});

test('every answer, errors included, carries a request id, no-store and security headers', async () => {
  const { app, logs } = createTestApi();
  const browser = new TestBrowser(app);
  const answers = [
    await browser.post('/link-token'),
    await browser.post('/session', {}),
    await browser.post('/link-token', {}, { origin: 'https://evil.example' }),
    await app.request('/nowhere'),
  ];
  const ids = new Set<string>();
  for (const res of answers) {
    const id = res.headers.get('X-Request-Id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    ids.add(id);
    assert.equal(res.headers.get('Cache-Control'), 'no-store');
    assert.equal(res.headers.get('X-Content-Type-Options'), 'nosniff');
    assert.equal(res.headers.get('X-Frame-Options'), 'SAMEORIGIN');
    assert.equal(res.headers.get('Referrer-Policy'), 'no-referrer');
    assert.match(res.headers.get('Content-Type') ?? '', /^application\/json/);
  }
  assert.equal(ids.size, answers.length);
  assert.equal(logs.length, answers.length);
  for (const [i, id] of [...ids].entries()) assert.ok(logs[i]?.includes(`id=${id}`), logs[i]);
});

test('a client cannot choose its own request id', async () => {
  const { app } = createTestApi();
  const res = await new TestBrowser(app).post(
    '/link-token',
    {},
    { headers: { 'X-Request-Id': 'forged-id' } },
  );
  assert.notEqual(res.headers.get('X-Request-Id'), 'forged-id');
});

test('mounted under /api/layer in another Hono app, routes, errors and logs keep working', async () => {
  const logs: string[] = [];
  const site = new Hono();
  site.get('/', (c) => c.text('partner home', 200));
  site.route(
    '/api/layer',
    createLayerApi({
      plaid: PLAID_CREDENTIALS,
      templateId: TEMPLATE_ID,
      sessionSecret: SESSION_SECRET,
      logger: (line) => logs.push(line),
    }),
  );
  const browser = new TestBrowser(site);
  const ok = await browser.post('/api/layer/link-token');
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION });
  const bad = await browser.post('/api/layer/session', undefined, { raw: 'nope' });
  assert.equal(bad.status, 400);
  assert.equal(await errorCode(bad), 'INVALID_JSON');
  assert.equal((await site.request('/')).status, 200);
  assert.equal(
    (await site.request('/')).headers.get('Cache-Control'),
    null,
    'the partner’s own routes are untouched',
  );
  assert.match(logs[0] ?? '', /^POST \/api\/layer\/link-token 200 \d+ms id=/);
  assert.match(logs[1] ?? '', /^POST \/api\/layer\/session 400 \d+ms id=\S+ code=INVALID_JSON$/);
});
