/**
 * Production Plaid, and the network to it, as the backend really meets them: load balancers that
 * answer HTML or nothing, bodies cut short or stalled, Plaid's own error objects for a partner's
 * setup mistakes, and success answers missing what production may leave out. Each must become the
 * contract's error shape with its status (or a sane profile), never a 500, a hang or a leak.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { http, HttpResponse } from 'msw';

import type { SessionResponse } from '../../contract/index.js';
import {
  ACCESS_TOKENS,
  LINK_TOKEN,
  PLAID_BASE,
  PUBLIC_TOKEN,
  SESSION_GET_RESPONSE,
  plaidError,
} from './support/plaid-fixtures.js';
import {
  PLAID_CREDENTIALS,
  TestBrowser,
  assertError,
  createTestApi,
  useMockPlaid,
} from './support/test-api.js';
import { webhookBody } from './support/webhook-signer.js';

const { server, signer } = await useMockPlaid();
const CREATE = `${PLAID_BASE}/session/token/create`;
const SESSION_GET = `${PLAID_BASE}/user_account/session/get`;
const KEY_GET = `${PLAID_BASE}/webhook_verification_key/get`;

const html = (status: number) =>
  new HttpResponse(`<html><body><h1>${status} Bad Gateway</h1></body></html>`, {
    status,
    headers: { 'Content-Type': 'text/html' },
  });

/** Answers every call to `url` with `answer`; counts them. */
function plaidAnswers(url: string, answer: () => Response | Promise<Response>) {
  const calls = { count: 0 };
  server.use(
    http.post(url, () => {
      calls.count++;
      return answer();
    }),
  );
  return calls;
}

async function browserWithHandle(app = createTestApi().app) {
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  return browser;
}

/** Secrets and tokens that may appear in no log line and no answer. */
const NEVER = [PLAID_CREDENTIALS.secret, ...ACCESS_TOKENS, LINK_TOKEN];

function assertNoSecrets(texts: string[]) {
  for (const text of texts)
    for (const secret of NEVER) assert.ok(!text.includes(secret), `"${secret}" leaked into: ${text}`);
}

// ── load balancers and broken bodies ────────────────────────────────────────────────────────────

for (const [status, body, code] of [
  [502, 'html', 'PLAID_ERROR'],
  [503, 'html', 'PLAID_UNAVAILABLE'],
  [504, 'html', 'PLAID_ERROR'],
  [502, 'empty', 'PLAID_ERROR'],
  [503, 'empty', 'PLAID_UNAVAILABLE'],
  [504, 'not-plaid-json', 'PLAID_ERROR'],
] as const) {
  test(`a load balancer's ${status} with ${body} body is ${code} on every route, never a 500`, async () => {
    const answer = () =>
      body === 'html'
        ? html(status)
        : body === 'empty'
          ? new HttpResponse(null, { status })
          : HttpResponse.json({ message: 'upstream timed out', code: 42 }, { status });
    const create = plaidAnswers(CREATE, answer);
    const { app, logs } = createTestApi({ retries: 1 });
    await assertError(await new TestBrowser(app).linkToken(), code, '/link-token');
    assert.equal(create.count, 2, 'a 5xx is retried');

    server.resetHandlers();
    const browser = await browserWithHandle(app);
    plaidAnswers(SESSION_GET, answer);
    await assertError(await browser.exchange(PUBLIC_TOKEN), code, '/session');
    assertNoSecrets(logs);
  });
}

