/**
 * The per-address rate limit counts the client's address: the socket's, unless `trustProxy` says
 * proxies in front of the server report it (then `n` hops back from the socket, as Express counts).
 * A forwarding header a client sends itself never lets it escape the limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { serve } from '@hono/node-server';
import { http, passthrough } from 'msw';

import { SESSION_HANDLE_HEADER } from '../../contract/index.js';
import type { LayerApiOptions } from '../../server/index.js';
import { recordLinkTokens } from './support/handlers.js';
import {
  API_ORIGIN,
  TestBrowser,
  assertError,
  createTestApi,
  useMockPlaid,
  type RequestHandler,
} from './support/test-api.js';

const { server } = await useMockPlaid();

/** An API that allows two Link tokens per client address (and any number per visitor). */
function limitedApi(options: Partial<LayerApiOptions> = {}) {
  return createTestApi({
    rateLimits: { linkTokenPerAddress: { limit: 2, windowSeconds: 600 }, linkTokenPerVisitor: false },
    ...options,
  });
}

/** A fresh visitor's `/link-token` from `socket` (undefined: no known address) with `headers`. */
async function linkTokenFrom(
  app: RequestHandler,
  socket: string | undefined,
  headers: Record<string, string> = {},
) {
  return new TestBrowser(app, API_ORIGIN, socket).post('/link-token', {}, { headers });
}

/** The statuses of `/link-token` calls, one per header set, all from `socket`. */
async function statuses(
  app: RequestHandler,
  socket: string | undefined,
  headerSets: Record<string, string>[],
) {
  const result: number[] = [];
  for (const headers of headerSets) result.push((await linkTokenFrom(app, socket, headers)).status);
  return result;
}

test('without trustProxy, a spoofed X-Forwarded-For or Forwarded: for= is ignored: the socket address counts', async () => {
  const calls = recordLinkTokens(server);
  const { app } = limitedApi();
  assert.deepEqual(
    await statuses(app, '203.0.113.7', [
      { 'X-Forwarded-For': '198.51.100.1' },
      { Forwarded: 'for=198.51.100.2' },
      { 'X-Forwarded-For': '198.51.100.3', Forwarded: 'for="[2001:db8::3]"' },
    ]),
    [200, 200, 429],
  );
  const limited = await linkTokenFrom(app, '::ffff:203.0.113.7', { 'X-Forwarded-For': '198.51.100.4' });
  await assertError(limited, 'RATE_LIMITED', 'the same address, IPv4-mapped');
  // The seconds left of the window the first call opened: 600, or a little less when that call was
  // slow (it loads `plaid`, over a second on a busy machine).
  const retryAfter = Number(limited.headers.get('Retry-After'));
  assert.ok(retryAfter > 590 && retryAfter <= 600, `Retry-After: ${retryAfter}`);
  assert.equal(calls.requests.length, 2, 'Plaid is not asked once limited');
  assert.equal(
    (await linkTokenFrom(app, '203.0.113.8')).status,
    200,
    'another socket address is not limited',
  );
});

test('with trustProxy: true, the address the proxy appended counts, not the entries the client sent', async () => {
  const { app } = limitedApi({ trustProxy: true });
  const proxy = '10.0.0.1';
  assert.deepEqual(
    await statuses(app, proxy, [
      { 'X-Forwarded-For': '198.51.100.9' },
      { 'X-Forwarded-For': '6.6.6.1, 198.51.100.9' },
      { 'X-Forwarded-For': '6.6.6.2, 6.6.6.3, 198.51.100.9' },
    ]),
    [200, 200, 429],
  );
  assert.equal(
    (await linkTokenFrom(app, proxy, { 'X-Forwarded-For': '198.51.100.9, 198.51.100.10' })).status,
    200,
    'another client behind the same proxy has its own limit',
  );
  assert.equal(
    (await linkTokenFrom(app, proxy, { 'X-Forwarded-For': '198.51.100.9', Forwarded: 'for=203.0.113.99' }))
      .status,
    429,
    'a client-sent Forwarded header is not read when the proxy sets X-Forwarded-For',
  );
});

