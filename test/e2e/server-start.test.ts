/**
 * `npm start` (server/main.ts) as a real process: emulator mode with no environment, a complete
 * Layer exchange over real HTTP against it, clean shutdown on SIGTERM, and a clear refusal to
 * start when Plaid keys come without a Layer template.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { SESSION_HANDLE_HEADER } from '../../contract/index.js';
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, SANDBOX_USERS } from '../../emulator/index.js';
import { settlesWithin } from '../support/processes.js';
import { START_TIMEOUT_MS, runMain, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(() => server?.stop());

test('with no environment it says it runs in emulator mode, with numbers, code and date of birth to try', () => {
  const output = server.output();
  assert.match(output, /listening on http:\/\/127\.0\.0\.1:\d+\//);
  assert.match(
    output,
    /Emulator mode: PLAID_CLIENT_ID is not set, so Plaid is emulated offline at http:\/\/127\.0\.0\.1:\d+\/plaid/,
  );
  assert.match(output, /\+1 415-555-0011 +default: full PII and two banks/);
  assert.match(
    output,
    /One-time code: 123456\. After "not eligible" .*\n1975-01-18 tries Extended Autofill\./,
  );
});

test('it serves health, the widget, and the demo wired to the emulator’s Link script', async () => {
  assert.deepEqual(await (await fetch(`${server.url}/health`)).json(), { ok: true });
  assert.equal((await fetch(`${server.url}/layer-onboarding.js`)).status, 200);
  // Link from the other loopback name than the page's, so its iframe is cross-origin.
  const port = new URL(server.url).port;
  const demo = await (await fetch(`${server.url}/`)).text();
  assert.match(
    demo,
    new RegExp(
      `<layer-onboarding link-script-src="http://localhost:${port}/plaid/link/v2/stable/link-initialize\\.js"`,
    ),
  );
  const script = await fetch(`${server.url}/plaid/link/v2/stable/link-initialize.js`);
  assert.equal(script.status, 200);
});

test('a whole Layer exchange works against it: token, emulated Link session, profile', async () => {
  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.url, ...headers },
      body: JSON.stringify(body),
    });
  const tokenResponse = await post('/api/layer/link-token', {}, { [SESSION_HANDLE_HEADER]: 'new' });
  assert.equal(tokenResponse.status, 200);
  const { link_token, session_handle } = (await tokenResponse.json()) as {
    link_token: string;
    session_handle: string;
  };
  assert.equal(tokenResponse.headers.getSetCookie().length, 0, 'no cookie: the handle travels in a header');

  const completed = await post('/plaid/emulator/sessions/complete', {
    link_token,
    phone_number: '+14155550011',
  });
  assert.equal(completed.status, 200);
  const { public_token } = (await completed.json()) as { public_token: string };

  const session = await post(
    '/api/layer/session',
    { public_token },
    { [SESSION_HANDLE_HEADER]: session_handle },
  );
  assert.equal(session.status, 200);
  const body = (await session.json()) as {
    profile: { name: { first_name: string } };
    items: unknown[];
    token: string;
  };
  assert.equal(body.profile.name.first_name, 'Leslie');
  assert.equal(body.items.length, 2);
  assert.doesNotMatch(JSON.stringify(body), /access-sandbox|987654321/);

  // The request log (everything after the start-up banner) names no one.
  const log = server.output().split(/listening on .*\n/)[1] ?? '';
  assert.match(log, /POST \/api\/layer\/session 200/);
  for (const user of SANDBOX_USERS)
    for (const value of [
      user.phone_number,
      user.identity?.name?.last_name,
      user.identity?.ssn,
      user.identity?.email,
    ])
      if (value) assert.ok(!log.includes(value), `the log contains ${value}`);
  assert.doesNotMatch(log, /link-sandbox-|public-sandbox-|access-sandbox-|emulator-secret/);
  assert.ok(!log.includes(session_handle), 'the log contains the session handle');
});

test('the page may call the API under either loopback name, and no other origin may', async () => {
  const port = new URL(server.url).port;
  const linkToken = (origin: string) =>
    fetch(`${server.url}/api/layer/link-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin, [SESSION_HANDLE_HEADER]: 'new' },
      body: '{}',
    });
  for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`])
    assert.equal((await linkToken(origin)).status, 200, origin);
  const refused = await linkToken(`http://127.0.0.2:${port}`);
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'ORIGIN_NOT_ALLOWED');
});

test('bad input to the API and the emulator is a 4xx with an error body, never a 500 or a stack trace', async () => {
  const json = { 'Content-Type': 'application/json' };
  const plaidKeys = { ...json, 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID, 'PLAID-SECRET': EMULATOR_SECRET };
  const sameOrigin = { Origin: server.url };
  const cases: Array<[string, string, Record<string, string>, string?]> = [
    ['POST', '/api/layer/link-token', { ...sameOrigin, ...json }, 'not json'],
    ['POST', '/api/layer/link-token', { ...sameOrigin, ...json }, '[1, 2]'],
    ['POST', '/api/layer/session', { ...sameOrigin, 'Content-Type': 'text/plain' }, '{}'],
    ['POST', '/api/layer/session', { ...sameOrigin, ...json }, JSON.stringify({ public_token: 42 })],
    ['POST', '/api/layer/session', { ...sameOrigin, ...json }, 'x'.repeat(100_000)],
    ['POST', '/api/layer/link-token', { Origin: 'https://evil.example', ...json }, '{}'],
    ['POST', '/api/layer/link-token', { Origin: 'null', ...json }, '{}'],
    ['POST', '/api/layer/webhook', { ...json, 'Plaid-Verification': 'a.b.c' }, '{}'],
    ['GET', '/api/layer/link-token', sameOrigin],
    ['PUT', '/api/layer/session', sameOrigin],
    ['POST', '/api/layer/nope', { ...sameOrigin, ...json }, '{}'],
    ['POST', '/plaid/session/token/create', plaidKeys, 'not json'],
    ['POST', '/plaid/session/token/create', plaidKeys, '[]'],
    ['POST', '/plaid/session/token/create', { ...plaidKeys, 'Content-Type': 'text/plain' }, '{}'],
    ['POST', '/plaid/session/token/create', plaidKeys, 'x'.repeat(100_000)],
    [
      'POST',
      '/plaid/network/status/get',
      plaidKeys,
      JSON.stringify({ user: { phone_number: '+14155550011' }, template_id: 'constructor' }),
    ],
    ['GET', '/plaid/session/token/create', {}],
    ['POST', '/plaid/item/get', plaidKeys, '{}'],
    ['POST', '/plaid/emulator/link/sessions', json, '{"link_token": ['],
  ];
  const before = server.output().length;
  for (const [method, path, headers, body] of cases) {
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await response.text();
    const what = `${method} ${path} ${body?.slice(0, 40) ?? ''}`;
    assert.ok(response.status >= 400 && response.status < 500, `${what} answered ${response.status}`);
    let parsed: { error?: { code?: unknown }; error_code?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      assert.fail(`${what} answered ${response.status} without a JSON error body: ${text.slice(0, 80)}`);
    }
    assert.equal(
      typeof (path.startsWith('/api/') ? parsed.error?.code : parsed.error_code),
      'string',
      `${what}: ${text}`,
    );
    assert.doesNotMatch(text, /\bat .+:\d+:\d+|Error:/, `${what} leaks a stack trace`);
  }
  assert.doesNotMatch(
    server.output().slice(before),
    /^\s+at |unexpected error/m,
    'no stack trace in the log',
  );
});

test('it shuts down cleanly on SIGTERM', async () => {
  const main = runMain({});
  await main.waitFor(/listening on http/, START_TIMEOUT_MS, '"listening on"');
  process.kill(main.pid, 'SIGTERM');
  assert.ok(await settlesWithin(main.exited, 30_000), `still running 30 s after SIGTERM:\n${main.output()}`);
  const { code, signal } = await main.exited;
  assert.equal(signal, null, main.output());
  assert.equal(code, 0, main.output());
});

test('with PLAID_CLIENT_ID but no LAYER_TEMPLATE_ID it refuses to start with a clear message', async () => {
  const main = runMain({
    PLAID_CLIENT_ID: 'cid',
    PLAID_SECRET: 'plaid-secret-9f8e7d6c',
    SESSION_SECRET: 's'.repeat(40),
  });
  assert.ok(await settlesWithin(main.exited, START_TIMEOUT_MS), `still running:\n${main.output()}`);
  const { code } = await main.exited;
  const output = main.output();
  assert.notEqual(code, 0);
  assert.match(output, /layer-onboarding cannot start:\n {2}- LAYER_TEMPLATE_ID is missing\./);
  assert.doesNotMatch(output, /listening on/);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(output, /plaid-secret-9f8e7d6c/, 'the secret is not echoed');
});
