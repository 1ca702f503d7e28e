/**
 * The published `layer-onboarding/server` entry (dist/server.js, found through package.json's
 * exports, as a partner's install has it) on Bun, Deno and Cloudflare's workerd, each from its npm
 * package (devDependencies). Each runtime serves createLayerApi pointed at the Plaid emulator, which
 * runs here on Node, and the real flow goes over HTTP: a Link token, the Layer session completed in
 * the emulator (its headless control route: the steps its Link UI takes), the public token exchanged
 * for a profile whose token the package's verifyProfileToken accepts, and the emulator's signed
 * webhooks verified by the API. Bad requests get the error shape, not a 500.
 *
 * A runtime that is not installed skips here, and fails in CI (`CI` set, and not to `false` or `0`):
 * there it must be proven.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import { serve, type ServerType } from '@hono/node-server';
import { build } from 'esbuild';

import {
  API_ROUTES,
  SESSION_HANDLE_HEADER,
  type ErrorBody,
  type LinkTokenResponse,
  type SessionResponse,
} from '../../contract/index.js';
import {
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  SANDBOX_USERS,
  createPlaidEmulator,
  type PlaidEmulator,
} from '../../emulator/index.js';
import type * as ServerEntry from '../../server/index.js';
import { runningInCI } from '../support/ci.js';
import { useRedis } from '../support/redis.js';
import { startLocalServer } from './support/local-server.js';
import { SESSION_SECRET } from './support/test-api.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/server/runtimes');
const ORIGIN = 'https://partner.example';
/** A runtime's start (Deno's first run fills its cache) and first `plaid` import, on a busy machine. */
const START_MS = 120_000;
/** The package as a partner imports it: the exports map's `./server`. */
const SERVER_ENTRY = import.meta.resolve('layer-onboarding/server');
const REDIS_ENTRY = import.meta.resolve('layer-onboarding/server/redis');
const { verifyProfileToken } = (await import(SERVER_ENTRY)) as typeof ServerEntry;
/** Bun and Deno keep the API's state in Redis, through the Redis store's entry. */
const redis = useRedis();

interface Settings {
  plaidUrl: string;
  clientId: string;
  secret: string;
  templateId: string;
  sessionSecret: string;
  origin: string;
  /** Per Plaid attempt. */
  timeoutMs: number;
  linkTokensPerAddress: { limit: number; windowSeconds: number };
  /** Where the Redis store keeps the API's keys, if the runtime uses one. */
  redisPrefix: string;
}

interface Started {
  url: string;
  child: ChildProcess;
}

interface Runtime {
  name: string;
  binary: string;
  start(settings: Settings, t: TestContext): Promise<Started>;
  /** Headers the runtime's front adds to every request. */
  headers?: Record<string, string>;
  /** The log's hint once the per-address limit is reached: which address the API saw. */
  addressHint: RegExp;
  /** Whether the API's state is in Redis (the Redis store's entry), not in memory. */
  redis: boolean;
}

const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

/** Resolves with the first match of `pattern` in `stream`; rejects if the child exits first. */
function firstMatch(child: ChildProcess, stream: Readable, pattern: RegExp, output: () => string) {
  return new Promise<RegExpExecArray>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${START_MS} ms:\n${output()}`)),
      START_MS,
    );
    stream.on('data', (chunk: Buffer) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before it listened:\n${output()}`));
    });
  });
}

