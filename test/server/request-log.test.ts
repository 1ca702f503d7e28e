/**
 * One log line per request. A refusal's line names what was refused and the setting that allows it,
 * and never a token, a user id, an email or the client's address; a client cannot forge lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ApiErrorCode } from '../../contract/index.js';
import { LINK_TOKEN, PUBLIC_TOKEN } from './support/plaid-fixtures.js';
import { API_ORIGIN, TestBrowser, assertError, createTestApi, useMockPlaid } from './support/test-api.js';

await useMockPlaid();

/** C0 controls and DEL: what could end a log line or drive a terminal. */
const hasControlCharacter = (text: string) =>
  [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

test('a path with %0D%0A, %00 or raw control characters gives exactly one line, escaped', async () => {
  const { app, logs } = createTestApi();
  const cases: [string, Request | string, string[]][] = [
    ['percent-encoded CR LF', '/link-token%0D%0APOST%20/forged%20200', ['%0D%0A']],
    ['percent-encoded NUL', '/link-token%00', ['%00']],
    [
      // Node's HTTP parser refuses these, but not every runtime's does: the log must not trust it.
      'raw CR LF, NUL, ESC and DEL',
      withRawUrl(`${API_ORIGIN}/link-token\r\nPOST /forged 200 1ms id=x\x00\x1b[31m\x7f`),
      ['\\x0d\\x0a', '\\x00', '\\x1b', '\\x7f'],
    ],
  ];
  for (const [name, input, escaped] of cases) {
    const before = logs.length;
    const res = await app.request(input, typeof input === 'string' ? { method: 'POST' } : undefined);
    assert.ok(res.status >= 400, name);
    assert.equal(logs.length, before + 1, `${name}: one log call`);
    const line = logs.at(-1)!;
    assert.ok(!hasControlCharacter(line), `${name}: no control character in ${JSON.stringify(line)}`);
    assert.equal(line.split(/\r\n|\r|\n|\u2028|\u2029/).length, 1, `${name}: one line`);
    for (const text of escaped)
      assert.ok(line.includes(text), `${name}: ${JSON.stringify(line)} shows ${text}`);
    assert.match(line, /^POST \/link-token\S* 404 \d+ms id=[0-9a-f-]{36} code=NOT_FOUND$/, name);
  }
});

/**
 * A POST whose `url` carries raw characters, as a runtime that does not normalise URLs would pass
 * it. Bodiless, so no middleware re-creates the Request (which would normalise the URL again).
 */
function withRawUrl(url: string): Request {
  const request = new Request(`${API_ORIGIN}/placeholder`, { method: 'POST' });
  Object.defineProperty(request, 'url', { value: url });
  return request;
}

test('refusal lines name what was refused and the setting that allows it, and no token, user id, email or address', async () => {
  const partner = 'https://www.partner.example';
  const address = '203.0.113.77';
  const leslie = 'leslie@knope.com';
  const ann = 'ann.perkins@example.com';
  const { app, logs } = createTestApi({
    allowedOrigins: [partner],
    getUserId: (c) => c.req.header('X-User'),
    rateLimits: {
      linkTokenPerVisitor: { limit: 1, windowSeconds: 600 },
      linkTokenPerAddress: { limit: 3, windowSeconds: 600 },
      sessionPerVisitor: { limit: 1, windowSeconds: 600 },
    },
  });
  const as = (user: string) => {
    const browser = new TestBrowser(app, partner, address);
    const post = browser.post.bind(browser);
    browser.post = (path, body, options = {}) =>
      post(path, body, { ...options, headers: { 'X-User': user, ...options.headers } });
    return browser;
  };
  const refusals: [string, Response, ApiErrorCode, RegExp][] = [];
  const refused = (name: string, response: Response, code: ApiErrorCode, expected: RegExp) =>
    refusals.push([name, response, code, expected]);

  const leslieBrowser = as(leslie);
  assert.equal((await leslieBrowser.linkToken()).status, 200);
  refused(
    'visitor rate limit',
    await leslieBrowser.linkToken(),
    'RATE_LIMITED',
    /429 .*code=RATE_LIMITED limit=linkTokenPerVisitor=1\/600s hint="raise rateLimits\.linkTokenPerVisitor/,
  );
  assert.equal((await as(ann).linkToken()).status, 200);
  refused(
    'address rate limit',
    await as('ron@example.com').linkToken(),
    'RATE_LIMITED',
    /429 .*code=RATE_LIMITED limit=linkTokenPerAddress=3\/600s hint="raise rateLimits\.linkTokenPerAddress/,
  );
  refused(
    'origin',
    await new TestBrowser(app, 'https://shop.evil.example', address).linkToken(),
    'ORIGIN_NOT_ALLOWED',
    /403 .*code=ORIGIN_NOT_ALLOWED origin=https:\/\/shop\.evil\.example hint="add it to allowedOrigins \(ALLOWED_ORIGINS\)/,
  );
  refused(
    'missing handle',
    await leslieBrowser.post('/session', { public_token: PUBLIC_TOKEN }, { handle: null }),
    'SESSION_HANDLE_MISSING',
    /401 .*code=SESSION_HANDLE_MISSING handle=missing hint="[^"]*Layer-Session/,
  );
  refused(
    'tampered handle',
    await leslieBrowser.post(
      '/session',
      { public_token: PUBLIC_TOKEN },
      { handle: `${leslieBrowser.handle!.slice(0, -12)}AAAAAAAAAAAA` },
    ),
    'SESSION_HANDLE_INVALID',
    /401 .*code=SESSION_HANDLE_INVALID handle="bad signature" hint="[^"]*sessionSecret \(SESSION_SECRET\)/,
  );
  refused(
    'another user’s handle',
    await as(ann).post('/session', { public_token: PUBLIC_TOKEN }, { handle: leslieBrowser.handle }),
    'WRONG_SESSION',
    /403 .*code=WRONG_SESSION handle="issued to another user" hint="[^"]*getUserId/,
  );
  assert.equal((await leslieBrowser.exchange(PUBLIC_TOKEN)).status, 200);
  refused(
    'session rate limit',
    await leslieBrowser.exchange(PUBLIC_TOKEN),
    'RATE_LIMITED',
    /429 .*code=RATE_LIMITED limit=sessionPerVisitor=1\/600s hint="raise rateLimits\.sessionPerVisitor/,
  );

  for (const [name, response, code, expected] of refusals) {
    const id = response.headers.get('X-Request-Id')!;
    const line = logs.find((candidate) => candidate.includes(`id=${id}`));
    assert.ok(line, `${name}: a line for request ${id}`);
    assert.match(line, expected, name);
    await assertError(response, code, name);
  }

  const log = logs.join('\n');
  for (const secret of [
    leslie,
    ann,
    'knope',
    'perkins',
    address,
    LINK_TOKEN,
    PUBLIC_TOKEN,
    leslieBrowser.handle!,
    leslieBrowser.handle!.split('.')[1]!,
  ])
    assert.ok(!log.includes(secret), `the log contains ${secret}`);
});
