/**
 * createLayerApi against the real Plaid emulator, both served over real HTTP on 127.0.0.1: the
 * `plaid` client talks to the emulator, the emulator signs and delivers its webhooks to the API,
 * and a Layer session is driven through the emulator's headless control route (the same steps its
 * Link UI takes: submit the phone, open, code 123456, share).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { serve, type ServerType } from '@hono/node-server';

import {
  API_ROUTES,
  SESSION_HANDLE_HEADER,
  type ErrorBody,
  type LinkTokenResponse,
} from '../../contract/index.js';
import {
  AUTOFILL_DATE_OF_BIRTH,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  SANDBOX_USERS,
  createPlaidEmulator,
} from '../../emulator/index.js';
import {
  createLayerApi,
  verifyProfileToken,
  type LayerSession,
  type PlaidWebhook,
  type SessionResponse,
} from '../../server/index.js';
import { SESSION_SECRET } from './support/test-api.js';

interface Served {
  url: string;
  server: ServerType;
}

function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<Served> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server }),
    );
  });
}

const logs: string[] = [];
const sessions: LayerSession[] = [];
const webhooks: PlaidWebhook[] = [];
const webhookWaiters: ((webhook: PlaidWebhook) => void)[] = [];
let plaid: Served;
let api: Served;
let emulator: ReturnType<typeof createPlaidEmulator>;

before(async () => {
  // Both ports are picked by the OS, so the API starts first and is pointed at the emulator late.
  const late: { api?: ReturnType<typeof createLayerApi> } = {};
  api = await listen((request) => late.api!.fetch(request));
  emulator = createPlaidEmulator({ webhookUrl: `${api.url}/webhook` });
  plaid = await listen(emulator.fetch);
  late.api = createLayerApi({
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: plaid.url },
    templateId: EMULATOR_TEMPLATE_ID,
    sessionSecret: SESSION_SECRET,
    allowedOrigins: [api.url],
    retryDelayMs: 0,
    logger: (line) => logs.push(line),
    onSession: (session) => {
      sessions.push(session);
    },
    onWebhook: (webhook) => {
      webhooks.push(webhook);
      webhookWaiters.splice(0).forEach((wake) => wake(webhook));
    },
  });
});

after(async () => {
  // No webhook delivery outlives the test.
  await emulator.close();
  for (const { server } of [api, plaid]) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Resolves once a webhook matching `predicate` has reached onWebhook. */
function webhookArrives(predicate: (webhook: PlaidWebhook) => boolean): Promise<PlaidWebhook> {
  return new Promise((resolve) => {
    const check = () => {
      const found = webhooks.find(predicate);
      if (found) resolve(found);
      else webhookWaiters.push(check);
    };
    check();
  });
}

/** Every session handle the API gave out, to look for in the log. */
const handles: string[] = [];

/** A browser running the widget on the API's own origin: keeps the session handle `/link-token` gives. */
class Browser {
  handle: string | null = null;

  async post(path: string, body: unknown): Promise<Response> {
    const linkToken = path === API_ROUTES.linkToken;
    const handle = linkToken ? (this.handle ?? 'new') : this.handle;
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: api.url,
        ...(handle ? { [SESSION_HANDLE_HEADER]: handle } : {}),
      },
      body: JSON.stringify(body),
    });
    if (linkToken && response.ok) {
      this.handle = ((await response.clone().json()) as LinkTokenResponse).session_handle;
      handles.push(this.handle);
    }
    return response;
  }
}

/** What the emulated user does in Link: phone, code, share; Link hands back a public token. */
async function completeLayerSession(linkToken: string, phoneNumber: string, dateOfBirth?: string) {
  const response = await fetch(`${plaid.url}/emulator/sessions/complete`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ link_token: linkToken, phone_number: phoneNumber, date_of_birth: dateOfBirth }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { public_token: string; link_session_id: string };
}

async function linkToken(browser: Browser): Promise<string> {
  const response = await browser.post('/link-token', {});
  assert.equal(response.status, 200);
  const body = (await response.json()) as LinkTokenResponse;
  assert.match(body.link_token, /^link-sandbox-/);
  assert.ok(Date.parse(body.expiration) > Date.now());
  return body.link_token;
}

