/**
 * `npm run smoke:sandbox`: the backend's real Plaid calls, made through `createLayerApi` against
 * Plaid's Sandbox with your keys, and what each one answered:
 *
 *   1. POST /link-token  → Plaid /session/token/create
 *   2. POST /webhook     → Plaid /webhook_verification_key/get (for a key id Plaid never issued:
 *                          the answer "unknown key id" proves the route and your keys work)
 *   3. POST /session     → Plaid /user_account/session/get, with a public token from Link
 *
 * For step 3, pass PUBLIC_TOKEN, or do the Link steps by hand on the page this script serves (it
 * prints the URL and what to type); the page hands the public token back, or paste it here.
 *
 *   PLAID_CLIENT_ID, PLAID_SECRET, LAYER_TEMPLATE_ID   required
 *   PLAID_ENV          sandbox (the only one this script runs against)
 *   REDIRECT_URI, WEBHOOK_URL                          passed to createLayerApi as npm start does
 *   PUBLIC_TOKEN       skip the manual Link steps
 *   PLAID_BASE_URL     another Plaid host (the emulator: `npm test` runs this script against it)
 *   SMOKE_PORT         the manual page's port (default: any free one)
 *   SMOKE_WAIT_SECONDS how long to wait for the public token (default 900)
 *
 * Exit code 0 when every check passed, 1 when one failed, 2 when the environment is incomplete.
 * The secret, access tokens and full SSN are never printed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { SignJWT, generateKeyPair } from 'jose';

import { LINK_SCRIPT_PATH, SESSION_HANDLE_HEADER } from '../contract/index.js';
import { createLayerApi, redirectUriProblem, type LayerSession } from '../server/index.js';

const SANDBOX_PHONE = '415-555-0011';
const SANDBOX_CODE = '123456';
/** The origin the script's own requests to the API come from (it is the only one allowed). */
const ORIGIN = 'http://localhost';

interface Environment {
  clientId: string;
  secret: string;
  templateId: string;
  redirectUri: string | undefined;
  webhookUrl: string | undefined;
  publicToken: string | undefined;
  baseUrl: string | undefined;
  port: number;
  waitMs: number;
}

