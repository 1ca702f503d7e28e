import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Hono } from 'hono';
import { http, HttpResponse } from 'msw';

import { createLayerApi } from '../../server/index.js';
import { LINK_EXPIRATION, LINK_TOKEN, PLAID_BASE, PUBLIC_TOKEN } from './support/plaid-fixtures.js';
import {
  API_ORIGIN,
  PLAID_CREDENTIALS,
  SESSION_SECRET,
  TEMPLATE_ID,
  TestBrowser,
  assertError,
  createTestApi,
  errorCode,
  useMockPlaid,
  type RequestHandler,
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

function preflight(app: RequestHandler, origin: string, path = '/link-token') {
  return app.request(`${API}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,layer-session',
    },
  });
}

/** The header's comma-separated list, lower-cased, as a browser compares it. */
function list(res: Response, name: string): string[] {
  return (res.headers.get(name) ?? '').split(',').map((item) => item.trim().toLowerCase());
}

test('a preflight from an allowed origin grants POST with JSON and the Layer-Session header', async () => {
  const { app } = createTestApi({ allowedOrigins: [PARTNER] });
  for (const path of ['/link-token', '/session']) {
    const res = await preflight(app, PARTNER, path);
    assert.equal(res.status, 204, path);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), PARTNER);
    assert.equal(res.headers.get('Access-Control-Allow-Credentials'), 'true');
    assert.deepEqual(list(res, 'Access-Control-Allow-Methods'), ['post']);
    assert.deepEqual(list(res, 'Access-Control-Allow-Headers').sort(), ['content-type', 'layer-session']);
    assert.match(res.headers.get('Vary') ?? '', /Origin/);
  }
});

test('a page on an origin that is not allowed passes the preflight, reads a clear 403, and Plaid is never called', async () => {
  const calls = countTokenCalls();
  const { app, logs } = createTestApi({ allowedOrigins: [PARTNER] });
  const evil = 'https://evil.example';
  const pre = await preflight(app, evil);
  assert.equal(pre.status, 204);
  assert.equal(
    pre.headers.get('Access-Control-Allow-Origin'),
    evil,
    'so the page can send, and read the refusal',
  );
  assert.ok(list(pre, 'Access-Control-Allow-Headers').includes('layer-session'));

  for (const path of ['/link-token', '/session']) {
    const res = await new TestBrowser(app, evil).post(`${API}${path}`, { public_token: PUBLIC_TOKEN });
    const { message } = await assertError(res, 'ORIGIN_NOT_ALLOWED', path);
    assert.ok(message.includes(evil), `the message names the origin: ${message}`);
    assert.match(message, /allowedOrigins/);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), evil, 'the refusal is readable');
    assert.match(
      logs.at(-1) ?? '',
      new RegExp(
        `^POST ${path} 403 .*code=ORIGIN_NOT_ALLOWED origin=https://evil\\.example hint="add it to allowedOrigins`,
      ),
    );
  }
  assert.equal(calls.length, 0);
});

test('a sandboxed page (Origin: null) is told what to change in the page, never to allow null', async () => {
  const { app, logs } = createTestApi({ allowedOrigins: [PARTNER] });
  const res = await new TestBrowser(app, 'null').linkToken();
  const { message } = await assertError(res, 'ORIGIN_NOT_ALLOWED', 'Origin: null');
  assert.doesNotMatch(message, /add null/, message);
  assert.match(message, /allow-same-origin/, message);
  assert.doesNotMatch(logs.at(-1) ?? '', /add it to allowedOrigins/);
  assert.match(logs.at(-1) ?? '', /code=ORIGIN_NOT_ALLOWED origin=null hint=".*allow-same-origin/);
  // And null cannot be listed: the options refuse it, as the hint says.
  assert.throws(() => createTestApi({ allowedOrigins: ['null'] }), /allowedOrigins entry "null"/);
});

test('a POST from an allowed origin is served with CORS headers and the session handle', async () => {
  const { app } = createTestApi({ allowedOrigins: [`${PARTNER}/`] });
  const browser = new TestBrowser(app, PARTNER);
  const res = await browser.post(`${API}/link-token`, {});
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Access-Control-Allow-Origin'), PARTNER);
  assert.equal(res.headers.get('Access-Control-Allow-Credentials'), 'true');
  assert.ok(list(res, 'Access-Control-Expose-Headers').includes('x-request-id'));
  // The widget reads the token's lifetime against the server's clock (the runtime's Date header).
  assert.ok(list(res, 'Access-Control-Expose-Headers').includes('date'));
  assert.equal(res.headers.get('Set-Cookie'), null);
  assert.ok(browser.handle);
  assert.equal((await browser.post(`${API}/session`, { public_token: PUBLIC_TOKEN })).status, 200);
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
    assert.ok(list(res, 'Access-Control-Expose-Headers').includes('retry-after'));
  }
});

