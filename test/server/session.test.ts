import assert from 'node:assert/strict';
import { test } from 'node:test';

import { delay, http, HttpResponse } from 'msw';

import {
  StoreUnavailableError,
  createMemoryStore,
  verifyProfileToken,
  type SessionResponse,
} from '../../server/index.js';
import {
  ACCESS_TOKENS,
  FULL_SSN,
  ITEM_IDS,
  PLAID_BASE,
  PUBLIC_TOKEN,
  SESSION_GET_RESPONSE,
  plaidError,
} from './support/plaid-fixtures.js';
import { SESSION_SECRET, TestBrowser, createTestApi, errorCode, useMockPlaid } from './support/test-api.js';

const { server } = await useMockPlaid();
const SESSION_GET = `${PLAID_BASE}/user_account/session/get`;

/** Overrides /user_account/session/get with the queued answers (then the happy path); counts calls. */
function sessionGet(...responses: (() => Response | Promise<Response>)[]) {
  const calls: unknown[] = [];
  server.use(
    http.post(SESSION_GET, async ({ request }) => {
      calls.push(await request.json());
      const next = responses[calls.length - 1];
      return next ? next() : HttpResponse.json(SESSION_GET_RESPONSE);
    }),
  );
  return calls;
}

/** A browser that already obtained a Link token, as the widget does before Link opens. */
async function browserWithLinkToken(app: ConstructorParameters<typeof TestBrowser>[0]) {
  const browser = new TestBrowser(app);
  assert.equal((await browser.linkToken()).status, 200);
  return browser;
}

test('exchanges the public token for the browser-safe profile, item ids and a profile token', async () => {
  const { app } = createTestApi();
  const res = await (await browserWithLinkToken(app)).exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Cache-Control'), 'no-store');
  const body = (await res.json()) as SessionResponse;
  assert.deepEqual(body.profile, {
    name: { first_name: 'Leslie', last_name: 'Knope' },
    address: {
      street: '123 Main St.',
      street2: '',
      city: 'Pawnee',
      region: 'IN',
      postal_code: '41006',
      country: 'US',
    },
    phone_number: '+14155550011',
    email: 'leslie@knope.com',
    date_of_birth: '1975-01-18',
    ssn_last_4: '4321',
  });
  assert.deepEqual(
    body.items,
    ITEM_IDS.map((item_id) => ({ item_id })),
  );
  assert.deepEqual(Object.keys(body).sort(), ['items', 'profile', 'token']);

  const verified = await verifyProfileToken(body.token, SESSION_SECRET);
  assert.deepEqual(verified.profile, body.profile);
  assert.deepEqual(verified.items, body.items);
  assert.equal(verified.userId, null, 'anonymous sessions carry no user id');
  assert.equal(verified.expiresAt.getTime() - verified.issuedAt.getTime(), 600_000);
});

test('onSession gets the full identity and the access tokens, once', async () => {
  const { app, sessions } = createTestApi();
  await (await browserWithLinkToken(app)).exchange(PUBLIC_TOKEN);
  assert.equal(sessions.length, 1);
  const [session] = sessions as [(typeof sessions)[number]];
  assert.equal(session.identity?.ssn, FULL_SSN);
  assert.deepEqual(
    session.items.map((item) => item.access_token),
    ACCESS_TOKENS,
  );
  assert.equal(session.anonymous, true);
  assert.match(session.userId, /^anon_/);
  assert.equal(session.plaidRequestId, SESSION_GET_RESPONSE.request_id);
});

test('with getUserId, the user id goes to onSession and into the profile token', async () => {
  const { app, sessions } = createTestApi({ getUserId: (c) => c.req.header('X-User') });
  const browser = new TestBrowser(app);
  const headers = { 'X-User': 'user-42' };
  assert.equal((await browser.post('/link-token', {}, { headers })).status, 200);
  const res = await browser.post('/session', { public_token: PUBLIC_TOKEN }, { headers });
  assert.equal(res.status, 200);
  assert.equal(sessions[0]?.userId, 'user-42');
  assert.equal(sessions[0]?.anonymous, false);
  const { token } = (await res.json()) as SessionResponse;
  assert.equal((await verifyProfileToken(token, SESSION_SECRET)).userId, 'user-42');
});