function readEnvironment(env: NodeJS.ProcessEnv): Environment | string[] {
  const value = (name: string) => env[name]?.trim() || undefined;
  const problems: string[] = [];
  for (const name of ['PLAID_CLIENT_ID', 'PLAID_SECRET', 'LAYER_TEMPLATE_ID'])
    if (!value(name)) problems.push(`${name} is missing.`);
  const plaidEnv = value('PLAID_ENV') ?? 'sandbox';
  if (plaidEnv !== 'sandbox')
    problems.push(`PLAID_ENV must be sandbox (this smoke test never runs against ${plaidEnv}).`);
  const redirectUri = value('REDIRECT_URI');
  const redirectProblem = redirectUri && redirectUriProblem(redirectUri, 'sandbox');
  if (redirectProblem) problems.push(`REDIRECT_URI ${redirectProblem}`);
  const port = Number(value('SMOKE_PORT') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('SMOKE_PORT must be a port number.');
  const waitSeconds = Number(value('SMOKE_WAIT_SECONDS') ?? 900);
  if (!(waitSeconds > 0)) problems.push('SMOKE_WAIT_SECONDS must be a number of seconds above 0.');
  if (problems.length) return problems;
  return {
    clientId: value('PLAID_CLIENT_ID')!,
    secret: value('PLAID_SECRET')!,
    templateId: value('LAYER_TEMPLATE_ID')!,
    redirectUri,
    webhookUrl: value('WEBHOOK_URL'),
    publicToken: value('PUBLIC_TOKEN'),
    baseUrl: value('PLAID_BASE_URL')?.replace(/\/+$/, ''),
    port,
    waitMs: waitSeconds * 1000,
  };
}

/** What the API answered, with the request's log line (which carries Plaid's error code). */
interface Answer {
  status: number;
  body: Record<string, unknown>;
  log: string;
}

class Smoke {
  readonly logs: string[] = [];
  readonly sessions: LayerSession[] = [];
  private passed = 0;
  private failed = 0;
  private readonly api: Hono;

  constructor(env: Environment) {
    this.api = createLayerApi({
      plaid: {
        clientId: env.clientId,
        secret: env.secret,
        env: 'sandbox',
        ...(env.baseUrl ? { basePath: env.baseUrl } : {}),
      },
      templateId: env.templateId,
      // Throwaway: nothing this script signs outlives it.
      sessionSecret: randomBytes(32).toString('base64url'),
      allowedOrigins: [ORIGIN],
      ...(env.redirectUri ? { redirectUri: env.redirectUri } : {}),
      ...(env.webhookUrl ? { webhookUrl: env.webhookUrl } : {}),
      logger: (line) => this.logs.push(line),
      onSession: (session) => {
        this.sessions.push(session);
      },
    });
  }

  async request(path: string, init: { body: string; headers: Record<string, string> }): Promise<Answer> {
    const before = this.logs.length;
    const response = await this.api.request(path, { method: 'POST', ...init });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text: text.slice(0, 200) };
    }
    return { status: response.status, body, log: this.logs.slice(before).join('\n') };
  }

  pass(text: string): void {
    this.passed += 1;
    console.log(`   ✔ ${text}`);
  }

  fail(text: string, answer?: Answer): void {
    this.failed += 1;
    console.log(`   ✖ ${text}`);
    if (answer) {
      const error = answer.body.error as { code?: string; message?: string } | undefined;
      console.log(`     answered ${answer.status}${error ? ` ${error.code}: ${error.message}` : ''}`);
    }
  }

  /** The request log line(s) of the last call: Plaid's request id and error code are there. */
  showLog(answer: Answer): void {
    for (const line of answer.log.split('\n').filter(Boolean)) console.log(`     log: ${line}`);
  }

  summary(): number {
    const total = this.passed + this.failed;
    console.log(
      this.failed
        ? `\nSmoke test FAILED: ${this.failed} of ${total} checks failed.`
        : `\nSmoke test passed: ${this.passed} of ${total} checks.`,
    );
    return this.failed ? 1 : 0;
  }
}

/** Step 1: a Link token and session handle, as the widget asks for them. */
async function linkToken(smoke: Smoke): Promise<{ link_token: string; session_handle: string } | null> {
  console.log('\n1. POST /link-token → Plaid /session/token/create');
  const answer = await smoke.request('/link-token', {
    body: '{}',
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, [SESSION_HANDLE_HEADER]: 'new' },
  });
  smoke.showLog(answer);
  const { link_token: token, expiration, session_handle: handle } = answer.body;
  if (answer.status !== 200 || typeof token !== 'string' || typeof handle !== 'string') {
    smoke.fail('no Link token', answer);
    return null;
  }
  smoke.pass(`200: Link token ${token.slice(0, 20)}…, expires ${String(expiration)}, session handle issued`);
  return { link_token: token, session_handle: handle };
}