for (const [label, answer] of [
  ['HTML', () => new HttpResponse('<html>maintenance</html>', { headers: { 'Content-Type': 'text/html' } })],
  [
    'truncated JSON',
    () =>
      new HttpResponse('{"link":{"link_token":"link-sandbox-2f1a', {
        headers: { 'Content-Type': 'application/json' },
      }),
  ],
  ['empty', () => new HttpResponse(null, { status: 200 })],
  ['JSON null', () => HttpResponse.json(null)],
] as const) {
  test(`a 200 with a ${label} body is 502 PLAID_BAD_RESPONSE on /link-token and /session`, async () => {
    plaidAnswers(CREATE, answer);
    const { app } = createTestApi();
    await assertError(await new TestBrowser(app).linkToken(), 'PLAID_BAD_RESPONSE', '/link-token');
    server.resetHandlers();
    const browser = await browserWithHandle(app);
    plaidAnswers(SESSION_GET, answer);
    await assertError(await browser.exchange(PUBLIC_TOKEN), 'PLAID_BAD_RESPONSE', '/session');
  });
}

/** Headers and the start of a body, then nothing: the connection stays open. */
const stalledBody = () =>
  new HttpResponse(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"link":{"link_token":"link-'));
      },
    }),
    { headers: { 'Content-Type': 'application/json' } },
  );

test('a body that stalls after its headers is PLAID_TIMEOUT within the timeout, not a hang', async () => {
  plaidAnswers(CREATE, stalledBody);
  const { app } = createTestApi({ timeoutMs: 200, retries: 0 });
  await assertError(await new TestBrowser(app).linkToken(), 'PLAID_TIMEOUT', '/link-token');
  server.resetHandlers();
  const browser = await browserWithHandle(app);
  plaidAnswers(SESSION_GET, stalledBody);
  await assertError(await browser.exchange(PUBLIC_TOKEN), 'PLAID_TIMEOUT', '/session');
});

test('a stalled Plaid holds /link-token no longer than linkTokenDeadlineMs, retries included: 503 PLAID_TIMEOUT', async () => {
  // Unbounded, 10 attempts of 500 ms would hold the request 5 s; a proxy in front (Heroku 30 s,
  // API Gateway 29 s) would cut the defaults' 31 s with its own HTML page first.
  const create = plaidAnswers(CREATE, stalledBody);
  const { app, logs } = createTestApi({ timeoutMs: 500, retries: 9, linkTokenDeadlineMs: 1000 });
  await assertError(await new TestBrowser(app).linkToken(), 'PLAID_TIMEOUT', '/link-token');
  // The attempts made, not the time taken (a busy machine's timers run late): 10 without the deadline.
  assert.ok(create.count >= 1 && create.count <= 3, `${create.count} attempts within the deadline`);
  assert.match(logs.at(-1) ?? '', /code=PLAID_TIMEOUT/);
});

test('the /link-token deadline only bounds retries: fast 5xx answers are still retried', async () => {
  const create = plaidAnswers(CREATE, () => html(502));
  const { app } = createTestApi({ retries: 2 });
  await assertError(await new TestBrowser(app).linkToken(), 'PLAID_ERROR');
  assert.equal(create.count, 3);
});

for (const [status, retryAfter] of [
  [500, null],
  [502, null],
  [503, '120'],
] as const) {
  test(`Plaid's PLANNED_MAINTENANCE with HTTP ${status} is an outage: 503 PLAID_UNAVAILABLE${retryAfter ? ' with its Retry-After' : ''}`, async () => {
    const answer = () =>
      HttpResponse.json(plaidError('API_ERROR', 'PLANNED_MAINTENANCE', 'reqMaint000001'), {
        status,
        ...(retryAfter ? { headers: { 'Retry-After': retryAfter } } : {}),
      });
    const create = plaidAnswers(CREATE, answer);
    const { app, logs } = createTestApi({ retries: 1 });
    const res = await new TestBrowser(app).linkToken();
    await assertError(res, 'PLAID_UNAVAILABLE', '/link-token');
    assert.equal(res.headers.get('Retry-After'), retryAfter);
    assert.equal(create.count, 2, 'retried, as any 5xx');
    assert.match(logs.at(-1) ?? '', /plaid_error=PLANNED_MAINTENANCE plaid_request_id=reqMaint000001/);

    server.resetHandlers();
    const browser = await browserWithHandle(app);
    plaidAnswers(SESSION_GET, answer);
    await assertError(await browser.exchange(PUBLIC_TOKEN), 'PLAID_UNAVAILABLE', '/session');
  });
}

