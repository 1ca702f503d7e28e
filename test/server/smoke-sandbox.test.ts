/**
 * `npm run smoke:sandbox` (scripts/smoke-sandbox.ts) against the emulator instead of Plaid's
 * Sandbox, by base URL with the emulator's credentials, so the script cannot rot: its three real
 * Plaid calls through createLayerApi, with a public token passed in (PUBLIC_TOKEN) or handed back
 * by its manual page; and its refusals (wrong keys, a missing environment) say what is wrong
 * without echoing the secret. Never calls real Plaid.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/support/emulator-server.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';

/** How long the script may take on a busy machine (TypeScript through tsx, then three calls). */
const RUN_MS = 120_000;

let emulator: RunningEmulator;
const started: NodeProcess[] = [];

before(async () => {
  // Mounted at /plaid as npm start mounts it: the script takes any base URL.
  emulator = await startEmulator({}, '/plaid');
});

after(async () => {
  await Promise.all(started.map((run) => run.stop(5_000)));
  await emulator.close();
});

function smoke(env: Record<string, string>): NodeProcess {
  const run = spawnNode(['scripts/smoke-sandbox.ts'], {
    PATH: process.env.PATH ?? '',
    PLAID_CLIENT_ID: EMULATOR_CLIENT_ID,
    PLAID_SECRET: EMULATOR_SECRET,
    LAYER_TEMPLATE_ID: EMULATOR_TEMPLATE_ID,
    PLAID_BASE_URL: emulator.base,
    ...env,
  });
  started.push(run);
  return run;
}

async function finished(run: NodeProcess): Promise<{ code: number | null; output: string }> {
  const exit = await Promise.race([
    run.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), RUN_MS).unref()),
  ]);
  assert.ok(exit, `still running after ${RUN_MS / 1000} s:\n${run.output()}`);
  return { code: exit.code, output: run.output() };
}

test('with PUBLIC_TOKEN: Link token, webhook key look-up and exchange all pass, and it says what it saw', async () => {
  const publicToken = await emulator.publicToken('+14155550011');
  const { code, output } = await finished(smoke({ PUBLIC_TOKEN: publicToken }));
  assert.equal(code, 0, output);
  assert.match(output, /1\. POST \/link-token → Plaid \/session\/token\/create\n.*POST \/link-token 200 /);
  assert.match(output, /✔ 200: Link token link-sandbox-/);
  assert.match(
    output,
    /✔ Plaid answered that key id smoke-test-\w+ is unknown \(INVALID_WEBHOOK_VERIFICATION_KEY_ID\)/,
  );
  assert.match(output, /POST \/session 200 /);
  assert.match(
    output,
    /✔ 200: profile with name, address, phone_number, date_of_birth, ssn_last_4; null: email; 2 item\(s\); profile token issued/,
  );
  assert.match(output, /onSession got: identity \(.*\), 2 item\(s\) with access tokens \(not shown\)/);
  assert.match(output, /Smoke test passed: 3 of 3 checks\./);
  assert.doesNotMatch(output, new RegExp(`${EMULATOR_SECRET}|access-sandbox-|987654321|${publicToken}`));
});

test('without PUBLIC_TOKEN: it serves the manual Link page and takes the public token it hands back', async () => {
  const run = smoke({ SMOKE_WAIT_SECONDS: '120' });
  const [, url] = (await run.waitFor(
    /open (http:\/\/127\.0\.0\.1:\d+\/) in a browser/,
    RUN_MS,
    'the page URL',
  )) as [string, string];
  assert.match(run.output(), /type the Sandbox number 415-555-0011.*\n.*the code 123456/);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.ok(
    html.includes(`<script src="${emulator.base}/link/v2/stable/link-initialize.js"></script>`),
    html,
  );
  assert.match(
    page.headers.get('content-security-policy') ?? '',
    /script-src 'self' http:\/\/127\.0\.0\.1:\d+;/,
  );
  // What the page's script runs Link with is the Link token of step 1: finish that session as Link would.
  const script = await (await fetch(new URL('/smoke-page.js', url))).text();
  const linkToken = /token: "(link-sandbox-[^"]+)"/.exec(script)?.[1];
  assert.ok(linkToken, script);
  const { body } = await emulator.post('/emulator/sessions/complete', {
    link_token: linkToken,
    phone_number: '+14155550011',
  });
  const handedBack = await fetch(new URL('/public-token', url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ public_token: body.public_token }),
  });
  assert.equal(handedBack.status, 200);
  const { code, output } = await finished(run);
  assert.equal(code, 0, output);
  assert.match(output, /public token received: public-sandbox-/);
  assert.match(output, /Smoke test passed: 3 of 3 checks\./);
});

test('wrong keys: every check fails with Plaid’s error code, the secret never printed', async () => {
  const { code, output } = await finished(
    smoke({ PLAID_SECRET: 'not-the-secret-4f1d', PUBLIC_TOKEN: 'public-sandbox-x' }),
  );
  assert.equal(code, 1, output);
  assert.match(output, /POST \/link-token 502 .*plaid_error=INVALID_API_KEYS/);
  assert.match(output, /✖ no Link token/);
  assert.match(output, /✖ the verification key look-up did not get Plaid’s answer/);
  assert.match(output, /Smoke test FAILED: 3 of 3 checks failed\./);
  assert.doesNotMatch(output, /not-the-secret-4f1d/);
});

test('a missing environment is listed, with how to run it', async () => {
  const run = spawnNode(['scripts/smoke-sandbox.ts'], {
    PATH: process.env.PATH ?? '',
    PLAID_ENV: 'production',
    REDIRECT_URI: 'http://127.0.0.1:8787/',
  });
  started.push(run);
  const { code, output } = await finished(run);
  assert.equal(code, 2, output);
  for (const line of [
    /PLAID_CLIENT_ID is missing\./,
    /PLAID_SECRET is missing\./,
    /LAYER_TEMPLATE_ID is missing\./,
    /PLAID_ENV must be sandbox/,
    /REDIRECT_URI must use https, or http:\/\/localhost in Sandbox/,
    /npm run smoke:sandbox/,
  ])
    assert.match(output, line);
});
