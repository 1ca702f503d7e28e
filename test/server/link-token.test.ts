import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Hono } from 'hono';
import { delay, http, HttpResponse } from 'msw';

import type { LinkTokenResponse } from '../../contract/index.js';
import { LINK_EXPIRATION, LINK_TOKEN, PLAID_BASE, plaidError } from './support/plaid-fixtures.js';
import { TEMPLATE_ID, TestBrowser, createTestApi, errorCode, useMockPlaid } from './support/test-api.js';

const { server } = await useMockPlaid();
const CREATE = `${PLAID_BASE}/session/token/create`;

/** Answers the queued responses in order, then the happy path; counts the calls. */
function sequence(...responses: (() => Response | Promise<Response>)[]) {
  const calls: unknown[] = [];
  server.use(
    http.post(CREATE, async ({ request }) => {
      calls.push(await request.json());
      const next = responses[calls.length - 1];
      if (next) return next();
      return HttpResponse.json({
        link: { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION },
        request_id: 'ok',
      });
    }),
  );
  return calls;
}

const plaid500 = () =>
  HttpResponse.json(plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR', 'req500'), { status: 500 });

test('answers 200 with the Link token, its expiration and a session handle, and sets no cookie', async () => {
  const { app } = createTestApi();
  const res = await new TestBrowser(app).linkToken();
  assert.equal(res.status, 200);
  const body = (await res.json()) as LinkTokenResponse;
  assert.deepEqual(Object.keys(body).sort(), ['expiration', 'link_token', 'session_handle']);
  assert.equal(body.link_token, LINK_TOKEN);
  assert.equal(body.expiration, LINK_EXPIRATION);
  assert.match(body.session_handle, /^v1\.[\w-]+\.[\w-]+$/);
  assert.ok(!body.session_handle.includes(LINK_TOKEN), 'the handle names the Link token by hash only');
  assert.equal(res.headers.get('Set-Cookie'), null);
  assert.equal(res.headers.get('Cache-Control'), 'no-store');
  assert.match(res.headers.get('X-Request-Id') ?? '', /^[0-9a-f-]{36}$/);
});

test('an empty body is accepted like {}', async () => {
  const { app } = createTestApi();
  const res = await new TestBrowser(app).post('/link-token', undefined, { raw: '' });
  assert.equal(res.status, 200);
});

test('asks Plaid for a Layer session token with the template, a pseudonymous user, webhook and redirect', async () => {
  const calls = sequence();
  const { app } = createTestApi({
    webhookUrl: 'https://partner.example/api/layer/webhook',
    redirectUri: 'https://partner.example/oauth',
    getUserId: () => 'leslie@knope.com',
  });
  assert.equal((await new TestBrowser(app).linkToken()).status, 200);
  const [body] = calls as [
    { template_id: string; user: { client_user_id: string }; webhook: string; redirect_uri: string },
  ];
  assert.equal(body.template_id, TEMPLATE_ID);
  assert.equal(body.webhook, 'https://partner.example/api/layer/webhook');
  assert.equal(body.redirect_uri, 'https://partner.example/oauth');
  assert.match(body.user.client_user_id, /^[0-9a-f]{32}$/);
  assert.ok(!JSON.stringify(body).includes('knope'), 'the user id (an email here) never reaches Plaid');
});

test('the same user always gets the same client_user_id, another user another one', async () => {
  const calls = sequence();
  let user = 'user-1';
  const { app } = createTestApi({ getUserId: () => user });
  const browser = new TestBrowser(app);
  await browser.linkToken();
  await browser.linkToken();
  user = 'user-2';
  await browser.linkToken();
  const ids = (calls as { user: { client_user_id: string } }[]).map((call) => call.user.client_user_id);
  assert.equal(ids[0], ids[1]);
  assert.notEqual(ids[0], ids[2]);
});

test('with getUserId, a signed-out caller gets 401 and no handle', async () => {
  const calls = sequence();
  const { app } = createTestApi({ getUserId: () => null });
  const browser = new TestBrowser(app);
  const res = await browser.linkToken();
  assert.equal(res.status, 401);
  assert.equal(await errorCode(res), 'NO_SESSION');
  assert.equal(browser.handle, null);
  assert.equal(calls.length, 0, 'Plaid is not asked');
});

test('retries a Plaid 5xx with backoff and succeeds', async () => {
  const calls = sequence(plaid500, plaid500);
  const { app } = createTestApi();
  const res = await new TestBrowser(app).linkToken();
  assert.equal(res.status, 200);
  assert.equal(calls.length, 3);
});

test('gives up after the configured retries with 502 and Plaid’s request id', async () => {
  const calls = sequence(plaid500, plaid500, plaid500, plaid500);
  const { app, logs } = createTestApi({ retries: 1 });
  const res = await new TestBrowser(app).linkToken();
  assert.equal(res.status, 502);
  const body = (await res.json()) as { error: { code: string; plaid_request_id: string } };
  assert.equal(body.error.code, 'PLAID_ERROR');
  assert.equal(body.error.plaid_request_id, 'req500');
  assert.equal(calls.length, 2);
  assert.match(
    logs.at(-1) ?? '',
    /502 .*code=PLAID_ERROR plaid_error=INTERNAL_SERVER_ERROR plaid_request_id=req500/,
  );
});

test('retries a timed-out attempt, and answers 503 when every attempt times out', async () => {
  const hang = async () => {
    await delay('infinite');
    return new Response();
  };
  const calls = sequence(hang);
  const { app } = createTestApi({ timeoutMs: 1_000 });
  assert.equal((await new TestBrowser(app).linkToken()).status, 200);
  assert.equal(calls.length, 2);

  const stuck = sequence(hang, hang, hang);
  const res = await new TestBrowser(createTestApi({ timeoutMs: 30, retries: 2 }).app).linkToken();
  assert.equal(res.status, 503);
  assert.equal(await errorCode(res), 'PLAID_TIMEOUT');
  assert.equal(stuck.length, 3);
});

test('a network failure is retried, then answered 503', async () => {
  const calls = sequence(
    () => HttpResponse.error(),
    () => HttpResponse.error(),
    () => HttpResponse.error(),
  );
  const res = await new TestBrowser(createTestApi().app).linkToken();
  assert.equal(res.status, 503);
  assert.equal(await errorCode(res), 'PLAID_UNREACHABLE');
  assert.equal(calls.length, 3);
});

test('Plaid planned maintenance (503) answers 503', async () => {
  sequence(
    ...Array(3).fill(() =>
      HttpResponse.json(plaidError('API_ERROR', 'PLANNED_MAINTENANCE', 'reqMaint'), { status: 503 }),
    ),
  );
  const res = await new TestBrowser(createTestApi().app).linkToken();
  assert.equal(res.status, 503);
  assert.equal(await errorCode(res), 'PLAID_UNAVAILABLE');
});

test('a Plaid 4xx is not retried and answers 502; Plaid’s code is in the log line, not the answer', async () => {
  const calls = sequence(() =>
    HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_API_KEYS', 'reqKeys'), { status: 400 }),
  );
  const { app, logs } = createTestApi();
  const res = await new TestBrowser(app).linkToken();
  assert.equal(res.status, 502);
  const body = (await res.json()) as { error: { code: string; message: string; plaid_request_id: string } };
  assert.equal(body.error.code, 'PLAID_REQUEST_REJECTED');
  assert.doesNotMatch(body.error.message, /INVALID_API_KEYS/);
  assert.equal(body.error.plaid_request_id, 'reqKeys');
  assert.match(logs.at(-1) ?? '', /plaid_error=INVALID_API_KEYS plaid_request_id=reqKeys hint=/);
  assert.equal(calls.length, 1);
});

test('Plaid rate limiting answers 429 with Retry-After, not retried', async () => {
  const calls = sequence(() =>
    HttpResponse.json(plaidError('RATE_LIMIT_EXCEEDED', 'RATE_LIMIT', 'reqRate'), {
      status: 429,
      headers: { 'Retry-After': '7' },
    }),
  );
  const res = await new TestBrowser(createTestApi().app).linkToken();
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('Retry-After'), '7');
  const body = (await res.json()) as { error: { code: string; plaid_request_id: string } };
  assert.equal(body.error.code, 'PLAID_RATE_LIMITED');
  assert.equal(body.error.plaid_request_id, 'reqRate');
  assert.equal(calls.length, 1);
});