test('profileFields limits what reaches the browser; the full SSN only on opt-in', async () => {
  const narrow = createTestApi({ profileFields: ['name', 'phone_number'] });
  const res = await (await browserWithLinkToken(narrow.app)).exchange(PUBLIC_TOKEN);
  const { profile, token } = (await res.json()) as SessionResponse;
  assert.deepEqual(profile, {
    name: { first_name: 'Leslie', last_name: 'Knope' },
    address: null,
    phone_number: '+14155550011',
    email: null,
    date_of_birth: null,
    ssn_last_4: null,
  });
  assert.deepEqual((await verifyProfileToken(token, SESSION_SECRET)).profile, profile);
  assert.equal(narrow.sessions[0]?.identity?.date_of_birth, '1975-01-18', 'onSession still gets everything');

  const full = createTestApi({ profileFields: ['name', 'ssn_last_4', 'ssn'] });
  const optedIn = (await (
    await (await browserWithLinkToken(full.app)).exchange(PUBLIC_TOKEN)
  ).json()) as SessionResponse;
  assert.equal(optedIn.profile.ssn, FULL_SSN);
  assert.equal(optedIn.profile.ssn_last_4, '4321');
});

test('a user without identity (Extended Autofill, no Items) gets an all-null profile', async () => {
  sessionGet(() => HttpResponse.json({ identity: null, items: [], request_id: 'reqEmpty' }));
  const { app } = createTestApi();
  const res = await (await browserWithLinkToken(app)).exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 200);
  const body = (await res.json()) as SessionResponse;
  assert.deepEqual(body.profile, {
    name: null,
    address: null,
    phone_number: null,
    email: null,
    date_of_birth: null,
    ssn_last_4: null,
  });
  assert.deepEqual(body.items, []);
});

test('an identity or items of the wrong types from Plaid reach the browser as the contract’s strings and nulls, never a 500', async () => {
  const { identity } = SESSION_GET_RESPONSE;
  sessionGet(() =>
    HttpResponse.json({
      ...SESSION_GET_RESPONSE,
      identity: {
        ...identity,
        name: { first_name: ['Leslie'], last_name: 'Knope' },
        phone_number: { number: '+14155550011' },
        email: 42,
        ssn: 123456789,
        ssn_last_4: null,
      },
      items: [null, 'item', ...SESSION_GET_RESPONSE.items],
    }),
  );
  const { app } = createTestApi();
  const res = await (await browserWithLinkToken(app)).exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 200);
  const body = (await res.json()) as SessionResponse;
  assert.deepEqual(body.profile.name, { first_name: null, last_name: 'Knope' });
  assert.equal(body.profile.phone_number, null);
  assert.equal(body.profile.email, null);
  assert.equal(body.profile.ssn_last_4, null, 'a full SSN that is not a string is not cut to its last 4');
  assert.deepEqual(
    body.items,
    ITEM_IDS.map((item_id) => ({ item_id })),
  );
});

test('without the session handle from /link-token the exchange is refused with 401, Plaid not asked', async () => {
  const calls = sessionGet();
  const { app, sessions } = createTestApi();
  const res = await new TestBrowser(app).exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 401);
  assert.equal(await errorCode(res), 'SESSION_HANDLE_MISSING');
  assert.equal(calls.length, 0);
  assert.equal(sessions.length, 0);
});

test('a public token is exchanged at most once: a replay gets 409', async () => {
  const calls = sessionGet();
  const { app, sessions } = createTestApi();
  const browser = await browserWithLinkToken(app);
  assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200);
  const replay = await browser.exchange(PUBLIC_TOKEN);
  assert.equal(replay.status, 409);
  assert.equal(await errorCode(replay), 'PUBLIC_TOKEN_ALREADY_USED');
  const elsewhere = await (await browserWithLinkToken(app)).exchange(PUBLIC_TOKEN);
  assert.equal(elsewhere.status, 409);
  assert.equal(calls.length, 1);
  assert.equal(sessions.length, 1);
});