/** Spawns a runtime; its output is kept for failure messages, and it is ended after the test. */
function spawnRuntime(t: TestContext, command: string, args: string[], extraPipe = false) {
  const child = spawn(command, args, {
    cwd: ROOT,
    // No update checks or telemetry: nothing but loopback is reachable in CI.
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe', ...(extraPipe ? (['pipe'] as const) : [])],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  // A test that times out ends this process without its `after` hooks: the runtime must not stay.
  const orphaned = () => child.kill('SIGTERM');
  process.once('exit', orphaned);
  t.after(async () => {
    process.off('exit', orphaned);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });
  return { child, output: () => output };
}

/** Bun and Deno run test/server/runtimes/serve-api.mjs, which imports the entry and listens. */
function serverFixture(name: string, args: (fixture: string, settings: string) => string[]): Runtime {
  return {
    name,
    // The socket's address (loopback), read from what the runtime passes `app.fetch`.
    addressHint: /hint="[^"]*private address/,
    redis: true,
    binary: bin(name),
    async start(settings, t) {
      const config = JSON.stringify({
        entry: SERVER_ENTRY,
        redisEntry: REDIS_ENTRY,
        redisUrl: redis.url,
        ...settings,
      });
      const { child, output } = spawnRuntime(t, bin(name), args(join(FIXTURES, 'serve-api.mjs'), config));
      const [, port] = await firstMatch(child, child.stdout!, /LISTENING (\d+)/, output);
      return { url: `http://127.0.0.1:${port}`, child };
    },
  };
}

const RUNTIMES: Runtime[] = [
  serverFixture('bun', (fixture, config) => [fixture, config]),
  // What the API needs: the network, reading node_modules, and the environment (the `plaid`
  // client's axios reads proxy variables).
  serverFixture('deno', (fixture, config) => [
    'run',
    '--no-lock',
    '--allow-net',
    '--allow-read',
    '--allow-env',
    fixture,
    config,
  ]),
  {
    name: 'workerd',
    binary: bin('workerd'),
    // As Cloudflare's edge sets it; the Worker passes getClientAddress to read it.
    headers: { 'CF-Connecting-IP': '203.0.113.7' },
    // node-redis needs TCP sockets (node:net): a Worker keeps its state elsewhere (KeyValueStore).
    redis: false,
    addressHint: /hint="raise rateLimits\.linkTokenPerAddress/,
    async start(settings, t) {
      // Bundled as wrangler bundles a Worker: esbuild, the workerd/worker/browser conditions.
      const dir = mkdtempSync(join(tmpdir(), 'layer-workerd-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      await build({
        entryPoints: [join(FIXTURES, 'worker.mjs')],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        conditions: ['workerd', 'worker', 'browser'],
        outfile: join(dir, 'worker.js'),
        logLevel: 'silent',
      });
      const text = (name: string, value: string) => `(name = "${name}", text = ${JSON.stringify(value)})`;
      writeFileSync(
        join(dir, 'config.capnp'),
        `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The emulator is on loopback; Plaid itself is public.
    (name = "net", network = (allow = ["public", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2026-11-01",
  globalOutbound = "net",
  bindings = [
    ${text('PLAID_URL', settings.plaidUrl)},
    ${text('PLAID_CLIENT_ID', settings.clientId)},
    ${text('PLAID_SECRET', settings.secret)},
    ${text('TEMPLATE_ID', settings.templateId)},
    ${text('SESSION_SECRET', settings.sessionSecret)},
    ${text('ORIGIN', settings.origin)},
    ${text('TIMEOUT_MS', String(settings.timeoutMs))},
    ${text('LINK_TOKENS_PER_ADDRESS', JSON.stringify(settings.linkTokensPerAddress))},
  ],
);
`,
      );
      // --control-fd: workerd writes the port it bound (address port 0) to fd 3 as JSON.
      const { child, output } = spawnRuntime(
        t,
        bin('workerd'),
        ['serve', join(dir, 'config.capnp'), '--control-fd=3', '--verbose'],
        true,
      );
      const [, port] = await firstMatch(
        child,
        child.stdio[3] as Readable,
        /"socket":"http","port":(\d+)/,
        output,
      );
      return { url: `http://127.0.0.1:${port}`, child };
    },
  },
];

/** Serves `fetch` on a free loopback port with Node. */
function listen(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<{ url: string; server: ServerType }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server }),
    );
  });
}

/** A webhook the emulator delivered, and the API's answer. */
interface Delivery {
  url: string;
  body: string;
  signature: string;
  status: number;
  answer: unknown;
}

