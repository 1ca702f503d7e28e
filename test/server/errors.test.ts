/**
 * Every error code in the contract (`API_ERRORS`), produced the way a caller meets it, answers with
 * exactly the status the contract gives it, in the error shape, with its request id.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { delay, http, HttpResponse } from 'msw';

import { API_ERROR_CODES, API_ERRORS, type ApiErrorCode } from '../../contract/index.js';
import { createRedisStore } from '../../server/redis-store.js';
import { freePort } from '../support/redis.js';
import { PLAID_BASE, PUBLIC_TOKEN, plaidError } from './support/plaid-fixtures.js';
import {
  TestBrowser,
  assertError,
  createTestApi,
  errorBody,
  useMockPlaid,
  type TestApi,
} from './support/test-api.js';

const { server, signer } = await useMockPlaid();

const LINK_TOKEN_CREATE = `${PLAID_BASE}/session/token/create`;
const SESSION_GET = `${PLAID_BASE}/user_account/session/get`;

/** Plaid answers every call to `url` with `response`. */
function plaidAnswers(url: string, response: () => Response | Promise<Response>) {
  server.use(http.post(url, response));
}

/** A browser on a default test API that already holds a session handle. */
async function browserWithHandle(api: TestApi = createTestApi()): Promise<TestBrowser> {
  const browser = new TestBrowser(api.app);
  assert.equal((await browser.linkToken()).status, 200);
  return browser;
}

function postWebhook(api: TestApi, body: string, verification?: string) {
  return api.app.request('/webhook', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(verification ? { 'Plaid-Verification': verification } : {}),
    },
    body,
  });
}

