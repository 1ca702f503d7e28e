import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';

import { Configuration, PlaidApi, PlaidEnvironments } from 'plaid';

import { LayerApiError } from '../../server/errors.js';
import type { LayerApiOptions } from '../../server/index.js';
import { createPlaidClient } from '../../server/plaid-api.js';
import {
  PLAID_ENVIRONMENTS,
  PLAID_HOSTS,
  callPlaid,
  lazyPlaidClient,
  type PlaidApiModule,
} from '../../server/plaid-client.js';
import { startLocalServer, sendJson, type LocalServer } from './support/local-server.js';
import { LINK_EXPIRATION, LINK_TOKEN, PUBLIC_TOKEN, SESSION_GET_RESPONSE } from './support/plaid-fixtures.js';
import { PLAID_CREDENTIALS, TestBrowser, assertError, createTestApi } from './support/test-api.js';

/** What the plaid client rejects with when Plaid answers an error status. */
function plaidFailure(status: number) {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    response: {
      status,
      data: { error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR', request_id: 'r' },
    },
  });
}

test('backs off exponentially between retries, capped at maxRetryDelayMs', async () => {
  const waits: number[] = [];
  let attempts = 0;
  await assert.rejects(
    callPlaid(
      async () => {
        attempts++;
        throw plaidFailure(500);
      },
      {
        timeoutMs: 1000,
        retries: 4,
        retryDelayMs: 250,
        maxRetryDelayMs: 1000,
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    ),
    (error) => error instanceof LayerApiError && error.code === 'PLAID_ERROR' && error.status === 502,
  );
  assert.equal(attempts, 5);
  assert.deepEqual(waits, [250, 500, 1000, 1000]);
});

test('returns the data of the first successful attempt', async () => {
  let attempts = 0;
  const data = await callPlaid(
    async () => {
      if (++attempts < 3) throw plaidFailure(503);
      return { data: { ok: true } };
    },
    { timeoutMs: 1000, retries: 2, sleep: async () => undefined },
  );
  assert.deepEqual(data, { ok: true });
});

test('the thrown error keeps nothing of the client’s error (which holds the secret)', async () => {
  const leaky = Object.assign(plaidFailure(400), { config: { headers: { 'PLAID-SECRET': 'top-secret' } } });
  const error = await callPlaid(
    async () => {
      throw leaky;
    },
    { timeoutMs: 1000 },
  ).catch((e: unknown) => e);
  assert.ok(error instanceof LayerApiError);
  assert.equal(error.cause, undefined);
  assert.ok(!JSON.stringify({ ...error, message: error.message }).includes('top-secret'));
});

test('no retry starts once the deadline is spent, and an attempt gets only what is left of it', async () => {
  let time = 0;
  const timeouts: number[] = [];
  let attempts = 0;
  await assert.rejects(
    callPlaid(
      async ({ timeout }) => {
        attempts++;
        timeouts.push(timeout);
        time += 400;
        throw plaidFailure(500);
      },
      {
        timeoutMs: 1000,
        retries: 5,
        retryDelayMs: 100,
        deadlineMs: 1000,
        clock: () => time,
        sleep: async (ms) => {
          time += ms;
        },
      },
    ),
    (error) => error instanceof LayerApiError && error.code === 'PLAID_ERROR',
  );
  // 0: attempt to 400, backoff 100; 500: attempt to 900; backoff 200 would end past the deadline.
  assert.equal(attempts, 2);
  assert.deepEqual(timeouts, [1000, 500]);
});

test('a Retry-After Plaid sends is capped at 300 seconds, in seconds or as a date', async () => {
  for (const retryAfter of ['99999999', new Date(Date.now() + 86_400_000).toUTCString()]) {
    const error = await callPlaid(
      async () => {
        throw Object.assign(new Error('429'), {
          response: {
            status: 429,
            headers: { 'retry-after': retryAfter },
            data: { error_type: 'RATE_LIMIT_EXCEEDED', error_code: 'RATE_LIMIT' },
          },
        });
      },
      { timeoutMs: 1000 },
    ).catch((e: unknown) => e);
    assert.ok(error instanceof LayerApiError && error.code === 'PLAID_RATE_LIMITED');
    assert.equal(error.details.retryAfter, 300, retryAfter);
  }
});

test('a response cut off after its status line is a network failure, retried where allowed', async () => {
  let attempts = 0;
  const cutOff = () =>
    Object.assign(new Error('stream has been aborted'), {
      code: 'ERR_BAD_RESPONSE',
      response: { status: 200, headers: {}, data: undefined },
    });
  const data = await callPlaid(
    async () => {
      if (++attempts === 1) throw cutOff();
      return { data: 'ok' };
    },
    { timeoutMs: 1000, retries: 1, sleep: async () => undefined },
  );
  assert.equal(data, 'ok');
  const once = await callPlaid(
    async () => {
      throw cutOff();
    },
    { timeoutMs: 1000 },
  ).catch((e: unknown) => e);
  assert.ok(once instanceof LayerApiError);
  assert.equal(once.code, 'PLAID_UNREACHABLE');
});

// ── over real sockets ────────────────────────────────────────────────────────────────────────────

const LINK_TOKEN_ANSWER = {
  link: { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION },
  request_id: 'reqLocal000001',
};

/** The app under test against a Plaid at `basePath` (a real local server; no MSW in this file). */
function apiAt(basePath: string, overrides: Partial<LayerApiOptions> = {}) {
  return createTestApi({ plaid: { ...PLAID_CREDENTIALS, basePath }, ...overrides });
}

async function withServers<T>(
  servers: Promise<LocalServer>[],
  run: (servers: LocalServer[]) => Promise<T>,
): Promise<T> {
  const started = await Promise.all(servers);
  try {
    return await run(started);
  } finally {
    await Promise.all(started.map((server) => server.close()));
  }
}

for (const status of [301, 302, 303, 307, 308]) {
  test(`a Plaid answering ${status} to another host: not followed, the secret stays home, 502 PLAID_BAD_RESPONSE`, async () => {
    await withServers(
      [startLocalServer((_, response) => sendJson(response, 200, LINK_TOKEN_ANSWER))],
      async ([elsewhere]) =>
        withServers(
          [
            startLocalServer((request, response) => {
              response.writeHead(status, {
                Location: `${elsewhere!.url}${request.path}`,
                'Content-Length': '0',
              });
              response.end();
            }),
          ],
          async ([redirecting]) => {
            const { app, logs } = apiAt(redirecting!.url);
            const res = await new TestBrowser(app).linkToken();
            const { message } = await assertError(res, 'PLAID_BAD_RESPONSE');
            assert.match(message, /redirect/);
            assert.equal(redirecting!.requests.length, 1, 'asked once: a redirect is not retried');
            assert.equal(redirecting!.requests[0]!.headers['plaid-secret'], PLAID_CREDENTIALS.secret);
            assert.deepEqual(elsewhere!.requests, [], 'the other host received nothing');
            assert.match(logs.at(-1) ?? '', /upstream="redirect \d+"/);
          },
        ),
    );
  });
}

test('a PlaidApi the integrator built (no maxRedirects of its own) does not follow redirects either', async () => {
  await withServers(
    [startLocalServer((_, response) => sendJson(response, 200, LINK_TOKEN_ANSWER))],
    async ([elsewhere]) =>
      withServers(
        [
          startLocalServer((request, response) => {
            response.writeHead(307, { Location: `${elsewhere!.url}${request.path}`, 'Content-Length': '0' });
            response.end();
          }),
        ],
        async ([redirecting]) => {
          const plaid = new PlaidApi(
            new Configuration({
              basePath: redirecting!.url,
              baseOptions: { headers: { 'PLAID-CLIENT-ID': 'id', 'PLAID-SECRET': 'integrator-secret' } },
            }),
          );
          const { app } = createTestApi({ plaid });
          await assertError(await new TestBrowser(app).linkToken(), 'PLAID_BAD_RESPONSE');
          assert.deepEqual(elsewhere!.requests, []);
        },
      ),
  );
});

/** Sends the status line and half the body, then cuts the connection. */
function cutMidBody(response: ServerResponse) {
  const text = JSON.stringify(LINK_TOKEN_ANSWER);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(text.length) });
  response.write(text.slice(0, 20), () => response.socket?.destroy());
}

