// No secret, access token or full SSN leaves the server, over a whole eligible flow in real
// Chromium against `npm start`: every response any frame of the page gets (bodies, headers, URLs,
// the Link iframe's included), everything the server prints (stdout and stderr: the request log,
// the emulator's lines), and every file `dist/` ships but the emulator's server code are searched
// for the Plaid secret and client id, the session secret, access tokens (the emulator's
// `access-sandbox-<uuid>`, as Plaid's look) and every sandbox user's full SSN, plain or dashed.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { test } from 'node:test';

import type { Response } from 'playwright-core';

import { EMULATOR_CLIENT_ID, EMULATOR_SECRET } from '../../emulator/index.js';
import { SANDBOX_USERS, findSandboxUser } from '../../emulator/sandbox-users.js';
import { openDemo, submitPhone } from '../support/demo.js';
import { shareInLink } from '../support/link.js';
import { ROOT } from '../support/processes.js';
import { useSite } from '../support/site.js';

const SESSION_SECRET = 'no-secrets-e2e-session-secret-0123456789abcdef';
const site = useSite({ SESSION_SECRET });

/** What must never be seen outside the server, each with a name for the failure message. */
function forbidden(): Array<[name: string, pattern: RegExp]> {
  const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const ssns = SANDBOX_USERS.flatMap((user) => (user.identity?.ssn ? [user.identity.ssn] : []));
  assert.ok(ssns.length >= 5, 'the sandbox users have SSNs to look for');
  return [
    ['the Plaid secret', literal(EMULATOR_SECRET)],
    ['the Plaid client id', literal(EMULATOR_CLIENT_ID)],
    ['the session secret', literal(SESSION_SECRET)],
    ['an access token', /access-(sandbox|development|production)-[0-9a-f]{8}-/],
    ...ssns.map((ssn): [string, RegExp] => [
      `the full SSN ${ssn.slice(0, 3)}…`,
      // Nine digits not inside a longer number, or dashed (123-45-6789).
      new RegExp(`(?<!\\d)(${ssn}|${ssn.slice(0, 3)}-${ssn.slice(3, 5)}-${ssn.slice(5)})(?!\\d)`),
    ]),
  ];
}

function assertNone(where: string, text: string): void {
  for (const [name, pattern] of forbidden()) {
    const match = pattern.exec(text);
    assert.equal(
      match,
      null,
      `${name} in ${where}: …${match ? text.slice(Math.max(0, match.index - 80), match.index + 80) : ''}…`,
    );
  }
}

test('a whole eligible flow: no secret, access token or full SSN in any response, URL or log line', async () => {
  const demo = await openDemo(site.browser, `${site.server.url}/`);
  const seen: Array<{ url: string; text: Promise<string> }> = [];
  const record = (response: Response) => seen.push({ url: response.url(), text: readResponse(response) });
  demo.page.on('response', record);
  // The page was loaded before `record` was attached: load it again so its own responses count.
  await demo.page.reload();

  await submitPhone(demo, '415-555-0011');
  await demo.waitFor('layer-eligible');
  await shareInLink(demo.page);
  const success = await demo.waitFor('layer-success');
  const identity = findSandboxUser('+14155550011')!.identity!;
  assert.equal((success.profile as { ssn_last_4: string }).ssn_last_4, identity.ssn!.slice(-4));
  // The flow is not over until the server has taken Plaid's webhooks for it.
  await waitForLog(/POST \/api\/layer\/webhook 200[\s\S]*POST \/api\/layer\/webhook 200/);
  demo.assertClean();

  const urls = seen.map(({ url }) => url);
  for (const path of [
    '/',
    '/layer-onboarding.js',
    '/api/layer/link-token',
    '/api/layer/session',
    '/link-initialize.js',
    '/link.html',
  ])
    assert.ok(
      urls.some((url) => new URL(url).pathname.endsWith(path)),
      `a response from ${path} was recorded:\n${urls.join('\n')}`,
    );
  const texts = await Promise.all(seen.map(({ text }) => text));
  // The bodies were really read: the profile with the last four digits is among them.
  assert.ok(
    texts.some((text) => text.includes(`"ssn_last_4":"${identity.ssn!.slice(-4)}"`)),
    'the /session answer was recorded with its body',
  );
  texts.forEach((text, index) => assertNone(`the response from ${seen[index]!.url}`, text));
  assertNone('a request URL', urls.join('\n'));
  // The page's own state too: what the widget and Link left in storage.
  assertNone(
    'the page’s storage',
    await demo.page.evaluate(
      () => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + document.cookie,
    ),
  );

  const log = site.server.output().split(/listening on .*\n/)[1] ?? '';
  assert.match(log, /POST \/api\/layer\/session 200/);
  assertNone('the server’s output', log);
  await demo.close();
});

test('dist/ ships no secret, access token or full SSN', async () => {
  const dist = join(ROOT, 'dist');
  const files = await readdir(dist, { recursive: true, withFileTypes: true });
  // The emulator's own server code is the one exception: it holds its published stand-in
  // credentials (EMULATOR_SECRET) and the sandbox users, as Plaid's sandbox documents its own.
  // What the emulator sends to browsers, its bundled Link scripts, is searched like the rest.
  const emulatorServerCode = (file: string) =>
    file.startsWith(join(dist, 'emulator') + sep) && !/[\\/]link-bundle\.js$/.test(file);
  const shipped = files
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !emulatorServerCode(file));
  for (const expected of ['layer-onboarding.js', 'layer-onboarding.mjs', 'link-bundle.js', 'server.js'])
    assert.ok(
      shipped.some((file) => file.endsWith(`${sep}${expected}`)),
      `${expected} is among the searched files: ${shipped.join(', ')}`,
    );
  for (const file of shipped) assertNone(file, await readFile(file, 'utf8'));
});

/**
 * A response's headers as received and its body. `allHeaders()` waits for Chromium's extra-info
 * event, and a body is fetched from the frame's process: for a response of Link's cross-origin
 * frame that the widget has removed since (on a busy machine, before the read), neither may ever
 * come, which hung the test to its deadline. Past a generous wait such a response is searched with
 * the headers Playwright has (all but cookie ones; our API sets none) and no body; the assertion
 * that the /session answer's body was read keeps this from hiding what matters.
 */
async function readResponse(response: Response): Promise<string> {
  const line = `${response.request().method()} ${response.url()} ${response.status()}`;
  const full = (async () => {
    const headers = JSON.stringify(await response.allHeaders());
    // Redirects and some preflights have no body to read.
    const body = await response.text().catch(() => '');
    return `${line}\n${headers}\n${body}`;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const partial = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${line}\n${JSON.stringify(response.headers())}\n`), 30_000);
  });
  try {
    return await Promise.race([full, partial]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForLog(pattern: RegExp): Promise<void> {
  const started = Date.now();
  while (!pattern.test(site.server.output())) {
    if (Date.now() - started > 60_000)
      assert.fail(`the server never logged ${pattern}:\n${site.server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