/** How a caller meets each code. Typed over every code, so a new one fails to compile until added. */
const PRODUCE: Record<ApiErrorCode, () => Response | Promise<Response>> = {
  INVALID_JSON: async () => (await browserWithHandle()).post('/session', undefined, { raw: '{oops' }),
  INVALID_BODY: async () => (await browserWithHandle()).post('/session', undefined, { raw: '[]' }),
  MISSING_PUBLIC_TOKEN: async () => (await browserWithHandle()).post('/session', {}),
  INVALID_PUBLIC_TOKEN_FORMAT: async () => (await browserWithHandle()).exchange('has spaces'),
  NO_SESSION: () => new TestBrowser(createTestApi({ getUserId: () => undefined }).app).linkToken(),
  SESSION_HANDLE_MISSING: () => new TestBrowser(createTestApi().app).exchange(PUBLIC_TOKEN),
  SESSION_HANDLE_INVALID: async () =>
    (await browserWithHandle()).post(
      '/session',
      { public_token: PUBLIC_TOKEN },
      { handle: 'v1.forged.handle' },
    ),
  SESSION_HANDLE_EXPIRED: async () => {
    let time = Date.parse('2030-01-01T00:00:00Z');
    const browser = await browserWithHandle(createTestApi({ now: () => time }));
    time += 5 * 3600_000;
    return browser.exchange(PUBLIC_TOKEN);
  },
  WEBHOOK_VERIFICATION_FAILED: () => postWebhook(createTestApi(), '{"webhook_type":"LINK"}'),
  ORIGIN_NOT_ALLOWED: () => new TestBrowser(createTestApi().app, 'https://evil.example').linkToken(),
  WRONG_SESSION: async () => {
    let user = 'alice';
    const browser = await browserWithHandle(createTestApi({ getUserId: () => user }));
    user = 'mallory';
    return browser.exchange(PUBLIC_TOKEN);
  },
  NOT_FOUND: async () => createTestApi().app.request('/link-token', { method: 'GET' }),
  PUBLIC_TOKEN_ALREADY_USED: async () => {
    const browser = await browserWithHandle();
    assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200);
    return browser.exchange(PUBLIC_TOKEN);
  },
  BODY_TOO_LARGE: async () =>
    (await browserWithHandle()).post('/session', undefined, {
      raw: JSON.stringify({ pad: 'x'.repeat(20_000) }),
    }),
  UNSUPPORTED_MEDIA_TYPE: async () =>
    (await browserWithHandle()).post('/session', undefined, {
      raw: 'public_token=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
  INVALID_PUBLIC_TOKEN: async () =>
    (await browserWithHandle()).exchange('public-sandbox-00000000-0000-4000-8000-000000000000'),
  RATE_LIMITED: async () => {
    const browser = new TestBrowser(
      createTestApi({ rateLimits: { linkTokenPerVisitor: { limit: 1, windowSeconds: 60 } } }).app,
    );
    assert.equal((await browser.linkToken()).status, 200);
    return browser.linkToken();
  },
  PLAID_RATE_LIMITED: () => {
    plaidAnswers(LINK_TOKEN_CREATE, () =>
      HttpResponse.json(plaidError('RATE_LIMIT_EXCEEDED', 'RATE_LIMIT'), { status: 429 }),
    );
    return new TestBrowser(createTestApi().app).linkToken();
  },
  INTERNAL_ERROR: () =>
    new TestBrowser(
      createTestApi({
        getUserId: () => {
          throw new Error('a bug in the integrator’s getUserId');
        },
      }).app,
    ).linkToken(),
  SESSION_HANDLER_FAILED: async () => {
    const api = createTestApi({ onSession: () => Promise.reject(new Error('database down')) });
    return (await browserWithHandle(api)).exchange(PUBLIC_TOKEN);
  },
  WEBHOOK_HANDLER_FAILED: async () => {
    const api = createTestApi({
      onWebhook: () => {
        throw new Error('queue full');
      },
    });
    const body = JSON.stringify({ webhook_type: 'LAYER', webhook_code: 'LAYER_AUTHENTICATION_PASSED' });
    return postWebhook(api, body, await signer.sign(body));
  },
  PLAID_ERROR: () => {
    plaidAnswers(LINK_TOKEN_CREATE, () =>
      HttpResponse.json(plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR'), { status: 500 }),
    );
    return new TestBrowser(createTestApi({ retries: 0 }).app).linkToken();
  },
  PLAID_BAD_RESPONSE: () => {
    plaidAnswers(LINK_TOKEN_CREATE, () => HttpResponse.json({ request_id: 'reqOdd' }));
    return new TestBrowser(createTestApi().app).linkToken();
  },
  PLAID_REQUEST_REJECTED: () => {
    plaidAnswers(LINK_TOKEN_CREATE, () =>
      HttpResponse.json(plaidError('INVALID_INPUT', 'INVALID_API_KEYS'), { status: 400 }),
    );
    return new TestBrowser(createTestApi().app).linkToken();
  },
  PLAID_TIMEOUT: async () => {
    const browser = await browserWithHandle(createTestApi({ timeoutMs: 1_000 }));
    plaidAnswers(SESSION_GET, async () => {
      await delay('infinite');
      return new Response();
    });
    return browser.exchange(PUBLIC_TOKEN);
  },
  PLAID_UNREACHABLE: async () => {
    const browser = await browserWithHandle();
    plaidAnswers(SESSION_GET, () => HttpResponse.error());
    return browser.exchange(PUBLIC_TOKEN);
  },
  PLAID_UNAVAILABLE: () => {
    plaidAnswers(LINK_TOKEN_CREATE, () =>
      HttpResponse.json(plaidError('API_ERROR', 'PLANNED_MAINTENANCE'), { status: 503 }),
    );
    return new TestBrowser(createTestApi({ retries: 0 }).app).linkToken();
  },
  STORE_UNAVAILABLE: async () => {
    // A Redis store with nothing listening at its address: no command is ever answered.
    const url = `redis://127.0.0.1:${await freePort()}`;
    const store = createRedisStore({ url, commandTimeoutMs: 500, logger: false });
    try {
      return await new TestBrowser(createTestApi({ store }).app).linkToken();
    } finally {
      await store.close();
    }
  },
  SESSION_NOT_CONFIRMED: async () =>
    (await browserWithHandle(createTestApi({ requireWebhookBinding: { waitMs: 0 } }))).exchange(PUBLIC_TOKEN),
};

test('every code of the contract has a case here', () => {
  assert.deepEqual(Object.keys(PRODUCE).sort(), [...API_ERROR_CODES].sort());
});

for (const code of API_ERROR_CODES) {
  test(`${code} is answered ${API_ERRORS[code].status} with the error shape and its request id`, async () => {
    const response = await PRODUCE[code]();
    await assertError(response, code);
    assert.match(response.headers.get('Content-Type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('Cache-Control'), 'no-store');
  });
}

test('a 500 says nothing of its cause', async () => {
  const { message } = await errorBody(await PRODUCE.INTERNAL_ERROR());
  assert.doesNotMatch(message, /getUserId|integrator|bug/);
});
