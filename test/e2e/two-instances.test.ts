// Two `npm start` processes sharing one Redis behind a round-robin proxy, as a partner runs
// several instances behind a load balancer. The whole Layer flow in Chromium spans both (the Link
// token and the webhooks on one, the exchange on the other), a replayed public token is refused by
// the other instance, and the rate limit counts requests to both.
//
// Each `npm start` in emulator mode has its own emulator; as all instances share one Plaid, both
// use the first one's: it delivers its webhooks to the first instance's API, and the second runs
// with PLAID_EMULATOR_URL pointing at it. The proxy sends the emulator's paths there too.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import type { Browser } from 'playwright-core';

import { API_ROUTES, SESSION_HANDLE_HEADER } from '../../contract/index.js';
import { SANDBOX_OTP } from '../../emulator/index.js';
import { findSandboxUser } from '../../emulator/sandbox-users.js';
import { launchChromium, openPage, STEP_TIMEOUT_MS } from '../support/browser.js';
import { settlesWithin } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { START_TIMEOUT_MS, runMain, startServer, type RunningServer } from '../support/server.js';

const API = '/api/layer';
/** `npm start`'s per-address limit in emulator mode (server/start-site.ts). */
const ADDRESS_LIMIT = 1000;

interface Forwarded {
  method: string;
  path: string;
  /** 0 or 1: which instance answered. */
  instance: number;
  status?: number;
}

/**
 * A round-robin reverse proxy on a free port: each API request goes to the next instance in turn,
 * the site's own files alternate the same way (on a counter of their own, so the API's order does
 * not depend on how many files the page loads), and the emulator's paths go to the first instance,
 * whose emulator both use. It keeps `Host` and sets X-Forwarded-For/-Host/-Proto, as a load
 * balancer in front of servers with TRUST_PROXY=1 does, and records what it forwarded where.
 */
