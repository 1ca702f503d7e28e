/**
 * What may never leave the server: access tokens and the full SSN never reach the browser (in any
 * body or header of any answer, success or failure), and the log carries no PII, token or secret.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { delay, http, HttpResponse } from 'msw';

import {
  ACCESS_TOKENS,
  FIXTURE_PII,
  FULL_SSN,
  LINK_TOKEN,
  PLAID_BASE,
  PUBLIC_TOKEN,
  SESSION_GET_RESPONSE,
  plaidError,
} from './support/plaid-fixtures.js';
import {
  PLAID_CREDENTIALS,
  SESSION_SECRET,
  TestBrowser,
  createTestApi,
  useMockPlaid,
} from './support/test-api.js';
import { webhookBody } from './support/webhook-signer.js';

const { server, signer } = await useMockPlaid();

/** Everything printed to the console while these tests run (the API must print nothing itself). */
const printed: string[] = [];
const originals = { log: console.log, error: console.error, warn: console.warn, info: console.info };
before(() => {
  for (const name of ['log', 'error', 'warn', 'info'] as const)
    console[name] = (...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    };
});
after(() => Object.assign(console, originals));

/** A Plaid failure whose text echoes secrets, as a careless upstream might. */
function leakyPlaidError(status: number, code: string) {
  return HttpResponse.json(
    {
      ...plaidError(status >= 500 ? 'API_ERROR' : 'INVALID_INPUT', code, 'reqLeaky'),
      error_message: `failed for ${ACCESS_TOKENS[0]} ssn ${FULL_SSN} secret ${PLAID_CREDENTIALS.secret}`,
      display_message: `Leslie Knope ${FULL_SSN}`,
    },
    { status },
  );
}

async function transcript(response: Response): Promise<string> {
  return `${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`;
}

test('no answer the browser can receive carries an access token, the full SSN or a secret', async () => {
  const answers: string[] = [];
  const { app, logs } = createTestApi({ timeoutMs: 1_000 });
  const browser = new TestBrowser(app);

  answers.push(await transcript(await browser.linkToken()));
  answers.push(await transcript(await browser.exchange(PUBLIC_TOKEN)));
  answers.push(await transcript(await browser.exchange(PUBLIC_TOKEN))); // replay
  for (const [status, code] of [
    [400, 'INVALID_PUBLIC_TOKEN'],
    [400, 'INVALID_API_KEYS'],
    [429, 'RATE_LIMIT'],
    [500, 'INTERNAL_SERVER_ERROR'],
  ] as const) {
    server.use(
      http.post(`${PLAID_BASE}/user_account/session/get`, () => leakyPlaidError(status, code)),
      http.post(`${PLAID_BASE}/session/token/create`, () => leakyPlaidError(status, code)),
    );
    answers.push(await transcript(await browser.exchange(`public-sandbox-${code}`)));
    answers.push(await transcript(await browser.linkToken()));
    server.resetHandlers();
  }
  server.use(
    http.post(`${PLAID_BASE}/user_account/session/get`, async () => {
      await delay('infinite');
      return HttpResponse.json(SESSION_GET_RESPONSE);
    }),
  );
  answers.push(await transcript(await browser.exchange('public-sandbox-slow')));
  server.resetHandlers();
  const failing = new TestBrowser(
    createTestApi({ onSession: () => Promise.reject(new Error(`cannot store ${ACCESS_TOKENS[0]}`)) }).app,
  );
  await failing.linkToken();
  answers.push(await transcript(await failing.exchange(PUBLIC_TOKEN)));
  const body = webhookBody({
    webhook_type: 'LINK',
    webhook_code: 'SESSION_FINISHED',
    public_tokens: [PUBLIC_TOKEN],
  });
  answers.push(
    await transcript(
      await app.request('/webhook', {
        method: 'POST',
        headers: { 'Plaid-Verification': await signer.sign(body) },
        body,
      }),
    ),
  );

  const all = answers.join('\n');
  for (const expected of [
    /"profile"/,
    /PUBLIC_TOKEN_ALREADY_USED/,
    /PLAID_TIMEOUT/,
    /SESSION_HANDLER_FAILED/,
    /"received":true/,
  ])
    assert.match(all, expected, 'every kind of answer is part of the transcript');
  for (const secret of [
    ...ACCESS_TOKENS,
    FULL_SSN,
    PLAID_CREDENTIALS.secret,
    SESSION_SECRET,
    'access-sandbox',
  ])
    assert.ok(!all.includes(secret), `an answer contains ${secret}`);

  const log = [...logs, ...printed].join('\n');
  assert.ok(logs.length >= answers.length - 1);
  assert.ok(browser.handle);
  for (const secret of [
    ...ACCESS_TOKENS,
    PUBLIC_TOKEN,
    LINK_TOKEN,
    browser.handle,
    PLAID_CREDENTIALS.secret,
    PLAID_CREDENTIALS.clientId,
    SESSION_SECRET,
    ...FIXTURE_PII,
  ])
    assert.ok(!log.includes(secret), `the log contains ${secret}`);
  assert.deepEqual(printed, [], 'the API prints nothing beyond its logger');
});

test('the profile token carries only the allow-listed profile: no SSN, no access token', async () => {
  const { app } = createTestApi();
  const browser = new TestBrowser(app);
  await browser.linkToken();
  const { token } = (await (await browser.exchange(PUBLIC_TOKEN)).json()) as { token: string };
  const payload = Buffer.from(token.split('.')[1]!, 'base64url').toString();
  assert.match(payload, /Knope/);
  for (const secret of [...ACCESS_TOKENS, FULL_SSN]) assert.ok(!payload.includes(secret));
});