test('a flood of new visitors (rate-limit counters) cannot push a used public token out of the default store', async () => {
  const calls = sessionGet();
  const { app } = createTestApi({
    store: createMemoryStore({ maxEntries: 50, maxCounters: 50 }),
    rateLimits: { linkTokenPerAddress: false },
  });
  const owner = await browserWithLinkToken(app);
  assert.equal((await owner.exchange(PUBLIC_TOKEN)).status, 200);
  for (let i = 0; i < 120; i++) assert.equal((await new TestBrowser(app).linkToken()).status, 200);
  const replay = await owner.exchange(PUBLIC_TOKEN);
  assert.equal(replay.status, 409);
  assert.equal(await errorCode(replay), 'PUBLIC_TOKEN_ALREADY_USED');
  assert.equal(calls.length, 1, 'Plaid was asked once');
});

test('two simultaneous exchanges of one token: one 200, one 409, one Plaid call', async () => {
  const calls = sessionGet(async () => {
    await delay(20);
    return HttpResponse.json(SESSION_GET_RESPONSE);
  });
  const { app } = createTestApi();
  const browser = await browserWithLinkToken(app);
  const statuses = (await Promise.all([browser.exchange(PUBLIC_TOKEN), browser.exchange(PUBLIC_TOKEN)])).map(
    (res) => res.status,
  );
  assert.deepEqual(statuses.sort(), [200, 409]);
  assert.equal(calls.length, 1);
});

test('Plaid’s INVALID_PUBLIC_TOKEN answers 422 with Plaid’s request id', async () => {
  const { app } = createTestApi();
  const browser = await browserWithLinkToken(app);
  const res = await browser.exchange('public-sandbox-00000000-0000-4000-8000-000000000000');
  assert.equal(res.status, 422);
  const body = (await res.json()) as { error: { code: string; plaid_request_id: string } };
  assert.equal(body.error.code, 'INVALID_PUBLIC_TOKEN');
  assert.equal(body.error.plaid_request_id, 'PLAIDreqID00001');
});

test('the exchange is never retried: a Plaid 5xx is one call and a 502, then the user may try again', async () => {
  const calls = sessionGet(() =>
    HttpResponse.json(plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR', 'req500'), { status: 500 }),
  );
  const { app } = createTestApi({ retries: 5 });
  const browser = await browserWithLinkToken(app);
  const res = await browser.exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 502);
  const body = (await res.json()) as { error: { code: string; plaid_request_id: string } };
  assert.equal(body.error.code, 'PLAID_ERROR');
  assert.equal(body.error.plaid_request_id, 'req500');
  assert.equal(calls.length, 1);
  assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200, 'nothing was handed out, so no 409');
});

test('the exchange times out with 503 after one attempt', async () => {
  const calls = sessionGet(async () => {
    await delay('infinite');
    return new Response();
  });
  const { app } = createTestApi({ timeoutMs: 30, retries: 5 });
  const res = await (await browserWithLinkToken(app)).exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 503);
  assert.equal(await errorCode(res), 'PLAID_TIMEOUT');
  assert.equal(calls.length, 1);
});

test('an unreachable Plaid during the exchange is a 503 after one attempt', async () => {
  const calls = sessionGet(() => HttpResponse.error());
  const res = await (await browserWithLinkToken(createTestApi().app)).exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 503);
  assert.equal(await errorCode(res), 'PLAID_UNREACHABLE');
  assert.equal(calls.length, 1);
});

test('Plaid rate limiting during the exchange is a 429 with Retry-After', async () => {
  sessionGet(() =>
    HttpResponse.json(plaidError('RATE_LIMIT_EXCEEDED', 'RATE_LIMIT', 'reqRate'), {
      status: 429,
      headers: { 'Retry-After': '12' },
    }),
  );
  const res = await (await browserWithLinkToken(createTestApi().app)).exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('Retry-After'), '12');
  assert.equal(await errorCode(res), 'PLAID_RATE_LIMITED');
});

test('a failing onSession answers 500 without detail, and the user may try again', async () => {
  let fail = true;
  const { app, logs } = createTestApi({
    onSession: () => {
      if (fail) throw new Error('database down while saving Leslie Knope');
    },
  });
  const browser = await browserWithLinkToken(app);
  const res = await browser.exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.match(text, /SESSION_HANDLER_FAILED/);
  assert.doesNotMatch(text + logs.join('\n'), /database|Knope/);
  fail = false;
  assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200);
});