test('token, Layer session, verified webhooks, exchange: the browser gets the default user’s profile', async () => {
  const user = SANDBOX_USERS.find((candidate) => candidate.phone_number === '+14155550011')!;
  const browser = new Browser();
  const token = await linkToken(browser);
  const { public_token, link_session_id } = await completeLayerSession(token, user.phone_number);

  // Each webhook travels on its own, late and in no promised order: wait for both.
  const [finished, passed] = await Promise.all(
    ['SESSION_FINISHED', 'LAYER_AUTHENTICATION_PASSED'].map((code) =>
      webhookArrives(
        (webhook) => webhook.webhook_code === code && webhook.link_session_id === link_session_id,
      ),
    ),
  );
  assert.equal(finished!.link_token, token);
  assert.equal(passed!.link_token, token);

  const response = await browser.post('/session', { public_token });
  assert.equal(response.status, 200);
  const body = (await response.json()) as SessionResponse;
  const identity = user.identity!;
  assert.deepEqual(body.profile.name, identity.name);
  assert.equal(body.profile.phone_number, user.phone_number);
  // Plaid documents identity.email as "currently not returned"; the emulator follows.
  assert.equal(body.profile.email, null);
  assert.equal(body.profile.date_of_birth, identity.date_of_birth);
  assert.equal(body.profile.ssn_last_4, identity.ssn!.slice(-4));
  assert.equal(body.profile.address?.city, identity.address!.city);
  assert.equal(body.profile.ssn, undefined);
  assert.equal(body.items.length, user.banks.length);
  assert.ok(body.items.every((item) => Object.keys(item).join() === 'item_id'));
  assert.deepEqual((await verifyProfileToken(body.token, SESSION_SECRET)).profile, body.profile);

  const session = sessions.at(-1)!;
  assert.equal(session.identity?.ssn, identity.ssn);
  assert.equal(session.items.length, user.banks.length);
  assert.ok(session.items.every((item) => item.access_token?.startsWith('access-sandbox-')));
  assert.deepEqual(
    session.items.map((item) => item.item_id),
    body.items.map((item) => item.item_id),
  );

  const replay = await browser.post('/session', { public_token });
  assert.equal(replay.status, 409);
});

test('Extended Autofill: a number lacking a date of birth, then the sandbox date of birth', async () => {
  const browser = new Browser();
  const token = await linkToken(browser);
  const { public_token } = await completeLayerSession(token, '+15155550015', AUTOFILL_DATE_OF_BIRTH);
  const response = await browser.post('/session', { public_token });
  assert.equal(response.status, 200);
  const { profile } = (await response.json()) as SessionResponse;
  assert.equal(profile.date_of_birth, AUTOFILL_DATE_OF_BIRTH);
});

test('another browser cannot exchange the public token of this one', async () => {
  const owner = new Browser();
  const token = await linkToken(owner);
  const { public_token, link_session_id } = await completeLayerSession(token, '+14155550015');
  await webhookArrives(
    (webhook) => webhook.webhook_code === 'SESSION_FINISHED' && webhook.link_session_id === link_session_id,
  );

  const stranger = new Browser();
  const without = await stranger.post('/session', { public_token });
  assert.equal(without.status, 401, 'no session handle at all');
  assert.equal(((await without.json()) as ErrorBody).error.code, 'SESSION_HANDLE_MISSING');
  await linkToken(stranger);
  const stolen = await stranger.post('/session', { public_token });
  assert.equal(stolen.status, 403, 'a handle of its own, but not for the Link token Link ran with');
  assert.equal(((await stolen.json()) as ErrorBody).error.code, 'WRONG_SESSION');
  assert.equal((await owner.post('/session', { public_token })).status, 200);
});

test('the emulator’s INVALID_PUBLIC_TOKEN and expired tokens answer 422', async () => {
  const browser = new Browser();
  const token = await linkToken(browser);
  const unknown = await browser.post('/session', {
    public_token: 'public-sandbox-00000000-0000-4000-8000-000000000000',
  });
  assert.equal(unknown.status, 422);
  const { error } = (await unknown.json()) as { error: { code: string; plaid_request_id: string } };
  assert.equal(error.code, 'INVALID_PUBLIC_TOKEN');
  assert.match(error.plaid_request_id, /^[A-Za-z0-9]{15}$/);

  const { public_token } = await completeLayerSession(token, '+15155550019');
  const expire = await fetch(`${plaid.url}/emulator/tokens/expire`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: public_token }),
  });
  assert.equal(expire.status, 200);
  assert.equal((await browser.post('/session', { public_token })).status, 422);
});

test('injected Plaid faults: a 500 on token creation is retried; a rate limit reaches the browser as 429', async () => {
  const fault = (spec: object) =>
    fetch(`${plaid.url}/emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(spec),
    });
  const browser = new Browser();
  assert.equal((await fault({ route: '/session/token/create', status: 500, times: 1 })).status, 200);
  assert.equal((await browser.post('/link-token', {})).status, 200);

  assert.equal(
    (await fault({ route: '/session/token/create', errorCode: 'RATE_LIMIT', times: 1 })).status,
    200,
  );
  const limited = await browser.post('/link-token', {});
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('Retry-After')) > 0);
  await fetch(`${plaid.url}/emulator/faults`, { method: 'DELETE' });
});

test('the log lines of all these requests hold no PII from the sandbox profiles and no tokens', () => {
  assert.ok(logs.length > 10);
  assert.ok(handles.length >= 5);
  const log = logs.join('\n');
  const pii = SANDBOX_USERS.flatMap((user) => [
    user.phone_number,
    user.phone_number.slice(2),
    ...(user.identity
      ? [
          user.identity.name?.first_name,
          user.identity.name?.last_name,
          user.identity.email,
          user.identity.date_of_birth,
          user.identity.ssn,
          user.identity.address?.street,
          user.identity.address?.city,
        ]
      : []),
  ]).filter((value): value is string => typeof value === 'string' && value.length > 4);
  for (const value of pii) assert.ok(!log.includes(value), `the log contains ${value}`);
  for (const secret of [
    EMULATOR_SECRET,
    'link-sandbox-',
    'public-sandbox-',
    'access-sandbox-',
    SESSION_SECRET,
    ...handles,
  ])
    assert.ok(!log.includes(secret), `the log contains ${secret}`);
});