test('a POST from another origin, or with no Origin at all, is refused before Plaid is asked', async () => {
  const calls = countTokenCalls();
  const { app, logs } = createTestApi({ allowedOrigins: [PARTNER] });
  for (const origin of [
    'https://evil.example',
    'https://www.partner.example.evil.example',
    'http://www.partner.example',
    'https://www.partner.example:8443',
    'null',
    null,
  ]) {
    const res = await new TestBrowser(app).post(`${API}/link-token`, {}, { origin });
    await assertError(res, 'ORIGIN_NOT_ALLOWED', String(origin));
  }
  assert.match(logs.at(-1) ?? '', /code=ORIGIN_NOT_ALLOWED origin=\(none\)/);
  const session = await new TestBrowser(app).post(
    `${API}/session`,
    { public_token: PUBLIC_TOKEN },
    { origin: 'https://evil.example' },
  );
  assert.equal(session.status, 403);
  assert.equal(calls.length, 0);
});

test('Host alone never makes an origin allowed: Host and Origin both the attacker’s (DNS rebinding) is refused', async () => {
  const calls = countTokenCalls();
  const attacker = 'http://attacker.example';
  for (const options of [{ allowedOrigins: [PARTNER] }, { trustProxy: true as const }]) {
    const { app } = createTestApi(options);
    const res = await new TestBrowser(app, attacker).post(
      `${attacker}/link-token`,
      {},
      {
        headers: { Host: 'attacker.example' },
      },
    );
    await assertError(res, 'ORIGIN_NOT_ALLOWED', JSON.stringify(options));
  }
  assert.equal(calls.length, 0);
});

/** A request through a TLS-terminating proxy at https://shop.example to the API at http://10.0.0.5. */
function proxied(app: RequestHandler, origin: string, headers: Record<string, string>) {
  return new TestBrowser(app, origin).post('http://10.0.0.5:8787/link-token', {}, { headers });
}

const FORWARDED_HEADERS: Record<
  string,
  { headers: Record<string, string>; header: 'x-forwarded' | 'forwarded'; other: Record<string, string> }
> = {
  'X-Forwarded-Host and -Proto': {
    headers: { 'X-Forwarded-Host': 'shop.example', 'X-Forwarded-Proto': 'https' },
    header: 'x-forwarded',
    other: { Forwarded: 'host=shop.example;proto=https' },
  },
  'Forwarded host= and proto=': {
    headers: { Forwarded: 'for=198.51.100.7;host=shop.example;proto=https' },
    header: 'forwarded',
    other: { 'X-Forwarded-Host': 'shop.example', 'X-Forwarded-Proto': 'https' },
  },
};

for (const [name, { headers, header, other }] of Object.entries(FORWARDED_HEADERS)) {
  test(`the page origin from ${name} is allowed only with trustProxy set for that header`, async () => {
    const trusting = createTestApi({ trustProxy: { header }, allowedOrigins: [] });
    await assertError(
      await proxied(trusting.app, 'https://shop.example', other),
      'ORIGIN_NOT_ALLOWED',
      'the other header family, which the proxy passes through from the client',
    );
    assert.equal((await proxied(trusting.app, 'https://shop.example', headers)).status, 200);
    await assertError(
      await proxied(trusting.app, 'https://evil.example', headers),
      'ORIGIN_NOT_ALLOWED',
      'another origin than the proxy reports',
    );
    await assertError(
      await proxied(trusting.app, 'http://shop.example', headers),
      'ORIGIN_NOT_ALLOWED',
      'another scheme than the proxy reports',
    );

    const { app, logs } = createTestApi({ allowedOrigins: [PARTNER] });
    await assertError(
      await proxied(app, 'https://shop.example', headers),
      'ORIGIN_NOT_ALLOWED',
      'no trustProxy',
    );
    assert.match(
      logs.at(-1) ?? '',
      /origin=https:\/\/shop\.example hint="[^"]*allowedOrigins[^"]*trustProxy/,
    );
  });
}

test('behind several proxies the nearest one’s forwarded host counts, not one a client put first', async () => {
  const headerSets: Array<[Record<string, string>, 'x-forwarded' | 'forwarded']> = [
    [
      { 'X-Forwarded-Host': 'evil.example, shop.example', 'X-Forwarded-Proto': 'https, https' },
      'x-forwarded',
    ],
    [{ Forwarded: 'host=evil.example;proto=https, host=shop.example;proto=https' }, 'forwarded'],
  ];
  for (const [headers, header] of headerSets) {
    const { app } = createTestApi({ trustProxy: { hops: 2, header } });
    const label = JSON.stringify(headers);
    assert.equal((await proxied(app, 'https://shop.example', headers)).status, 200, label);
    await assertError(await proxied(app, 'https://evil.example', headers), 'ORIGIN_NOT_ALLOWED', label);
  }
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
      allowedOrigins: [API_ORIGIN],
      logger: (line) => logs.push(line),
    }),
  );
  const browser = new TestBrowser(site);
  const ok = await browser.post('/api/layer/link-token');
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), {
    link_token: LINK_TOKEN,
    expiration: LINK_EXPIRATION,
    session_handle: browser.handle,
  });
  const exchanged = await browser.post('/api/layer/session', { public_token: PUBLIC_TOKEN });
  assert.equal(exchanged.status, 200, 'the handle works through the mount');
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
  assert.match(logs[1] ?? '', /^POST \/api\/layer\/session 200 \d+ms id=/);
  assert.match(logs[2] ?? '', /^POST \/api\/layer\/session 400 \d+ms id=\S+ code=INVALID_JSON$/);
});