test('a store that goes away once Plaid has answered still gives the visitor the profile onSession got; the token stays claimed', async () => {
  const calls = sessionGet();
  const memory = createMemoryStore();
  let storeDown = false;
  // Redis going away between the claim and recording the token as used.
  const store = {
    ...memory,
    set: async (key: string, value: string, ttlMs: number) => {
      if (storeDown) throw new StoreUnavailableError('redis: no answer within 2000 ms');
      return memory.set(key, value, ttlMs);
    },
  };
  const { app, sessions } = createTestApi({
    store,
    onSession: (session) => {
      sessions.push(session);
      storeDown = true;
    },
  });
  const browser = await browserWithLinkToken(app);
  const res = await browser.exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as SessionResponse;
  assert.deepEqual(
    body.items.map(({ item_id }) => item_id),
    ITEM_IDS,
  );
  assert.equal(sessions.length, 1);
  storeDown = false;
  // The claim the exchange took still refuses a replay.
  const replay = await browser.exchange(PUBLIC_TOKEN);
  assert.equal(await errorCode(replay), 'PUBLIC_TOKEN_ALREADY_USED');
  assert.equal(calls.length, 1);
});

test('rate-limits exchanges per visitor', async () => {
  const { app } = createTestApi({ rateLimits: { sessionPerVisitor: { limit: 1, windowSeconds: 60 } } });
  const browser = await browserWithLinkToken(app);
  assert.equal((await browser.exchange('public-sandbox-unknown-1')).status, 422);
  const limited = await browser.exchange(PUBLIC_TOKEN);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('Retry-After'), '60');
});

test('bad bodies are answered 4xx with the error shape, before Plaid is asked', async () => {
  const calls = sessionGet();
  const { app } = createTestApi();
  const browser = await browserWithLinkToken(app);
  const cases: [string, Parameters<TestBrowser['post']>[2], number, string][] = [
    ['not JSON', { raw: 'public_token=abc' }, 400, 'INVALID_JSON'],
    ['truncated JSON', { raw: '{"public_token": "abc' }, 400, 'INVALID_JSON'],
    ['an array', { raw: '["abc"]' }, 400, 'INVALID_BODY'],
    ['null', { raw: 'null' }, 400, 'INVALID_BODY'],
    ['empty', { raw: '' }, 400, 'INVALID_JSON'],
    ['missing public_token', { raw: '{}' }, 400, 'MISSING_PUBLIC_TOKEN'],
    ['public_token a number', { raw: '{"public_token": 42}' }, 400, 'INVALID_PUBLIC_TOKEN_FORMAT'],
    ['public_token an object', { raw: '{"public_token": {"a": 1}}' }, 400, 'INVALID_PUBLIC_TOKEN_FORMAT'],
    ['public_token empty', { raw: '{"public_token": ""}' }, 400, 'INVALID_PUBLIC_TOKEN_FORMAT'],
    ['public_token with spaces', { raw: '{"public_token": "a b"}' }, 400, 'INVALID_PUBLIC_TOKEN_FORMAT'],
    [
      'public_token too long',
      { raw: JSON.stringify({ public_token: 'p'.repeat(600) }) },
      400,
      'INVALID_PUBLIC_TOKEN_FORMAT',
    ],
    [
      'text/plain',
      { raw: JSON.stringify({ public_token: PUBLIC_TOKEN }), headers: { 'Content-Type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'oversized',
      { raw: JSON.stringify({ public_token: PUBLIC_TOKEN, pad: 'x'.repeat(17_000) }) },
      413,
      'BODY_TOO_LARGE',
    ],
  ];
  for (const [name, options, status, code] of cases) {
    const res = await browser.post('/session', undefined, options);
    assert.equal(res.status, status, name);
    assert.equal(await errorCode(res), code, name);
  }
  assert.equal(calls.length, 0);
});

test('a smaller bodyLimitBytes is honoured', async () => {
  const { app } = createTestApi({ bodyLimitBytes: 32 });
  const browser = await browserWithLinkToken(app);
  const res = await browser.exchange(PUBLIC_TOKEN);
  assert.equal(res.status, 413);
  assert.equal(await errorCode(res), 'BODY_TOO_LARGE');
});