/** The emulator on Node, its webhooks sent to `webhookUrl` once known; every delivery recorded. */
async function startEmulator(t: TestContext) {
  const late: { emulator?: PlaidEmulator } = {};
  const plaid = await listen((request) => late.emulator!.fetch(request));
  const deliveries: Delivery[] = [];
  const arrived: (() => void)[] = [];
  // A fault's latency lasts until the test ends: the API must give up by itself.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  t.after(async () => {
    release();
    await late.emulator?.close();
    plaid.server.close();
    if ('closeAllConnections' in plaid.server) plaid.server.closeAllConnections();
  });
  return {
    url: plaid.url,
    sendWebhooksTo(webhookUrl: string) {
      late.emulator = createPlaidEmulator({
        webhookUrl,
        // Each webhook once, promptly; a slow first `plaid` import on the runtime is no failure.
        webhookDelivery: { delayMs: 0, duplicateRate: 0, maxRetries: 0, timeoutMs: START_MS },
        // Failures show as a missing or non-200 delivery below (and the runtime may be gone).
        onWebhookFailure: () => {},
        sleep: () => held,
        fetch: async (input, init) => {
          const headers = new Headers(init?.headers);
          const delivery = {
            url: String(input),
            body: String(init?.body),
            signature: headers.get('Plaid-Verification') ?? '',
          };
          try {
            const response = await fetch(input, init);
            const answer: unknown = await response
              .clone()
              .json()
              .catch(() => null);
            deliveries.push({ ...delivery, status: response.status, answer });
            return response;
          } catch (error) {
            // Not delivered (the runtime is gone, say): recorded as status 0, so the test fails
            // with the cause instead of waiting for a delivery that will not come.
            deliveries.push({ ...delivery, status: 0, answer: String((error as Error).cause ?? error) });
            throw error;
          } finally {
            arrived.splice(0).forEach((wake) => wake());
          }
        },
      });
    },
    /** Resolves with the delivery of `code` for `linkSessionId`; rejects if none comes in time. */
    delivered(code: string, linkSessionId: string): Promise<Delivery> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no ${code} delivered within ${START_MS} ms: ${JSON.stringify(deliveries)}`)),
          START_MS,
        );
        const look = () => {
          const found = deliveries.find((delivery) => {
            const webhook = JSON.parse(delivery.body) as { webhook_code?: string; link_session_id?: string };
            return webhook.webhook_code === code && webhook.link_session_id === linkSessionId;
          });
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else arrived.push(look);
        };
        look();
      });
    },
    /** What the emulated user does in Link: phone, code, share; Link hands back a public token. */
    async completeSession(linkToken: string, phoneNumber: string) {
      const response = await fetch(`${plaid.url}/emulator/sessions/complete`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ link_token: linkToken, phone_number: phoneNumber }),
      });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as { public_token: string; link_session_id: string };
    },
    async fault(spec: object) {
      const response = await fetch(`${plaid.url}/emulator/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(spec),
      });
      assert.equal(response.status, 200, await response.text());
    },
  };
}

/** DESIGN's error shape, with the status `expected`; the body, for more checks. */
async function assertError(response: Response, expected: number, code: string): Promise<ErrorBody> {
  const text = await response.text();
  assert.equal(response.status, expected, text);
  const body = JSON.parse(text) as ErrorBody;
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.equal(body.error.request_id, response.headers.get('X-Request-Id'));
  return body;
}

const TIMEOUT_MS = 3000;
const LINK_TOKENS_PER_ADDRESS = 4;

/** The API's settings, with Plaid at `plaidUrl`. */
const settingsFor = (plaidUrl: string, redisPrefix: string, timeoutMs = TIMEOUT_MS): Settings => ({
  plaidUrl,
  clientId: EMULATOR_CLIENT_ID,
  secret: EMULATOR_SECRET,
  templateId: EMULATOR_TEMPLATE_ID,
  sessionSecret: SESSION_SECRET,
  origin: ORIGIN,
  timeoutMs,
  linkTokensPerAddress: { limit: LINK_TOKENS_PER_ADDRESS, windowSeconds: 600 },
  redisPrefix,
});

/** A browser on the partner's page, posting to the API on `runtime`. */
const poster =
  (runtime: Runtime, api: Started) =>
  (path: string, body: string, handle?: string): Promise<Response> =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: ORIGIN,
        ...runtime.headers,
        ...(handle ? { [SESSION_HANDLE_HEADER]: handle } : {}),
      },
      body,
    });

const skipUnless = (runtime: Runtime) =>
  !existsSync(runtime.binary) &&
  !runningInCI(process.env) &&
  `${runtime.name} is not installed (npm ci installs it; CI fails here)`;