test('a connection cut mid-body on /link-token is PLAID_UNREACHABLE, and retried: the second attempt succeeds', async () => {
  let calls = 0;
  await withServers(
    [
      startLocalServer((_, response) => {
        if (++calls === 1) cutMidBody(response);
        else sendJson(response, 200, LINK_TOKEN_ANSWER);
      }),
    ],
    async ([plaid]) => {
      const res = await new TestBrowser(apiAt(plaid!.url).app).linkToken();
      assert.equal(res.status, 200);
      assert.equal(plaid!.requests.length, 2);
    },
  );
});

test('a connection cut mid-body on /session is 503 PLAID_UNREACHABLE after one attempt, not a configuration error', async () => {
  await withServers(
    [
      startLocalServer((request, response) => {
        if (request.path === '/user_account/session/get') cutMidBody(response);
        else sendJson(response, 200, LINK_TOKEN_ANSWER);
      }),
    ],
    async ([plaid]) => {
      const browser = new TestBrowser(apiAt(plaid!.url, { retries: 3 }).app);
      assert.equal((await browser.linkToken()).status, 200);
      const { message } = await assertError(await browser.exchange(PUBLIC_TOKEN), 'PLAID_UNREACHABLE');
      assert.doesNotMatch(message, /configuration/);
      assert.equal(
        plaid!.requests.filter((request) => request.path === '/user_account/session/get').length,
        1,
      );
    },
  );
});