test('Plaid rate limiting without Retry-After still tells the browser when to retry', async () => {
  sequence(() => HttpResponse.json(plaidError('RATE_LIMIT_EXCEEDED', 'RATE_LIMIT'), { status: 429 }));
  const res = await new TestBrowser(createTestApi().app).linkToken();
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers.get('Retry-After')) > 0);
});

test('a 2xx answer without a link token is a 502', async () => {
  sequence(() => HttpResponse.json({ request_id: 'reqOdd' }));
  const res = await new TestBrowser(createTestApi().app).linkToken();
  assert.equal(res.status, 502);
  assert.equal(await errorCode(res), 'PLAID_BAD_RESPONSE');
});

test('rate-limits each visitor, known by its handle, with Retry-After until the window ends', async () => {
  let time = Date.parse('2030-01-01T00:00:00Z');
  const { app, logs } = createTestApi({
    now: () => time,
    rateLimits: { linkTokenPerVisitor: { limit: 2, windowSeconds: 60 } },
  });
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  assert.equal((await browser.linkToken()).status, 200);
  time += 15_000;
  const limited = await browser.linkToken();
  assert.equal(limited.status, 429);
  assert.equal(await errorCode(limited), 'RATE_LIMITED');
  assert.equal(limited.headers.get('Retry-After'), '45');
  assert.match(
    logs.at(-1) ?? '',
    / 429 .*code=RATE_LIMITED limit=linkTokenPerVisitor=2\/60s hint="raise rateLimits\.linkTokenPerVisitor/,
  );

  assert.equal((await new TestBrowser(app).linkToken()).status, 200, 'another visitor is not limited');
  time += 45_000;
  assert.equal((await browser.linkToken()).status, 200, 'a new window starts');
});