for (const runtime of RUNTIMES) {
  test(
    `${runtime.name}: the built server entry serves the whole flow against the emulator`,
    { skip: skipUnless(runtime) },
    async (t) => {
      assert.ok(
        existsSync(runtime.binary),
        `${runtime.binary} is missing: npm ci installs it (devDependencies)`,
      );
      const plaid = await startEmulator(t);
      const redisPrefix = `runtimes-${runtime.name}-${crypto.randomUUID()}:`;
      const api = await runtime.start(settingsFor(plaid.url, redisPrefix), t);
      plaid.sendWebhooksTo(`${api.url}${API_ROUTES.webhook}`);
      const post = poster(runtime, api);
      const linkToken = async () => {
        const response = await post(API_ROUTES.linkToken, '{}', 'new');
        const text = await response.text();
        assert.equal(response.status, 200, text);
        const body = JSON.parse(text) as LinkTokenResponse;
        assert.match(body.link_token, /^link-sandbox-/);
        return body;
      };
      const seen = async () =>
        (await (await fetch(`${api.url}/test/seen`)).json()) as {
          sessions: { ssn: string | null; items: number }[];
          webhooks: { code: string; link_session_id: string }[];
          logs: string[];
        };

      // The Link token: the `plaid` client's first call, from inside the runtime.
      const { link_token, session_handle } = await linkToken();
      const user = SANDBOX_USERS.find((candidate) => candidate.phone_number === '+14155550011')!;
      const { public_token, link_session_id } = await plaid.completeSession(link_token, user.phone_number);

      // The emulator's signed webhook, verified by the API in the runtime (the signing key fetched
      // through the `plaid` client) and handed to onWebhook.
      const finished = await plaid.delivered('SESSION_FINISHED', link_session_id);
      assert.equal(finished.status, 200, JSON.stringify(finished.answer));
      assert.deepEqual(finished.answer, { received: true });

      // The exchange: the browser's profile, and the profile token the package verifies.
      const sessionResponse = await post(
        API_ROUTES.session,
        JSON.stringify({ public_token }),
        session_handle,
      );
      const sessionText = await sessionResponse.text();
      assert.equal(sessionResponse.status, 200, sessionText);
      const body = JSON.parse(sessionText) as SessionResponse;
      const identity = user.identity!;
      assert.deepEqual(body.profile.name, identity.name);
      assert.equal(body.profile.phone_number, user.phone_number);
      assert.equal(body.profile.date_of_birth, identity.date_of_birth);
      assert.equal(body.profile.ssn_last_4, identity.ssn!.slice(-4));
      assert.equal(body.profile.address?.city, identity.address!.city);
      assert.equal('ssn' in body.profile, false);
      assert.equal(body.items.length, user.banks.length);
      assert.deepEqual((await verifyProfileToken(body.token, SESSION_SECRET)).profile, body.profile);

      const afterSession = await seen();
      assert.deepEqual(afterSession.sessions, [{ ssn: identity.ssn, items: user.banks.length }]);
      assert.ok(
        afterSession.webhooks.some(
          (webhook) => webhook.code === 'SESSION_FINISHED' && webhook.link_session_id === link_session_id,
        ),
        JSON.stringify(afterSession.webhooks),
      );

      // Bad requests: the error shape with a 4xx, never a 500.
      await assertError(
        await post(API_ROUTES.session, JSON.stringify({ public_token }), session_handle),
        409,
        'PUBLIC_TOKEN_ALREADY_USED',
      );
      await assertError(
        await post(API_ROUTES.session, '{"public_token":', session_handle),
        400,
        'INVALID_JSON',
      );
      // The emulator's webhook, its body changed after signing.
      await assertError(
        await fetch(finished.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Plaid-Verification': finished.signature },
          body: finished.body.replace('SESSION_FINISHED', 'SESSION_FINISHEd'),
        }),
        401,
        'WEBHOOK_VERIFICATION_FAILED',
      );

      // Plaid's failures, as this runtime's transport for the `plaid` client meets them.
      await assertError(
        await post(
          API_ROUTES.session,
          JSON.stringify({ public_token: 'public-sandbox-00000000-0000-4000-8000-000000000000' }),
          session_handle,
        ),
        422,
        'INVALID_PUBLIC_TOKEN',
      );
      await plaid.fault({ route: '/session/token/create', errorCode: 'RATE_LIMIT', times: 1 });
      const limited = await post(API_ROUTES.linkToken, '{}', 'new');
      await assertError(limited, 429, 'PLAID_RATE_LIMITED');
      assert.ok(Number(limited.headers.get('Retry-After')) > 0);
      // Plaid does not answer: the call is abandoned at timeoutMs, and the browser told so.
      const second = await linkToken();
      const late = await plaid.completeSession(second.link_token, user.phone_number);
      await plaid.fault({ route: '/user_account/session/get', latencyMs: 600_000, times: null });
      const started = performance.now();
      await assertError(
        await post(
          API_ROUTES.session,
          JSON.stringify({ public_token: late.public_token }),
          second.session_handle,
        ),
        503,
        'PLAID_TIMEOUT',
      );
      assert.ok(performance.now() - started >= TIMEOUT_MS - 100, 'not before timeoutMs');

      // The per-address limit counts the client's address as the runtime gives it (three Link
      // tokens so far): the log's hint says which address it saw.
      await linkToken();
      await assertError(await post(API_ROUTES.linkToken, '{}', 'new'), 429, 'RATE_LIMITED');
      const line = (await seen()).logs.find((entry) => entry.includes('code=RATE_LIMITED'));
      assert.match(line ?? '(no line)', runtime.addressHint);

      const keys = (await redis.command(['KEYS', `${redisPrefix}*`])) as string[];
      assert.equal(
        keys.length > 0,
        runtime.redis,
        `the API's state is ${runtime.redis ? '' : 'not '}in Redis`,
      );
      assert.equal(api.child.exitCode, null, `${runtime.name} is still serving`);
    },
  );
}