async function startProxy() {
  const upstreams: string[] = [];
  const forwarded: Forwarded[] = [];
  let apiTurn = 0;
  let fileTurn = 0;
  const server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? '/';
    const instance = path.startsWith('/plaid/')
      ? 0
      : path.startsWith(`${API}/`)
        ? apiTurn++ % 2
        : fileTurn++ % 2;
    const record: Forwarded = { method: incoming.method ?? 'GET', path: path.split('?')[0]!, instance };
    forwarded.push(record);
    const headers: IncomingHttpHeaders = {
      ...incoming.headers,
      'x-forwarded-for': [incoming.headers['x-forwarded-for'], incoming.socket.remoteAddress]
        .filter(Boolean)
        .join(', '),
      'x-forwarded-host': incoming.headers.host,
      'x-forwarded-proto': 'http',
    };
    const upstream = request(
      `${upstreams[instance]}${path}`,
      { method: incoming.method, headers },
      (answer) => {
        record.status = answer.statusCode;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    forwarded,
    setUpstreams: (first: string, second: string) => upstreams.splice(0, 2, first, second),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let redis: RedisServer | undefined;
let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
const instances: RunningServer[] = [];
let browser: Browser | undefined;

/** Throws the first failure, once every start has settled and what did start is kept for after(). */
function throwFirstFailure(...results: PromiseSettledResult<unknown>[]): void {
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

before(async () => {
  const [redisStart, proxyStart] = await Promise.allSettled([startRedis(), startProxy()]);
  if (redisStart.status === 'fulfilled') redis = redisStart.value;
  if (proxyStart.status === 'fulfilled') proxy = proxyStart.value;
  throwFirstFailure(redisStart, proxyStart);
  const env = {
    REDIS_URL: redis!.url,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    ALLOWED_ORIGINS: proxy!.url,
    TRUST_PROXY: '1',
  };
  const [first, chromium] = await Promise.allSettled([startServer(env), launchChromium()]);
  if (first.status === 'fulfilled') instances.push(first.value);
  if (chromium.status === 'fulfilled') browser = chromium.value;
  throwFirstFailure(first, chromium);
  instances.push(await startServer({ ...env, PLAID_EMULATOR_URL: `${instances[0]!.url}/plaid` }));
  proxy!.setUpstreams(instances[0]!.url, instances[1]!.url);
});

after(async () => {
  const closed = browser ? settlesWithin(browser.close(), 30_000) : Promise.resolve(true);
  await Promise.all([
    closed,
    ...instances.map((instance) => instance.stop()),
    proxy?.close(),
    redis?.close(),
  ]);
  if (!(await closed)) throw new Error('Chromium did not close within 30 s');
});

/** A POST as the widget sends it, straight to `base` or through the proxy. */
function post(base: string, route: string, body: object, handle: string) {
  return fetch(`${base}${API}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: proxy!.url, [SESSION_HANDLE_HEADER]: handle },
    body: JSON.stringify(body),
  });
}

/** The API's log lines of an instance (its request log: `POST /api/layer/… 200 …`). */
function apiLines(instance: RunningServer, route: string): string[] {
  return instance
    .output()
    .split('\n')
    .filter((line) => line.startsWith(`POST ${API}${route} `));
}

/** Resolves once `condition()` holds; fails after a generous limit. */
async function until(condition: () => Promise<boolean>, what: string, limitMs = STEP_TIMEOUT_MS) {
  const limit = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > limit) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('both say they share the Redis store; the second uses the first one’s emulator', () => {
  for (const instance of instances)
    assert.match(
      instance.output(),
      new RegExp(`Store: Redis at ${redis!.url} \\(keys under layer-onboarding:\\)\\.`),
    );
  assert.match(
    instances[1]!.output(),
    new RegExp(`Emulator mode: Plaid is the emulator at ${instances[0]!.url}/plaid \\(PLAID_EMULATOR_URL\\)`),
  );
});

test('415-555-0011 in Chromium through the proxy: Link token and webhooks on one instance, the exchange on the other; a replay there is refused', async () => {
  const [first, second] = instances as [RunningServer, RunningServer];
  const { page, errors } = await openPage(browser!);
  try {
    // The exchange waits until SESSION_FINISHED (delivered to the first instance) is in Redis, so
    // the second instance's binding check has something to check.
    let exchange: { body: string; handle: string } | undefined;
    await page.route(`**${API}${API_ROUTES.session}`, async (route) => {
      exchange = {
        body: route.request().postData() ?? '',
        handle: route.request().headers()['layer-session'] ?? '',
      };
      await until(
        async () => ((await redis!.command(['KEYS', 'layer-onboarding:source:*'])) as string[]).length > 0,
        'SESSION_FINISHED to reach the store',
      );
      await route.continue();
    });
    await page.goto(proxy!.url);
    const widget = page.locator('layer-onboarding');
    const input = widget.getByLabel('Phone number', { exact: true });
    await input.click();
    await input.pressSequentially('415-555-0011');
    await widget.getByRole('button', { name: 'Continue' }).click();
    // Link's UI is in the emulator's iframe, as real Link's is in Plaid's.
    const link = page
      .locator('iframe[id^="plaid-link-iframe-"]')
      .last()
      .contentFrame()
      .getByRole('dialog', { name: /Plaid/ });
    await link.getByRole('button', { name: 'Continue' }).click();
    await link.getByLabel('Verification code').pressSequentially(SANDBOX_OTP);
    await link.getByRole('button', { name: 'Verify' }).click();
    await link.getByRole('button', { name: 'Share' }).click();
    await page.waitForFunction(
      () => document.querySelector('layer-onboarding')?.getAttribute('state') === 'complete',
    );
    const { first_name } = findSandboxUser('+14155550011')!.identity!.name!;
    assert.equal(await page.locator('#first-name').inputValue(), first_name, 'the demo form is prefilled');

    // Where each request went, by the proxy's record and by each instance's own log (read as it
    // arrives: wait for the lines the proxy says are due).
    await until(
      async () =>
        apiLines(first, '/link-token').length === 1 &&
        apiLines(first, '/webhook').length > 0 &&
        apiLines(second, '/session').length === 1,
      'the log lines',
    );
    const apiCalls = proxy!.forwarded.filter(({ path }) => path.startsWith(`${API}/`));
    assert.deepEqual(
      apiCalls.map(({ path, instance, status }) => [path, instance, status]),
      [
        [`${API}/link-token`, 0, 200],
        [`${API}/session`, 1, 200],
      ],
    );
    assert.equal(apiLines(first, '/link-token').length, 1);
    assert.ok(
      apiLines(first, '/webhook').some((line) => / 200 /.test(line)),
      'webhooks on the first',
    );
    assert.deepEqual(apiLines(first, '/session'), []);
    assert.equal(apiLines(second, '/session').filter((line) => / 200 /.test(line)).length, 1);
    assert.deepEqual(apiLines(second, '/link-token'), []);
    assert.deepEqual(apiLines(second, '/webhook'), []);
    assert.deepEqual(errors, []);

    // The same request again, to the first instance: the public token is spent, in Redis.
    const replay = await post(first.url, API_ROUTES.session, JSON.parse(exchange!.body), exchange!.handle);
    assert.equal(replay.status, 409);
    assert.equal(
      ((await replay.json()) as { error: { code: string } }).error.code,
      'PUBLIC_TOKEN_ALREADY_USED',
    );
    await until(async () => apiLines(first, '/session').length === 1, 'the log line of the replay');
    assert.match(apiLines(first, '/session')[0]!, / 409 .*code=PUBLIC_TOKEN_ALREADY_USED/);

    // With another visitor's handle, to the second: SESSION_FINISHED (received by the first) binds
    // the public token to the Link token it came from.
    const other = (await (await post(first.url, API_ROUTES.linkToken, {}, 'new')).json()) as {
      session_handle: string;
    };
    const stolen = await post(
      second.url,
      API_ROUTES.session,
      JSON.parse(exchange!.body),
      other.session_handle,
    );
    assert.equal(stolen.status, 403);
    assert.equal(((await stolen.json()) as { error: { code: string } }).error.code, 'WRONG_SESSION');
  } finally {
    await page.close();
  }
});

test(`one rate limit for both: the per-address limit (${ADDRESS_LIMIT}) is reached by requests alternating between them`, async () => {
  // Every request so far came from this machine, as these do: the shared counter says how many.
  const keys = (await redis!.command(['KEYS', 'layer-onboarding:rate:link-token:address:*'])) as string[];
  assert.equal(keys.length, 1, 'one address');
  const counted = Number(await redis!.command(['GET', keys[0]!]));
  assert.ok(counted > 0 && counted < ADDRESS_LIMIT, `so far ${counted}`);
  const allowed = ADDRESS_LIMIT - counted;
  const from = proxy!.forwarded.length;

  let sent = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (sent < allowed + 10) {
        sent += 1;
        await (await post(proxy!.url, API_ROUTES.linkToken, {}, 'new')).arrayBuffer();
      }
    }),
  );
  const answered = proxy!.forwarded.slice(from);
  const count = (instance: number, status: number) =>
    answered.filter((call) => call.instance === instance && call.status === status).length;
  assert.equal(count(0, 200) + count(1, 200), allowed, 'exactly the limit, counted across both');
  assert.equal(count(0, 429) + count(1, 429), 10);
  assert.ok(count(0, 200) > 0 && count(1, 200) > 0, 'both served requests under the limit');
  assert.ok(count(0, 429) > 0 && count(1, 429) > 0, 'both refused past it');
  assert.equal(Number(await redis!.command(['GET', keys[0]!])), ADDRESS_LIMIT + 10);
});

test('npm start refuses a malformed REDIS_URL, without repeating it', async () => {
  const main = runMain({ REDIS_URL: 'redis://:s3cret-pass@cache.internal/sessions' });
  assert.ok(await settlesWithin(main.exited, START_TIMEOUT_MS), `still running:\n${main.output()}`);
  assert.notEqual((await main.exited).code, 0);
  assert.match(
    main.output(),
    /layer-onboarding cannot start:\n {2}- REDIS_URL may only have a database number/,
  );
  assert.doesNotMatch(main.output(), /s3cret-pass/);
});