/**
 * A new visitor's `/link-token` from a given client address, to an API that allows each address
 * 2 Link tokens in 10 minutes.
 */
function requestsFromAddresses(): (address: string) => Promise<Response> {
  const { app } = createTestApi({
    getClientAddress: (c) => c.req.header('X-Test-Address'),
    rateLimits: { linkTokenPerAddress: { limit: 2, windowSeconds: 600 } },
  });
  return (address) =>
    new TestBrowser(app).post('/link-token', {}, { headers: { 'X-Test-Address': address } });
}

test('rate-limits each client address across visitors', async () => {
  const from = requestsFromAddresses();
  assert.equal((await from('203.0.113.7')).status, 200);
  assert.equal((await from('203.0.113.7')).status, 200);
  const limited = await from('203.0.113.7');
  assert.equal(limited.status, 429);
  // The seconds left of the window the first call opened: 600, or a little less when that call was
  // slow (it loads `plaid`, over a second on a busy machine).
  const retryAfter = Number(limited.headers.get('Retry-After'));
  assert.ok(retryAfter > 590 && retryAfter <= 600, `Retry-After: ${retryAfter}`);
  assert.equal((await from('198.51.100.1')).status, 200);
});

test('counts an IPv6 client by its /64, which one machine holds whole, however it writes its address', async () => {
  const from = requestsFromAddresses();
  // A VPS or a home connection is routed a whole /64: a new address per request costs nothing.
  assert.equal((await from('2001:db8:1:2::1')).status, 200);
  assert.equal((await from('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).status, 200);
  assert.equal((await from('2001:0DB8:0001:0002:0:0:0:ffff')).status, 429, 'same /64, written long-hand');
  assert.equal((await from('[2001:db8:1:2::2]')).status, 429, 'same /64, bracketed');
  assert.equal((await from('2001:db8:1:2::3%eth0')).status, 429, 'same /64, with a zone');
  assert.equal((await from('2001:db8:1:3::1')).status, 200, 'the next /64 is someone else');
  // IPv4 (also IPv4-mapped IPv6) stays one address each.
  assert.equal((await from('203.0.113.7')).status, 200);
  assert.equal((await from('::ffff:203.0.113.7')).status, 200);
  assert.equal((await from('203.0.113.7')).status, 429);
  assert.equal((await from('203.0.113.8')).status, 200);
});

test('counts an address with a port, in brackets or IPv4-mapped as the address itself', async () => {
  // What getClientAddress reads may carry a port (a proxy header such as Azure's X-Forwarded-For,
  // a Forwarded-style value): each connection of one client would otherwise count apart.
  const from = requestsFromAddresses();
  const spellings: [string, string[]][] = [
    ['IPv4 with a port', ['1.2.3.4:5678', '1.2.3.4:5679', '1.2.3.4']],
    ['IPv4-mapped', ['::ffff:1.2.3.5', '[::ffff:1.2.3.5]:80', '1.2.3.5:80']],
    ['IPv6 loopback in brackets with a port', ['[::1]:80', '[::1]:81', '::1']],
    ['IPv6 in brackets with a port', ['[2001:db8:9::1]:443', '2001:DB8:9::2', '[2001:db8:9::3]']],
  ];
  for (const [label, addresses] of spellings) {
    const statuses: number[] = [];
    for (const address of addresses) statuses.push((await from(address)).status);
    assert.deepEqual(statuses, [200, 200, 429], label);
  }
  assert.equal((await from('1.2.3.6:5678')).status, 200, 'another address is someone else');
});

test('rate limits can be turned off', async () => {
  const { app } = createTestApi({ rateLimits: { linkTokenPerVisitor: false } });
  const browser = new TestBrowser(app);
  for (let i = 0; i < 12; i++) assert.equal((await browser.linkToken()).status, 200);
});

test('bad bodies are answered 4xx with the error shape', async () => {
  const { app } = createTestApi();
  const browser = new TestBrowser(app);
  const cases: [string, Parameters<TestBrowser['post']>[2], number, string][] = [
    ['not JSON', { raw: '{oops' }, 400, 'INVALID_JSON'],
    ['an array', { raw: '[]' }, 400, 'INVALID_BODY'],
    ['a string', { raw: '"hi"' }, 400, 'INVALID_BODY'],
    [
      'form encoded',
      { raw: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['text/plain', { raw: '{}', headers: { 'Content-Type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['oversized', { raw: JSON.stringify({ pad: 'x'.repeat(20_000) }) }, 413, 'BODY_TOO_LARGE'],
  ];
  for (const [name, options, status, code] of cases) {
    const res = await browser.post('/link-token', undefined, options);
    assert.equal(res.status, status, name);
    assert.equal(await errorCode(res), code, name);
  }
});

test('an unknown route or method is a 404 with the error shape', async () => {
  const { app } = createTestApi();
  const res = await app.request('/link-token', { method: 'GET' });
  assert.equal(res.status, 404);
  assert.equal(await errorCode(res), 'NOT_FOUND');
});

test('mounted under a prefix, as the README mounts it, unknown routes and methods keep the error shape', async () => {
  const { app } = createTestApi();
  const site = new Hono().route('/api/layer', app);
  for (const [method, path] of [
    ['GET', '/api/layer/link-token'],
    ['PUT', '/api/layer/session'],
    ['POST', '/api/layer/nope'],
  ] as const) {
    const res = await site.request(path, { method });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(await errorCode(res), 'NOT_FOUND', `${method} ${path}`);
    assert.equal(res.headers.get('Cache-Control'), 'no-store', `${method} ${path}`);
  }
});

test('leaves no timer running once requests are answered, retries and timeouts included', async () => {
  const hang = async () => {
    await delay('infinite');
    return new Response();
  };
  sequence(plaid500, hang);
  // Long enough that an attempt Plaid answers never times out on a busy machine: only `hang` does.
  const { app } = createTestApi({ timeoutMs: 1_000, retryDelayMs: 5 });
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  assert.equal((await browser.linkToken()).status, 200);
  assert.deepEqual(
    process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout'),
    [],
  );
});