test('a DNS failure is 503 PLAID_UNREACHABLE after the retries, with neither secret nor host error in the answer', async () => {
  const looked: string[] = [];
  const lookup = (hostname: string, _options: unknown, callback: (error: Error) => void) => {
    looked.push(hostname);
    setImmediate(() =>
      callback(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }),
      ),
    );
  };
  const plaid = new PlaidApi(
    new Configuration({
      basePath: PlaidEnvironments.production,
      baseOptions: { headers: { 'PLAID-CLIENT-ID': 'id', 'PLAID-SECRET': 'dns-test-secret' }, lookup },
    }),
  );
  const { app, logs } = createTestApi({ plaid, retries: 1 });
  const res = await new TestBrowser(app).linkToken();
  const text = await res.clone().text();
  await assertError(res, 'PLAID_UNREACHABLE');
  assert.deepEqual(looked, ['production.plaid.com', 'production.plaid.com'], 'retried once');
  for (const output of [text, ...logs]) {
    assert.doesNotMatch(output, /dns-test-secret|getaddrinfo|plaid\.com/);
  }
  assert.match(logs.at(-1) ?? '', /code=PLAID_UNREACHABLE cause=ENOTFOUND$/, 'the log line says why');
});

test('the PLAID_UNREACHABLE log line names the cause — refused, reset, cut mid-answer, TLS — and nothing more', async () => {
  const closed = await startLocalServer(() => undefined);
  const refusedUrl = closed.url;
  await closed.close();
  await withServers(
    [
      startLocalServer((_, response) => {
        response.socket?.destroy();
      }),
      startLocalServer((_, response) => cutMidBody(response)),
    ],
    async ([resetting, cutting]) => {
      for (const [basePath, cause] of [
        [refusedUrl, 'ECONNREFUSED'],
        [resetting!.url, 'ECONNRESET'],
        [cutting!.url, '"connection cut mid-answer"'],
        // TLS spoken to a plain HTTP server: the handshake fails.
        [cutting!.url.replace('http:', 'https:'), 'EPROTO'],
      ] as const) {
        const { app, logs } = apiAt(basePath, { retries: 0 });
        await assertError(await new TestBrowser(app).linkToken(), 'PLAID_UNREACHABLE', basePath);
        const line = logs.at(-1) ?? '';
        assert.ok(line.endsWith(`code=PLAID_UNREACHABLE cause=${cause}`), line);
        assert.doesNotMatch(line, /127\.0\.0\.1|secret|ssl|\sat\s/i, 'no URL, message or stack');
      }
    },
  );
});

test('a Plaid answer over 1 MB is refused as it streams in (502 PLAID_BAD_RESPONSE), not buffered whole', async () => {
  const TOTAL = 20 * 1024 * 1024;
  let sent = 0;
  await withServers(
    [
      startLocalServer(async (_, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(TOTAL) });
        const chunk = Buffer.alloc(256 * 1024, 0x20);
        while (sent < TOTAL && !response.destroyed) {
          sent += chunk.length;
          if (!response.write(chunk))
            await new Promise<void>((resolve) => {
              const done = () => {
                response.off('drain', done);
                response.off('close', done);
                resolve();
              };
              response.on('drain', done);
              response.on('close', done);
            });
        }
        response.end();
      }),
    ],
    async ([plaid]) => {
      const res = await new TestBrowser(apiAt(plaid!.url).app).linkToken();
      const { message } = await assertError(res, 'PLAID_BAD_RESPONSE');
      assert.match(message, /larger than 1048576 bytes/);
      assert.equal(plaid!.requests.length, 1, 'not retried');
      assert.ok(sent < TOTAL, `the answer was read only in part (${sent} of ${TOTAL} bytes sent)`);
    },
  );
});

test('Plaid’s Retry-After reaches the browser capped at 300 seconds', async () => {
  await withServers(
    [
      startLocalServer((_, response) =>
        sendJson(
          response,
          429,
          { error_type: 'RATE_LIMIT_EXCEEDED', error_code: 'RATE_LIMIT', request_id: 'reqRate' },
          { 'Retry-After': '99999999' },
        ),
      ),
    ],
    async ([plaid]) => {
      const res = await new TestBrowser(apiAt(plaid!.url).app).linkToken();
      await assertError(res, 'PLAID_RATE_LIMITED');
      assert.equal(res.headers.get('Retry-After'), '300');
    },
  );
});