test('a 408 from a load balancer is a passing timeout, retried on /link-token: 503 PLAID_TIMEOUT, not a setup error', async () => {
  const create = plaidAnswers(CREATE, () => html(408));
  const { app, logs } = createTestApi({ retries: 1 });
  await assertError(await new TestBrowser(app).linkToken(), 'PLAID_TIMEOUT', '/link-token');
  assert.equal(create.count, 2, 'retried');
  assert.match(logs.at(-1) ?? '', /code=PLAID_TIMEOUT upstream="answered 408"/);
  assert.doesNotMatch(logs.at(-1) ?? '', /hint=/);

  server.resetHandlers();
  const browser = await browserWithHandle(app);
  const get = plaidAnswers(SESSION_GET, () => html(408));
  await assertError(await browser.exchange(PUBLIC_TOKEN), 'PLAID_TIMEOUT', '/session');
  assert.equal(get.count, 1, 'the exchange is never retried');
});

// ── Plaid's own errors ───────────────────────────────────────────────────────────────────────────

const KEYS = /plaid\.secret \(PLAID_CLIENT_ID, PLAID_SECRET\).*PLAID_ENV/;
const NOT_ENABLED = /Layer is not enabled/;
const TEMPLATE = /templateId \(LAYER_TEMPLATE_ID\)/;

for (const [type, code, hint] of [
  ['INVALID_INPUT', 'INVALID_API_KEYS', KEYS],
  ['INVALID_INPUT', 'INVALID_CLIENT_ID', KEYS],
  ['INVALID_INPUT', 'INVALID_PRODUCT', NOT_ENABLED],
  ['INVALID_REQUEST', 'PRODUCTS_NOT_SUPPORTED', NOT_ENABLED],
  ['INVALID_INPUT', 'UNAUTHORIZED_ROUTE_ACCESS', NOT_ENABLED],
  ['INVALID_REQUEST', 'INVALID_FIELD', TEMPLATE],
] as const) {
  test(`Plaid's ${code}: the log line tells the operator what to fix, the browser gets a generic 502`, async () => {
    plaidAnswers(CREATE, () =>
      HttpResponse.json(
        {
          ...plaidError(type, code, 'reqSetup000001'),
          error_message: `bad secret ${PLAID_CREDENTIALS.secret}`,
        },
        { status: 400 },
      ),
    );
    const { app, logs } = createTestApi();
    const res = await new TestBrowser(app).linkToken();
    const body = await assertError(res, 'PLAID_REQUEST_REJECTED');
    assert.doesNotMatch(body.message, new RegExp(code), 'the browser is not told Plaid’s code');
    const line = logs.at(-1) ?? '';
    assert.match(line, new RegExp(`id=${res.headers.get('X-Request-Id')} `), 'our request id');
    assert.match(line, new RegExp(`plaid_error=${code} plaid_request_id=reqSetup000001 hint="`));
    assert.match(line, hint);
    assertNoSecrets([...logs, JSON.stringify(body)]);
  });
}