test('with trustProxy, a proxy that appends the client’s port to X-Forwarded-For (Azure Application Gateway) still limits the address', async () => {
  const { app } = limitedApi({ trustProxy: true });
  const proxy = '10.0.0.1';
  assert.deepEqual(
    await statuses(app, proxy, [
      { 'X-Forwarded-For': '198.51.100.20:50001' },
      { 'X-Forwarded-For': '198.51.100.20:50002' },
      { 'X-Forwarded-For': '198.51.100.20:50003' },
    ]),
    [200, 200, 429],
  );
  assert.deepEqual(
    await statuses(app, proxy, [
      { 'X-Forwarded-For': '[2001:db8::20]:50001' },
      { 'X-Forwarded-For': '2001:db8::20' },
      { 'X-Forwarded-For': '[2001:db8::20]:50003' },
    ]),
    [200, 200, 429],
  );
});

test('with trustProxy, an IPv4-mapped or bracketed loopback client in X-Forwarded-For counts as the address itself', async () => {
  const { app } = limitedApi({ trustProxy: true });
  const proxy = '10.0.0.1';
  assert.deepEqual(
    await statuses(app, proxy, [
      { 'X-Forwarded-For': '1.2.3.4:5678' },
      { 'X-Forwarded-For': '::ffff:1.2.3.4' },
      { 'X-Forwarded-For': '[::ffff:1.2.3.4]:80' },
    ]),
    [200, 200, 429],
  );
  assert.deepEqual(
    await statuses(app, proxy, [
      { 'X-Forwarded-For': '[::1]:80' },
      { 'X-Forwarded-For': '::1' },
      { 'X-Forwarded-For': '[::1]' },
    ]),
    [200, 200, 429],
  );
});

test("with trustProxy: { header: 'forwarded' }, only Forwarded: for= counts", async () => {
  const { app } = limitedApi({ trustProxy: { header: 'forwarded' } });
  const proxy = '10.0.0.1';
  assert.deepEqual(
    await statuses(app, proxy, [
      { Forwarded: 'for=198.51.100.11' },
      { Forwarded: 'for=6.6.6.4, for=198.51.100.11' },
      { Forwarded: 'for="6.6.6.5:1234";proto=https, for="198.51.100.11:4711"' },
    ]),
    [200, 200, 429],
  );
  assert.equal(
    (await linkTokenFrom(app, proxy, { Forwarded: 'for=198.51.100.11', 'X-Forwarded-For': '203.0.113.98' }))
      .status,
    429,
    'a client-sent X-Forwarded-For is not read when the proxy sets Forwarded',
  );
});

test('with trustProxy: 2, the address two hops back from the socket counts', async () => {
  const { app } = limitedApi({ trustProxy: 2 });
  const proxy = '10.0.0.1';
  assert.deepEqual(
    await statuses(app, proxy, [
      { 'X-Forwarded-For': '198.51.100.9, 10.0.0.2' },
      { 'X-Forwarded-For': '6.6.6.1, 198.51.100.9, 10.0.0.2' },
      { 'X-Forwarded-For': '6.6.6.2, 198.51.100.9, 10.0.0.2' },
    ]),
    [200, 200, 429],
  );
  assert.equal(
    (await linkTokenFrom(app, proxy, { 'X-Forwarded-For': '198.51.100.12, 10.0.0.2' })).status,
    200,
    'not the nearest proxy’s address: every client would share it',
  );
  const forwarded = limitedApi({ trustProxy: { hops: 2, header: 'forwarded' } });
  assert.deepEqual(
    await statuses(forwarded.app, proxy, [
      { Forwarded: 'for="[2001:db8::1]:4711", for=10.0.0.2' },
      { Forwarded: 'for=6.6.6.6, for="[2001:db8::1]", for=10.0.0.2' },
      { Forwarded: 'for=6.6.6.7, for="[2001:db8::1]:80", for=10.0.0.2' },
    ]),
    [200, 200, 429],
    'an IPv6 client in Forwarded, with and without a port',
  );
});

test('with trustProxy but no socket address (another runtime), the proxy’s own entry still counts', async () => {
  const { app } = limitedApi({ trustProxy: true });
  assert.deepEqual(
    await statuses(app, undefined, [
      { 'X-Forwarded-For': '198.51.100.9' },
      { 'X-Forwarded-For': '6.6.6.1, 198.51.100.9' },
      { 'X-Forwarded-For': '6.6.6.2, 198.51.100.9' },
    ]),
    [200, 200, 429],
  );
  assert.equal(
    (await linkTokenFrom(app, undefined, { 'X-Forwarded-For': '198.51.100.10' })).status,
    200,
    'another client has its own limit',
  );
});