// The `plaid` client's transport differs by runtime (Node's http on Bun and Deno, fetch on
// Workers): on each, a redirect is not followed (it would carry the Plaid secret to another host)
// and an answer over the size limit is not buffered.
for (const runtime of RUNTIMES) {
  test(
    `${runtime.name}: a redirect from Plaid is not followed, and an oversized answer is refused`,
    { skip: skipUnless(runtime) },
    async (t) => {
      assert.ok(
        existsSync(runtime.binary),
        `${runtime.binary} is missing: npm ci installs it (devDependencies)`,
      );
      const elsewhere = await startLocalServer((_request, response) => {
        response.end('{}');
      });
      t.after(() => elsewhere.close());
      let answer: 'redirect' | 'oversized' = 'redirect';
      const plaid = await startLocalServer((request, response) => {
        if (answer === 'redirect') {
          response.writeHead(307, { Location: `${elsewhere.url}${request.path}` });
          response.end();
          return;
        }
        // Chunked, with no Content-Length to judge it by: counted as it arrives.
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.write('{"link_token":"');
        for (let i = 0; i < 40; i++) response.write('x'.repeat(64 * 1024));
        response.end('"}');
      });
      t.after(() => plaid.close());
      // The first Plaid call imports `plaid` inside its attempt, which takes seconds on a busy
      // machine: a short timeoutMs would retry it, and `not retried` below would fail.
      const api = await runtime.start(
        settingsFor(plaid.url, `runtimes-${crypto.randomUUID()}:`, START_MS),
        t,
      );
      const post = poster(runtime, api);

      await assertError(await post(API_ROUTES.linkToken, '{}', 'new'), 502, 'PLAID_BAD_RESPONSE');
      assert.equal(plaid.requests.length, 1, 'not retried');
      assert.equal(plaid.requests[0]!.headers['plaid-secret'], EMULATOR_SECRET);
      assert.deepEqual(elsewhere.requests, [], 'nothing reached the other host');

      answer = 'oversized';
      await assertError(await post(API_ROUTES.linkToken, '{}', 'new'), 502, 'PLAID_BAD_RESPONSE');
      const { logs } = (await (await fetch(`${api.url}/test/seen`)).json()) as { logs: string[] };
      assert.match(logs.at(-1) ?? '', /answer over \d+ bytes/);
    },
  );
}
