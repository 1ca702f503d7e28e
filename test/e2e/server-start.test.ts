/**
 * `npm start` (server/main.ts) as a real process: emulator mode with no environment, a complete
 * Layer exchange over real HTTP against it, clean shutdown on SIGTERM, and a clear refusal to
 * start when Plaid keys come without a Layer template.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { SANDBOX_USERS } from '../../emulator/index.js';
import { startServer, type RunningServer } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs server/main.ts with exactly `env` (plus PATH), collecting its output and exit code. */
function runMain(env: Record<string, string>, { stopOnListening = false } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (stopOnListening && /listening on http/.test(output)) child.kill('SIGTERM');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, output })),
  );
}

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
  const demo = await (await fetch(`${server.url}/`)).text();
  assert.match(demo, /<layer-onboarding link-script-src="\/plaid\/link\/v2\/stable\/link-initialize\.js"/);
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
  const tokenResponse = await post('/api/layer/link-token', {});
  assert.equal(tokenResponse.status, 200);
  const cookie = tokenResponse.headers.getSetCookie()[0]!.split(';')[0]!;
  const { link_token } = (await tokenResponse.json()) as { link_token: string };

  const completed = await post('/plaid/emulator/sessions/complete', {
    link_token,
    phone_number: '+14155550011',
  });
  assert.equal(completed.status, 200);
  const { public_token } = (await completed.json()) as { public_token: string };

  const session = await post('/api/layer/session', { public_token }, { Cookie: cookie });
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
});

test('it shuts down cleanly on SIGTERM', async () => {
  const { code, signal, output } = await runMain({}, { stopOnListening: true });
  assert.equal(signal, null, output);
  assert.equal(code, 0, output);
});

test('with PLAID_CLIENT_ID but no LAYER_TEMPLATE_ID it refuses to start with a clear message', async () => {
  const { code, output } = await runMain({
    PLAID_CLIENT_ID: 'cid',
    PLAID_SECRET: 'plaid-secret-9f8e7d6c',
    SESSION_SECRET: 's'.repeat(40),
  });
  assert.notEqual(code, 0);
  assert.match(output, /layer-onboarding cannot start:\n {2}- LAYER_TEMPLATE_ID is missing\./);
  assert.doesNotMatch(output, /listening on/);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(output, /plaid-secret-9f8e7d6c/, 'the secret is not echoed');
});