test('our Plaid hosts are the plaid package’s, so a client built from credentials calls the same host', () => {
  for (const env of PLAID_ENVIRONMENTS) {
    assert.equal(PLAID_HOSTS[env], PlaidEnvironments[env]);
    const { basePath } = createPlaidClient({ clientId: 'id', secret: 'secret', env }) as unknown as {
      basePath: string;
    };
    assert.equal(basePath, PlaidEnvironments[env]);
    assert.equal(lazyPlaidClient({ clientId: 'id', secret: 'secret', env }).basePath, PlaidEnvironments[env]);
  }
});

test('the lazy client makes its calls through a real PlaidApi, with the credentials in headers', async () => {
  const upstream = await startLocalServer((_request, res) =>
    sendJson(res, 200, { link: { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION }, request_id: 'r1' }),
  );
  try {
    const client = lazyPlaidClient({ clientId: 'lazy-id', secret: 'lazy-secret', basePath: upstream.url });
    const { data } = await client.sessionTokenCreate({
      template_id: 'template_1',
      user: { client_user_id: 'u1' },
    });
    assert.equal(data.link?.link_token, LINK_TOKEN);
    const [seen] = upstream.requests;
    assert.equal(seen?.path, '/session/token/create');
    assert.equal(seen.headers['plaid-client-id'], 'lazy-id');
    assert.equal(seen.headers['plaid-secret'], 'lazy-secret');
    assert.deepEqual(JSON.parse(seen.body), { template_id: 'template_1', user: { client_user_id: 'u1' } });
  } finally {
    await upstream.close();
  }
});

/**
 * A stand-in for ./plaid-api.ts as lazyPlaidClient loads it, whose client answers at once: loaded
 * `loadMs` after it is asked for, as `plaid`'s 9.7 MB api.js is on a cold serverless instance or a
 * slow disk. `loads` counts the times it was asked for.
 */
function slowPlaidModule(loadMs: number) {
  const client = {
    sessionTokenCreate: async () => ({
      data: { link: { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION }, request_id: 'r-cold' },
    }),
    userAccountSessionGet: async () => ({ data: SESSION_GET_RESPONSE }),
    webhookVerificationKeyGet: async () => {
      throw new Error('not used here');
    },
  } as unknown as PlaidApi;
  const loads: number[] = [];
  const load = () => {
    loads.push(loads.length + 1);
    return new Promise<PlaidApiModule>((resolve) =>
      setTimeout(() => resolve({ createPlaidClient: () => client }), loadMs),
    );
  };
  return { load, loads };
}

test('the lazy client starts loading `plaid` when it is made, once, not on the first call', async () => {
  const { load, loads } = slowPlaidModule(0);
  const client = lazyPlaidClient(PLAID_CREDENTIALS, load);
  assert.equal(loads.length, 1, 'loading started as the client was made');
  await client.sessionTokenCreate({ template_id: 't', user: { client_user_id: 'u' } });
  await client.sessionTokenCreate({ template_id: 't', user: { client_user_id: 'u' } });
  assert.equal(loads.length, 1, 'loaded once');
});

test('loading `plaid` slower than timeoutMs and the deadline does not fail the first /link-token or /session', async () => {
  // Each Plaid call may take 25 ms, and loading the client takes 8 times that: the load is the
  // instance's start-up, not Plaid's answer.
  const timing = { timeoutMs: 25, linkTokenDeadlineMs: 25, retries: 0 };
  const coldApi = () =>
    createTestApi({
      ...timing,
      plaid: lazyPlaidClient(PLAID_CREDENTIALS, slowPlaidModule(200).load) as unknown as PlaidApi,
    }).app;
  const first = await new TestBrowser(coldApi()).linkToken();
  assert.equal(first.status, 200, await first.clone().text());
  assert.equal(((await first.json()) as { link_token: string }).link_token, LINK_TOKEN);

  // A visitor whose /session is the first request of another cold instance.
  const warm = createTestApi({
    ...timing,
    plaid: lazyPlaidClient(PLAID_CREDENTIALS, slowPlaidModule(0).load) as unknown as PlaidApi,
  }).app;
  const browser = new TestBrowser(warm);
  assert.equal((await browser.linkToken()).status, 200);
  const exchanged = await new TestBrowser(coldApi()).post(
    '/session',
    { public_token: PUBLIC_TOKEN },
    {
      handle: browser.handle,
    },
  );
  assert.equal(exchanged.status, 200, await exchanged.clone().text());
  assert.equal(((await exchanged.json()) as { profile: { name: unknown } }).profile.name !== null, true);
});