test('requests with no known client address share one per-address limit, with a hint in the log', async () => {
  const { app, logs } = limitedApi();
  assert.deepEqual(
    await statuses(app, undefined, [
      { 'X-Forwarded-For': '198.51.100.1' },
      {},
      { 'X-Forwarded-For': '198.51.100.2' },
    ]),
    [200, 200, 429],
  );
  assert.match(
    logs.at(-1) ?? '',
    /code=RATE_LIMITED limit=linkTokenPerAddress=2\/600s hint="no client address is known: pass getClientAddress, or set trustProxy/,
  );
});

test('a limit reached from a private address without trustProxy suggests setting it', async () => {
  const { app, logs } = limitedApi();
  assert.deepEqual(await statuses(app, '10.1.2.3', [{}, {}, {}]), [200, 200, 429]);
  assert.match(
    logs.at(-1) ?? '',
    /limit=linkTokenPerAddress=2\/600s hint="[^"]*private address[^"]*trustProxy/,
  );
  assert.ok(!logs.join('\n').includes('10.1.2.3'), 'the address is not logged');
});

test('getClientAddress replaces the default', async () => {
  const { app } = limitedApi({ getClientAddress: (c) => c.req.header('CF-Connecting-IP') });
  const from = (ip: string) => ({ 'CF-Connecting-IP': ip });
  assert.deepEqual(
    await statuses(app, '10.0.0.1', [from('198.51.100.1'), from('198.51.100.1'), from('198.51.100.1')]),
    [200, 200, 429],
  );
  assert.equal((await linkTokenFrom(app, '10.0.0.1', from('198.51.100.2'))).status, 200);
});

test('under Deno.serve and Bun.serve, the address they pass app.fetch counts', async () => {
  const { app } = limitedApi();
  // Deno.serve's ServeHandlerInfo; Bun.serve's Server, alone or as `{ server }` (Hono's Bun helper).
  const deno = (hostname: string) => ({ remoteAddr: { transport: 'tcp', hostname, port: 50_000 } });
  const bun = (address: string) => ({
    requestIP(request: Request) {
      assert.ok(request instanceof Request, 'asked with the request it served');
      return { address, family: 'IPv4', port: 50_000 };
    },
  });
  const from = async (env: object) =>
    (
      await app.request(
        '/link-token',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: API_ORIGIN, [SESSION_HANDLE_HEADER]: 'new' },
          body: '{}',
        },
        env,
      )
    ).status;
  assert.deepEqual(
    [await from(deno('198.51.100.1')), await from(bun('198.51.100.1')), await from(deno('198.51.100.1'))],
    [200, 200, 429],
  );
  assert.deepEqual(
    [
      await from(bun('198.51.100.2')),
      await from({ server: bun('::ffff:198.51.100.2') }),
      await from(deno('198.51.100.2')),
    ],
    [200, 200, 429],
    'another client has its own limit',
  );
});

test('over a real @hono/node-server socket, the peer address counts and a spoofed X-Forwarded-For does not', async () => {
  const { app } = createTestApi({
    rateLimits: { linkTokenPerAddress: { limit: 1, windowSeconds: 600 }, linkTokenPerVisitor: false },
  });
  const listening = await new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    const httpServer = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise((done) => {
            httpServer.close(() => done());
            if ('closeAllConnections' in httpServer) httpServer.closeAllConnections();
          }),
      }),
    );
  });
  // MSW sees every outgoing request of this process: let the ones to our own server through.
  server.use(http.all(`${listening.url}/*`, () => passthrough()));
  try {
    const post = (spoof: string) =>
      fetch(`${listening.url}/link-token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Origin: API_ORIGIN,
          'Layer-Session': 'new',
          'X-Forwarded-For': spoof,
        },
        body: '{}',
      });
    assert.equal((await post('198.51.100.1')).status, 200);
    const limited = await post('198.51.100.2');
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
  } finally {
    await listening.close();
  }
});