test('a 403 page from a firewall on the way is a generic 502 whose log line points at the route to Plaid', async () => {
  plaidAnswers(CREATE, () => new HttpResponse('<html>Access denied</html>', { status: 403 }));
  const { app, logs } = createTestApi();
  await assertError(await new TestBrowser(app).linkToken(), 'PLAID_REQUEST_REJECTED');
  assert.match(logs.at(-1) ?? '', /code=PLAID_REQUEST_REJECTED hint=".*not a Plaid error object/);
});

test('Plaid refusing the keys during the exchange is the same generic 502, with the hint in the log', async () => {
  const { app, logs } = createTestApi();
  const browser = await browserWithHandle(app);
  plaidAnswers(SESSION_GET, () =>
    HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_API_KEYS', 'reqKeys0000001'), { status: 400 }),
  );
  const body = await assertError(await browser.exchange(PUBLIC_TOKEN), 'PLAID_REQUEST_REJECTED');
  assert.doesNotMatch(body.message, /INVALID_API_KEYS/);
  assert.match(logs.at(-1) ?? '', KEYS);
  assertNoSecrets(logs);
});

test('RATE_LIMIT_EXCEEDED as Plaid sends it on /session: 429 with Retry-After and Plaid’s request id', async () => {
  const browser = await browserWithHandle();
  plaidAnswers(SESSION_GET, () =>
    HttpResponse.json(plaidError('RATE_LIMIT_EXCEEDED', 'RATE_LIMIT', 'reqRate0000001'), { status: 429 }),
  );
  const res = await browser.exchange(PUBLIC_TOKEN);
  const body = (await res.clone().json()) as { error: { plaid_request_id?: string } };
  await assertError(res, 'PLAID_RATE_LIMITED');
  assert.ok(Number(res.headers.get('Retry-After')) > 0);
  assert.equal(body.error.plaid_request_id, 'reqRate0000001');
});

test('an already-exchanged or expired public token at Plaid is 422 INVALID_PUBLIC_TOKEN, not a setup error', async () => {
  const browser = await browserWithHandle();
  plaidAnswers(SESSION_GET, () =>
    HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_PUBLIC_TOKEN', 'reqUsed0000001'), { status: 400 }),
  );
  await assertError(await browser.exchange(PUBLIC_TOKEN), 'INVALID_PUBLIC_TOKEN');
});

// ── what production may leave out ───────────────────────────────────────────────────────────────

test('a profile with no email yet, no identity fields, or no items key answers a sane profile', async () => {
  const { identity } = SESSION_GET_RESPONSE;
  const { email: _email, ...noEmail } = identity!;
  for (const answer of [
    { ...SESSION_GET_RESPONSE, identity: noEmail },
    { ...SESSION_GET_RESPONSE, identity: { ...identity, email: null, name: null, address: null } },
    { items: [], request_id: 'r' },
    { identity: {}, items: [], request_id: 'r' },
  ]) {
    const browser = await browserWithHandle();
    plaidAnswers(SESSION_GET, () => HttpResponse.json(answer));
    const res = await browser.exchange(PUBLIC_TOKEN);
    assert.equal(res.status, 200, JSON.stringify(answer));
    const body = (await res.json()) as SessionResponse;
    assert.equal(body.profile.email, null);
    server.resetHandlers();
  }
});

// ── webhook keys ─────────────────────────────────────────────────────────────────────────────────

for (const [label, answer, code] of [
  ['a 502 HTML page', () => html(502), 'PLAID_ERROR'],
  [
    'a 200 HTML page',
    () => new HttpResponse('<html>ok</html>', { headers: { 'Content-Type': 'text/html' } }),
    'PLAID_BAD_RESPONSE',
  ],
  ['a 200 JSON null', () => HttpResponse.json(null), 'PLAID_BAD_RESPONSE'],
  ['a 200 without key', () => HttpResponse.json({ request_id: 'reqNoKey000001' }), 'PLAID_BAD_RESPONSE'],
  [
    'INVALID_API_KEYS',
    () => HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_API_KEYS'), { status: 400 }),
    'PLAID_REQUEST_REJECTED',
  ],
] as const) {
  test(`a webhook whose key look-up gets ${label} is ${code}, not a 401 forgery`, async () => {
    plaidAnswers(KEY_GET, answer);
    const { app, logs } = createTestApi();
    const body = webhookBody({
      webhook_type: 'LAYER',
      webhook_code: 'LAYER_AUTHENTICATION_PASSED',
      environment: 'production',
      link_session_id: randomUUID(),
      link_token: LINK_TOKEN,
    });
    const res = await app.request('/webhook', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await signer.sign(body) },
      body,
    });
    await assertError(res, code);
    assertNoSecrets(logs);
  });
}