/** Step 2: a webhook naming a key id Plaid never issued makes the API ask Plaid for that key. */
async function webhookKey(smoke: Smoke): Promise<void> {
  console.log('\n2. POST /webhook (a key id Plaid never issued) → Plaid /webhook_verification_key/get');
  const body = JSON.stringify({ webhook_type: 'LAYER', webhook_code: 'SMOKE_TEST', environment: 'sandbox' });
  const { privateKey } = await generateKeyPair('ES256');
  const kid = `smoke-test-${randomBytes(8).toString('hex')}`;
  const signature = await new SignJWT({
    request_body_sha256: createHash('sha256').update(body).digest('hex'),
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuedAt()
    .sign(privateKey);
  const answer = await smoke.request('/webhook', {
    body,
    headers: { 'Content-Type': 'application/json', 'Plaid-Verification': signature },
  });
  smoke.showLog(answer);
  const message = (answer.body.error as { message?: string } | undefined)?.message ?? '';
  if (answer.status === 401 && /unknown to Plaid/.test(message))
    smoke.pass(
      `Plaid answered that key id ${kid} is unknown (INVALID_WEBHOOK_VERIFICATION_KEY_ID): the key look-up reaches Plaid with your keys`,
    );
  else smoke.fail('the verification key look-up did not get Plaid’s answer', answer);
}

/** Serves the page for the manual Link steps; resolves with the public token it hands back. */
async function manualLink(
  env: Environment,
  linkTokenValue: string,
): Promise<{ url: string; token: Promise<string>; close: () => Promise<void> }> {
  const linkScript = env.baseUrl
    ? `${env.baseUrl}${LINK_SCRIPT_PATH}`
    : `https://cdn.plaid.com${LINK_SCRIPT_PATH}`;
  const linkOrigin = new URL(linkScript).origin;
  let handBack: (token: string) => void = () => {};
  const token = new Promise<string>((resolve) => (handBack = resolve));
  const page = new Hono();
  page.use(async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'self' ${linkOrigin}; frame-src ${linkOrigin}; connect-src 'self'; ` +
        "style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'" +
        (env.baseUrl ? '' : "; style-src-attr 'unsafe-inline'"),
    );
  });
  page.get('/', (c) => c.html(SMOKE_PAGE.replace('%LINK_SCRIPT%', linkScript)));
  page.get('/favicon.ico', (c) => c.body(null, 204));
  page.get('/smoke-page.js', (c) =>
    c.body(SMOKE_PAGE_SCRIPT.replace('%LINK_TOKEN%', JSON.stringify(linkTokenValue)), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
    }),
  );
  page.post('/public-token', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { public_token?: unknown } | null;
    if (typeof body?.public_token !== 'string') return c.json({ ok: false }, 400);
    handBack(body.public_token);
    return c.json({ ok: true }, 200);
  });
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: page.fetch, port: env.port, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    token,
    // The hand-back's own answer may still be on its way: idle connections go now, the rest soon.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, 2000).unref();
      }),
  };
}

/** The public token: PUBLIC_TOKEN, or from the manual page (or pasted), within SMOKE_WAIT_SECONDS. */
async function publicToken(env: Environment, linkTokenValue: string): Promise<string | null> {
  if (env.publicToken) {
    console.log('   public token: from PUBLIC_TOKEN');
    return env.publicToken;
  }
  const page = await manualLink(env, linkTokenValue);
  console.log(
    [
      '   Do the Link steps by hand:',
      `     a. open ${page.url} in a browser on this machine`,
      `     b. type the Sandbox number ${SANDBOX_PHONE} and press Continue`,
      `     c. in Link: Continue, the code ${SANDBOX_CODE}, Verify, then Share`,
      '   The page hands the public token back here. (Or paste one below; or set PUBLIC_TOKEN.)',
    ].join('\n'),
  );
  const reader = process.stdin.isTTY
    ? createInterface({ input: process.stdin, output: process.stdout })
    : null;
  const pasted = new Promise<string>((resolve) =>
    reader?.question('   public token: ', (answer) => answer.trim() && resolve(answer.trim())),
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), env.waitMs)));
  try {
    const token = await Promise.race([page.token, pasted, timedOut]);
    if (token) console.log(`\n   public token received: ${token.slice(0, 22)}…`);
    return token;
  } finally {
    clearTimeout(timer);
    reader?.close();
    await page.close();
  }
}

/** Step 3: the exchange, as the widget asks for it after Link's onSuccess. */
async function exchange(
  smoke: Smoke,
  env: Environment,
  token: { link_token: string; session_handle: string },
) {
  console.log('\n3. POST /session → Plaid /user_account/session/get');
  const publicTokenValue = await publicToken(env, token.link_token);
  if (!publicTokenValue) {
    smoke.fail(`no public token within ${env.waitMs / 1000} s`);
    return;
  }
  const answer = await smoke.request('/session', {
    body: JSON.stringify({ public_token: publicTokenValue }),
    headers: {
      'Content-Type': 'application/json',
      Origin: ORIGIN,
      [SESSION_HANDLE_HEADER]: token.session_handle,
    },
  });
  smoke.showLog(answer);
  const profile = answer.body.profile as Record<string, unknown> | null | undefined;
  const items = answer.body.items as unknown[] | undefined;
  if (answer.status !== 200 || !profile || !Array.isArray(items)) {
    smoke.fail('no profile', answer);
    return;
  }
  const present = Object.keys(profile).filter((key) => profile[key] !== null);
  const missing = Object.keys(profile).filter((key) => profile[key] === null);
  smoke.pass(
    `200: profile with ${present.join(', ') || 'nothing'}${missing.length ? `; null: ${missing.join(', ')}` : ''}; ` +
      `${items.length} item(s); profile token ${typeof answer.body.token === 'string' ? 'issued' : 'MISSING'}`,
  );
  const session = smoke.sessions.at(-1);
  if (session)
    console.log(
      `     onSession got: identity ${session.identity ? `(${Object.keys(session.identity).join(', ')})` : 'null'}, ` +
        `${session.items.length} item(s) with access tokens (not shown), Plaid request ${session.plaidRequestId}`,
    );
}

async function main(): Promise<number> {
  const env = readEnvironment(process.env);
  if (Array.isArray(env)) {
    console.error(
      `smoke:sandbox needs your Plaid Sandbox keys and a Layer template:\n${env.map((line) => `  - ${line}`).join('\n')}\n` +
        'e.g. PLAID_CLIENT_ID=… PLAID_SECRET=… LAYER_TEMPLATE_ID=template_… npm run smoke:sandbox',
    );
    return 2;
  }
  console.log(
    `layer-onboarding smoke test: createLayerApi against ${env.baseUrl ?? 'Plaid Sandbox (https://sandbox.plaid.com)'}, ` +
      `template ${env.templateId}${env.redirectUri ? `, redirect_uri ${env.redirectUri}` : ''}` +
      `${env.webhookUrl ? `, webhook ${env.webhookUrl}` : ''}`,
  );
  const smoke = new Smoke(env);
  const token = await linkToken(smoke);
  await webhookKey(smoke);
  if (token) await exchange(smoke, env, token);
  else {
    console.log('\n3. POST /session → Plaid /user_account/session/get');
    smoke.fail('skipped: no Link token to run Link with');
  }
  return smoke.summary();
}

/** The manual page: no inline script or style, so it runs under its strict policy. */
const SMOKE_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>layer-onboarding smoke test</title>
  </head>
  <body>
    <h1>layer-onboarding smoke test: Plaid Link by hand</h1>
    <form id="phone-form">
      <label for="phone">Phone number</label>
      <input id="phone" type="tel" value="${SANDBOX_PHONE}" autocomplete="off" />
      <button type="submit" disabled>Continue</button>
    </form>
    <p>Then in Link: Continue, code ${SANDBOX_CODE}, Verify, Share.</p>
    <pre id="out" aria-live="polite">Loading Plaid Link…</pre>
    <script src="%LINK_SCRIPT%"></script>
    <script src="/smoke-page.js"></script>
  </body>
</html>
`;

const SMOKE_PAGE_SCRIPT = `'use strict';
(() => {
  const out = document.getElementById('out');
  const form = document.getElementById('phone-form');
  const say = (text) => { out.textContent = text; };
  const handler = window.Plaid.create({
    token: %LINK_TOKEN%,
    onLoad: () => { form.querySelector('button').disabled = false; say('Ready: press Continue.'); },
    onEvent: (name) => {
      if (name === 'LAYER_READY') handler.open();
      if (name === 'LAYER_NOT_AVAILABLE') say('Layer is not available for this number: use ${SANDBOX_PHONE}.');
    },
    onSuccess: (publicToken) => {
      say('Public token: ' + publicToken + '\\nHanding it back to the smoke test…');
      fetch('/public-token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ public_token: publicToken }) })
        .then((response) => say('Public token: ' + publicToken + (response.ok ? '\\nHanded back: see the terminal.' : '\\nPaste it into the terminal.')))
        .catch(() => say('Public token: ' + publicToken + '\\nPaste it into the terminal.'));
    },
    onExit: (error) => say('Link closed' + (error ? ': ' + error.error_code + ' ' + error.error_message : '') + '. Reload to try again.'),
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const digits = document.getElementById('phone').value.replace(/\\D/g, '');
    handler.submit({ phone_number: '+' + (digits.length === 10 ? '1' + digits : digits) });
    say('Checking the number…');
  });
})();
`;

process.exitCode = await main();
