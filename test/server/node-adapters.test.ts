// layer-onboarding/server/node: the API mounted under a prefix in real Express 5, Fastify, Node's
// http and a fetch route handler (Next.js style), each on a free port, driven over HTTP through a
// whole Layer session against the emulator: link token, Link (the emulator's control route),
// webhooks signed by the emulator and verified by the API, and the exchange.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { createGunzip, gzipSync } from 'node:zlib';

import { serve } from '@hono/node-server';
import compression from 'compression';
import cors from 'cors';
import express from 'express';
import express4 from 'express-4';
import Fastify from 'fastify';

import {
  API_ROUTES,
  SESSION_HANDLE_HEADER,
  type LinkTokenResponse,
  type SessionResponse,
} from '../../contract/index.js';
import {
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  createPlaidEmulator,
} from '../../emulator/index.js';
import { createLayerApi, type LayerApiOptions, type PlaidWebhook } from '../../server/index.js';
import {
  expressLayerApi,
  fastifyLayerApi,
  keepRawBody,
  nodeLayerApi,
  toFetchHandler,
  type FetchApp,
} from '../../server/node.js';
import { SESSION_SECRET } from './support/test-api.js';

const PREFIX = '/api/layer';
const PHONE = '+14155550011';

/** Everything a test started, closed after all of them. */
const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => closeServer(server));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The emulator on its own port, and an API that uses it and takes webhooks at `site + PREFIX`. */
async function backend() {
  const failures: string[] = [];
  const emulator = createPlaidEmulator({
    onWebhookFailure: ({ webhook_code, reason }) => failures.push(`${webhook_code} ${reason}`),
  });
  closers.push(() => emulator.close());
  const plaid = await new Promise<string>((resolve) => {
    const server = serve({ fetch: emulator.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
    closers.push(() => closeServer(server as Server));
  });
  const webhooks: PlaidWebhook[] = [];
  const waiters: Array<() => void> = [];
  const makeApi = (site: string, overrides: Partial<LayerApiOptions> = {}) =>
    createLayerApi({
      plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: plaid },
      templateId: EMULATOR_TEMPLATE_ID,
      sessionSecret: SESSION_SECRET,
      allowedOrigins: [site],
      webhookUrl: `${site}${PREFIX}/webhook`,
      retryDelayMs: 0,
      logger: () => {},
      onWebhook: (webhook) => {
        webhooks.push(webhook);
        waiters.splice(0).forEach((wake) => wake());
      },
      ...overrides,
    });
  const webhookFor = (linkSessionId: string) =>
    new Promise<PlaidWebhook>((resolve) => {
      const check = () => {
        const found = webhooks.find((webhook) => webhook.link_session_id === linkSessionId);
        if (found) resolve(found);
        else waiters.push(check);
      };
      check();
    });
  return { plaid, makeApi, webhookFor, failures };
}

async function waitFor(condition: () => boolean, limitMs = 60_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the widget and Link do, against `site + PREFIX`; the profile the page gets. */
async function layerSession(site: string, plaid: string) {
  const post = (path: string, body: unknown, handle: string) =>
    fetch(`${site}${PREFIX}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: site, [SESSION_HANDLE_HEADER]: handle },
      body: JSON.stringify(body),
    });
  const tokenResponse = await post(API_ROUTES.linkToken, {}, 'new');
  assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
  const { link_token, session_handle } = (await tokenResponse.json()) as LinkTokenResponse;
  const completed = await fetch(`${plaid}/emulator/sessions/complete`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ link_token, phone_number: PHONE }),
  });
  assert.equal(completed.status, 200, await completed.clone().text());
  const { public_token, link_session_id } = (await completed.json()) as {
    public_token: string;
    link_session_id: string;
  };
  const session = await post(API_ROUTES.session, { public_token }, session_handle);
  assert.equal(session.status, 200, await session.clone().text());
  const body = (await session.json()) as SessionResponse;
  assert.equal(body.profile.phone_number, PHONE);
  return { linkSessionId: link_session_id };
}

test('Express 5: mounted at a prefix, after express.json() that keeps the raw bytes: the session and the signed webhooks go through', async () => {
  const { plaid, makeApi, webhookFor } = await backend();
  const app = express();
  const late: { api?: FetchApp } = {};
  app.use(express.json({ verify: keepRawBody }));
  app.use(PREFIX, (req, res, next) => expressLayerApi(late.api!)(req, res, next));
  const site = await listening(createServer(app));
  late.api = makeApi(site);
  const { linkSessionId } = await layerSession(site, plaid);
  const webhook = await webhookFor(linkSessionId);
  assert.equal(webhook.link_session_id, linkSessionId);
});

test('Express 5: after a plain express.json(), the widget routes work from the re-serialized body and the problem with webhooks is said at the first request', async () => {
  const { plaid, makeApi, failures } = await backend();
  const app = express();
  const warnings: string[] = [];
  const late: { middleware?: ReturnType<typeof expressLayerApi> } = {};
  app.use(express.json());
  app.use(PREFIX, (req, res, next) => late.middleware!(req, res, next));
  // Anything else the app serves is untouched.
  app.get('/other', (_req, res) => {
    res.json({ other: true });
  });
  const site = await listening(createServer(app));
  late.middleware = expressLayerApi(makeApi(site), { warn: (message) => warnings.push(message) });

  // The first request the widget makes, before Link opens, already says it.
  const first = await fetch(`${site}${PREFIX}/link-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: site, [SESSION_HANDLE_HEADER]: 'new' },
    body: '{}',
  });
  assert.equal(first.status, 200);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /express\.json\(\{ verify: keepRawBody \}\)/);

  await layerSession(site, plaid);
  assert.equal(warnings.length, 1, 'said once');
  // What the warning is about: Plaid's signature covers bytes the parser did not keep.
  await waitFor(() => failures.length > 0);
  assert.match(failures[0]!, /HTTP 401/);
  assert.deepEqual(await (await fetch(`${site}/other`)).json(), { other: true });
  // Paths outside the API's own are the API's 404, not Express's.
  const unknown = await fetch(`${site}${PREFIX}/nothing`, { method: 'POST', headers: { Origin: site } });
  assert.equal(unknown.status, 404);
});

test('Express 5: a `warn` and a `logger` that throw change no answer, and each is said once on console.error', async (t) => {
  const said: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => said.push(args.map(String).join(' ')));
  const { plaid, makeApi } = await backend();
  const app = express();
  const late: { middleware?: ReturnType<typeof expressLayerApi> } = {};
  app.use(express.json());
  app.use(PREFIX, (req, res, next) => late.middleware!(req, res, next));
  const site = await listening(createServer(app));
  const broken = (what: string) => () => {
    throw new Error(`${what}: stream closed`);
  };
  late.middleware = expressLayerApi(makeApi(site, { logger: broken('logger') }), {
    warn: broken('warn'),
  });
  // Every step of the session is answered 200 (layerSession asserts each status).
  await layerSession(site, plaid);
  await layerSession(site, plaid);
  assert.equal(said.length, 2, JSON.stringify(said));
  assert.ok(
    said.some((line) => /the warn option failed \(Error\)/.test(line)),
    JSON.stringify(said),
  );
  assert.ok(
    said.some((line) => /the logger option failed \(Error\)/.test(line)),
    JSON.stringify(said),
  );
  assert.ok(
    said.every((line) => !line.includes('stream closed')),
    'the error message is not repeated',
  );
});

test('Express 5: mounted before express.json(), the API reads the stream itself', async () => {
  const { plaid, makeApi, webhookFor } = await backend();
  const app = express();
  const late: { api?: FetchApp } = {};
  app.use(PREFIX, (req, res, next) => expressLayerApi(late.api!)(req, res, next));
  app.use(express.json());
  const site = await listening(createServer(app));
  late.api = makeApi(site);
  const { linkSessionId } = await layerSession(site, plaid);
  assert.equal((await webhookFor(linkSessionId)).link_session_id, linkSessionId);
});

test('Fastify: registered with a prefix, its body parsers set aside inside the plugin', async () => {
  const { plaid, makeApi, webhookFor } = await backend();
  const app = Fastify();
  closers.push(() => app.close());
  const late: { api?: FetchApp } = {};
  // Outside the plugin, Fastify still parses JSON for the app's own routes.
  app.post('/echo', async (request) => ({ parsed: request.body }));
  await app.register(fastifyLayerApi({ fetch: (request, env) => late.api!.fetch(request, env) }), {
    prefix: PREFIX,
  });
  const site = await app.listen({ port: 0, host: '127.0.0.1' });
  late.api = makeApi(site);
  const { linkSessionId } = await layerSession(site, plaid);
  assert.equal((await webhookFor(linkSessionId)).link_session_id, linkSessionId);
  const echo = await fetch(`${site}/echo`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"a":1}',
  });
  assert.deepEqual(await echo.json(), { parsed: { a: 1 } });
});

test('Node http with basePath, and a fetch route handler (Next.js) with basePath', async () => {
  {
    const { plaid, makeApi, webhookFor } = await backend();
    const late: { listener?: ReturnType<typeof nodeLayerApi> } = {};
    const site = await listening(createServer((req, res) => late.listener!(req, res)));
    late.listener = nodeLayerApi(makeApi(site), { basePath: PREFIX });
    const { linkSessionId } = await layerSession(site, plaid);
    assert.equal((await webhookFor(linkSessionId)).link_session_id, linkSessionId);
  }
  {
    const { plaid, makeApi, webhookFor } = await backend();
    const late: { handlers?: ReturnType<typeof toFetchHandler> } = {};
    // What Next.js does with app/api/layer/[...path]/route.ts: the method's export gets the Request.
    const site = await new Promise<string>((resolve) => {
      const server = serve(
        {
          fetch: (request) => {
            const { GET, POST, OPTIONS } = late.handlers!;
            const method = { GET, POST, OPTIONS }[request.method as 'GET' | 'POST' | 'OPTIONS'];
            return method ? method(request) : new Response(null, { status: 405 });
          },
          port: 0,
          hostname: '127.0.0.1',
        },
        (info) => resolve(`http://127.0.0.1:${info.port}`),
      );
      closers.push(() => closeServer(server as Server));
    });
    late.handlers = toFetchHandler(makeApi(site), { basePath: PREFIX });
    const { linkSessionId } = await layerSession(site, plaid);
    assert.equal((await webhookFor(linkSessionId)).link_session_id, linkSessionId);
  }
});

/** An API for requests refused before Plaid is asked: its Plaid host is never called. */
function offlineApi() {
  return createLayerApi({
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: 'http://127.0.0.1:9' },
    templateId: EMULATOR_TEMPLATE_ID,
    sessionSecret: SESSION_SECRET,
    allowedOrigins: ['https://shop.example'],
    logger: () => {},
  });
}

/** Express, Node http and Fastify, each with the API under PREFIX; their sites. */
async function mountedEverywhere(api: FetchApp): Promise<Record<string, string>> {
  const expressApp = express();
  expressApp.use(PREFIX, expressLayerApi(api));
  const fastify = Fastify();
  closers.push(() => fastify.close());
  await fastify.register(fastifyLayerApi(api), { prefix: PREFIX });
  return {
    express: await listening(createServer(expressApp)),
    http: await listening(createServer(nodeLayerApi(api, { basePath: PREFIX }))),
    fastify: await fastify.listen({ port: 0, host: '127.0.0.1' }),
  };
}

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * A POST (or `method`) with exactly these headers (Host included), from node:http. With
 * `partialBody`, only that much of the body is sent, and the answer is awaited without sending the rest.
 */
function rawPost(
  site: string,
  path: string,
  headers: OutgoingHttpHeaders,
  { body = '' as string | Uint8Array, partialBody = false, method = 'POST' } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(site);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: text });
      });
    });
    request.on('error', reject);
    // Should the server never answer, the test's timeout fails it and this ends the request.
    closers.push(async () => request.destroy());
    if (partialBody) request.write(body);
    else request.end(body);
  });
}

function assertErrorShape(answer: RawAnswer, status: number, code: string, what: string): void {
  assert.equal(answer.status, status, `${what}: ${answer.body}`);
  const { error } = JSON.parse(answer.body) as {
    error: { code: string; message: string; request_id: string };
  };
  assert.equal(error.code, code, what);
  assert.match(error.request_id, /^[0-9a-f-]{36}$/, what);
}

test('every adapter answers a malformed Host header or a `//` path with the API’s 4xx, never a 500 or a stack trace', async () => {
  const api = offlineApi();
  for (const [name, site] of Object.entries(await mountedEverywhere(api))) {
    for (const host of ['a b', 'a:99999', '[::1', 'shop.example/x?y']) {
      const answer = await rawPost(site, `${PREFIX}/session`, { Host: host, 'Content-Length': '0' });
      assertErrorShape(answer, 403, 'ORIGIN_NOT_ALLOWED', `${name} with Host: ${host}`);
    }
    for (const path of ['//', '//session', '//other.example/session']) {
      const answer = await rawPost(site, `${PREFIX}${path}`, { Host: 'a', 'Content-Length': '0' });
      assertErrorShape(answer, 404, 'NOT_FOUND', `${name} at ${PREFIX}${path}`);
    }
  }
  // A request target in absolute-form still reaches its route (Express takes the prefix off it).
  const { express: expressSite } = await mountedEverywhere(api);
  const absolute = await rawPost(expressSite, `http://other.example${PREFIX}/session`, {
    Host: 'a',
    'Content-Length': '0',
  });
  assertErrorShape(absolute, 403, 'ORIGIN_NOT_ALLOWED', 'express, absolute-form');
  const { POST } = toFetchHandler(api, { basePath: PREFIX });
  for (const path of ['//', '//other.example/session']) {
    const response = await POST(
      new Request(`http://localhost${PREFIX}${path}`, { method: 'POST', body: '{}' }),
    );
    assertErrorShape(
      { status: response.status, body: await response.text() },
      404,
      'NOT_FOUND',
      `fetch handler at ${PREFIX}${path}`,
    );
  }
});

test(
  'Express, Node http, Fastify and a fetch route handler refuse a body over bodyLimitBytes as it arrives, in the API’s error shape, without reading it whole first',
  { timeout: 30_000 },
  async () => {
    const api = offlineApi();
    const { express: expressSite, http: httpSite, fastify: fastifySite } = await mountedEverywhere(api);
    const { POST } = toFetchHandler(api, { basePath: PREFIX });
    const fetchSite = await new Promise<string>((resolve) => {
      const server = serve({ fetch: POST, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
      closers.push(() => closeServer(server as Server));
    });
    const headers = { Host: 'a', Origin: 'https://shop.example', 'Content-Type': 'application/json' };
    // 20 KB of a 100 MB body, or of an endless chunked one: the API must answer without the rest,
    // which never comes (a test that hangs here is the adapter buffering the body).
    const partial = { body: `{"public_token":"${'x'.repeat(20_000)}`, partialBody: true };
    const sites = { express: expressSite, http: httpSite, fastify: fastifySite, fetch: fetchSite };
    for (const [name, site] of Object.entries(sites)) {
      const declared = await rawPost(
        site,
        `${PREFIX}/session`,
        { ...headers, 'Content-Length': '100000000' },
        partial,
      );
      assertErrorShape(declared, 413, 'BODY_TOO_LARGE', `${name}, Content-Length: 100000000`);
      const chunked = await rawPost(
        site,
        `${PREFIX}/session`,
        { ...headers, 'Transfer-Encoding': 'chunked' },
        partial,
      );
      assertErrorShape(chunked, 413, 'BODY_TOO_LARGE', `${name}, chunked`);
    }
  },
);

test('every adapter answers TRACE, a method a fetch Request cannot carry, with the API’s 404 instead of a 500 and a stack trace', async () => {
  const api = offlineApi();
  for (const [name, site] of Object.entries(await mountedEverywhere(api))) {
    const answer = await rawPost(site, `${PREFIX}/session`, { Host: 'a' }, { method: 'TRACE' });
    assertErrorShape(answer, 404, 'NOT_FOUND', `${name}, TRACE`);
  }
});

test('a gzip-encoded body is refused with 415 saying so where the API reads it, and served where a body parser already decoded it', async () => {
  const api = offlineApi();
  const headers = {
    Host: 'a',
    Origin: 'https://shop.example',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Encoding': 'gzip',
    [SESSION_HANDLE_HEADER]: 'not-a-handle',
  };
  const body = gzipSync('{"public_token":"public-sandbox-x"}');
  for (const [name, site] of Object.entries(await mountedEverywhere(api))) {
    for (const route of [API_ROUTES.session, API_ROUTES.webhook]) {
      const answer = await rawPost(site, `${PREFIX}${route}`, headers, { body });
      assertErrorShape(answer, 415, 'UNSUPPORTED_MEDIA_TYPE', `${name} ${route}`);
      assert.match(answer.body, /Content-Encoding: gzip/, `${name} ${route}`);
    }
  }
  // express.json() inflates a gzip body (body-parser's default): the API gets it decoded, as JSON,
  // and goes on to the session handle.
  for (const [name, framework] of Object.entries({ 'express 4': express4, 'express 5': express })) {
    for (const verify of [undefined, keepRawBody]) {
      const app = framework();
      app.use(framework.json(verify ? { verify } : {}));
      app.use(PREFIX, expressLayerApi(api, { warn: () => {} }));
      const site = await listening(createServer(app));
      const answer = await rawPost(site, `${PREFIX}/session`, headers, { body });
      assertErrorShape(
        answer,
        401,
        'SESSION_HANDLE_INVALID',
        `${name}, express.json(${verify ? 'verify' : ''})`,
      );
    }
  }
});

test('Fastify with a preParsing hook that inflates gzip bodies (as @fastify/compress does by default, leaving Content-Encoding): the API reads the decoded body, not a 415', async () => {
  const api = offlineApi();
  const fastify = Fastify();
  closers.push(() => fastify.close());
  fastify.addHook('preParsing', async (request, _reply, payload) =>
    request.headers['content-encoding'] === 'gzip' ? payload.pipe(createGunzip()) : payload,
  );
  await fastify.register(fastifyLayerApi(api), { prefix: PREFIX });
  const site = await fastify.listen({ port: 0, host: '127.0.0.1' });
  const answer = await rawPost(
    site,
    `${PREFIX}/session`,
    {
      Host: 'a',
      Origin: 'https://shop.example',
      'Content-Type': 'application/json',
      'Content-Encoding': 'gzip',
      [SESSION_HANDLE_HEADER]: 'not-a-handle',
    },
    { body: gzipSync('{"public_token":"public-sandbox-x"}') },
  );
  // Past the body (decoded, valid JSON), on to the session handle the test made up.
  assertErrorShape(answer, 401, 'SESSION_HANDLE_INVALID', 'fastify, inflated by a preParsing hook');
});

test('Next.js Pages Router API route (pages/api/layer/[...route].js): the handler’s promise settles once the answer is written, so Next does not warn “API resolved without sending a response”', async () => {
  const { plaid, makeApi, webhookFor } = await backend();
  const late: { handler?: ReturnType<typeof nodeLayerApi> } = {};
  const unanswered: string[] = [];
  // What Next's apiResolver does with `export default handler` and `config.api.bodyParser: false`:
  // it awaits what the handler returns, then checks that the response was sent.
  const site = await listening(
    createServer((req, res) => {
      void (async () => {
        await late.handler!(req, res);
        if (!res.writableEnded) unanswered.push(`${req.method} ${req.url}`);
      })();
    }),
  );
  late.handler = nodeLayerApi(makeApi(site), { basePath: PREFIX });
  const { linkSessionId } = await layerSession(site, plaid);
  assert.equal((await webhookFor(linkSessionId)).link_session_id, linkSessionId);
  assert.deepEqual(unanswered, []);
});

test('mounted without its prefix taken off (a Pages Router route or http.createServer with no basePath), the 404 says to set basePath', async () => {
  const api = offlineApi();
  const site = await listening(createServer(nodeLayerApi(api)));
  const answer = await rawPost(site, `${PREFIX}/session`, { Host: 'a', 'Content-Length': '0' });
  assertErrorShape(answer, 404, 'NOT_FOUND', 'no basePath');
  assert.match(answer.body, /basePath/);
  assert.match(answer.body, /\/api\/layer/, 'names the prefix it saw');
  const other = await rawPost(site, `${PREFIX}/nothing`, { Host: 'a', 'Content-Length': '0' });
  assertErrorShape(other, 404, 'NOT_FOUND', 'an unknown route');
  assert.doesNotMatch(other.body, /basePath/, 'only when a route is at the end of the path');
  // Express mounted on a route (app.all, not app.use) leaves the path whole, as Pages Router does:
  // the hint, and with basePath the route itself (here refusing the missing Origin).
  const app = express();
  app.all(`${PREFIX}/unmounted/*rest`, expressLayerApi(api));
  app.all(`${PREFIX}/*rest`, expressLayerApi(api, { basePath: PREFIX }));
  const expressSite = await listening(createServer(app));
  const hinted = await rawPost(expressSite, `${PREFIX}/unmounted/session`, { 'Content-Length': '0' });
  assertErrorShape(hinted, 404, 'NOT_FOUND', 'express app.all without basePath');
  assert.match(hinted.body, /\/api\/layer\/unmounted\)/);
  const routed = await rawPost(expressSite, `${PREFIX}/session`, { 'Content-Length': '0' });
  assertErrorShape(routed, 403, 'ORIGIN_NOT_ALLOWED', 'express app.all with basePath');
});

test('a partner’s Express 4 and Express 5 apps with compression(), express.json({ verify: keepRawBody }), express.urlencoded() and cors() for their own routes: sessions, signed webhooks and the cross-origin preflight go through', async () => {
  for (const [name, framework] of Object.entries({ 'express 4': express4, 'express 5': express })) {
    const { plaid, makeApi, webhookFor } = await backend();
    const app = framework();
    const late: { api?: FetchApp } = {};
    app.use(compression({ threshold: 0 }));
    app.use(framework.json({ verify: keepRawBody }));
    app.use(framework.urlencoded({ extended: false }));
    app.use(PREFIX, (req, res, next) => expressLayerApi(late.api!)(req, res, next));
    app.use(cors());
    app.post('/api/newsletter', (req, res) => {
      res.json({ subscribed: Boolean((req.body as { email?: string }).email) });
    });
    const site = await listening(createServer(app));
    const shop = 'https://shop.example';
    late.api = makeApi(site, { allowedOrigins: [site, shop] });
    const { linkSessionId } = await layerSession(site, plaid);
    assert.equal((await webhookFor(linkSessionId)).link_session_id, linkSessionId, name);

    // The widget on another site sends credentials: the preflight must name the origin, not `*`.
    const preflight = await fetch(`${site}${PREFIX}/session`, {
      method: 'OPTIONS',
      headers: {
        Origin: shop,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': `content-type,${SESSION_HANDLE_HEADER.toLowerCase()}`,
      },
    });
    assert.equal(preflight.status, 204, name);
    assert.equal(preflight.headers.get('access-control-allow-origin'), shop, name);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true', name);
    // An empty body (Content-Length: 0), which body-parser 1.x marks parsed as `{}`.
    const empty = await rawPost(site, `${PREFIX}/link-token`, {
      Host: new URL(site).host,
      Origin: shop,
      'Content-Type': 'application/json',
      'Content-Length': '0',
      [SESSION_HANDLE_HEADER]: 'new',
    });
    assert.equal(empty.status, 200, `${name}, empty body: ${empty.body}`);
    const newsletter = await fetch(`${site}/api/newsletter`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.example',
    });
    assert.deepEqual(await newsletter.json(), { subscribed: true }, name);
  }
});

test('behind two proxies (Express `trust proxy` 2 and trustProxy: 2), the per-address limit counts the real client and the origin check takes the public origin the proxies report', async () => {
  const { makeApi } = await backend();
  const app = express();
  app.set('trust proxy', 2);
  const late: { api?: FetchApp } = {};
  app.use(express.json({ verify: keepRawBody }));
  app.use(PREFIX, (req, res, next) => expressLayerApi(late.api!)(req, res, next));
  const site = await listening(createServer(app));
  late.api = makeApi(site, {
    trustProxy: 2,
    rateLimits: { linkTokenPerAddress: { limit: 2, windowSeconds: 600 }, linkTokenPerVisitor: false },
  });
  const publicOrigin = 'https://www.example.com';
  // The CDN appends the client and sets the public host and scheme; the load balancer appends the CDN.
  const through = (forwardedFor: string, origin = publicOrigin) =>
    rawPost(
      site,
      `${PREFIX}/link-token`,
      {
        Host: 'internal.example:8080',
        Origin: origin,
        'Content-Type': 'application/json',
        'X-Forwarded-For': forwardedFor,
        'X-Forwarded-Host': 'www.example.com',
        'X-Forwarded-Proto': 'https',
        [SESSION_HANDLE_HEADER]: 'new',
      },
      { body: '{}' },
    );
  const statuses = [];
  for (const forwardedFor of [
    '198.51.100.7, 10.0.0.2',
    '6.6.6.1, 198.51.100.7, 10.0.0.2',
    '6.6.6.2, 198.51.100.7, 10.0.0.2',
  ])
    statuses.push((await through(forwardedFor)).status);
  assert.deepEqual(statuses, [200, 200, 429], 'a client-sent entry does not escape the limit');
  assert.equal((await through('198.51.100.8, 10.0.0.2')).status, 200, 'another client has its own');
  const foreign = await through('198.51.100.9, 10.0.0.2', 'https://evil.example');
  assertErrorShape(foreign, 403, 'ORIGIN_NOT_ALLOWED', 'a page elsewhere');
});

test('the README’s advice on a global cors(): with its defaults in front it answers the widget’s cross-site preflight with `*`, which browsers refuse for credentialed requests; configured with credentials, the preflight and the POST go through', async () => {
  const { makeApi } = await backend();
  const shop = 'https://shop.example';
  const preflightFrom = async (site: string) =>
    fetch(`${site}${PREFIX}/link-token`, {
      method: 'OPTIONS',
      headers: {
        Origin: shop,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': `content-type,${SESSION_HANDLE_HEADER.toLowerCase()}`,
      },
    });
  for (const [name, options] of Object.entries({
    'cors()': undefined,
    'cors({ origin, credentials: true })': { origin: [shop], credentials: true },
  })) {
    const app = express();
    const late: { api?: FetchApp } = {};
    app.use(cors(options));
    app.use(express.json({ verify: keepRawBody }));
    app.use(PREFIX, (req, res, next) => expressLayerApi(late.api!)(req, res, next));
    const site = await listening(createServer(app));
    late.api = makeApi(site, { allowedOrigins: [shop] });
    const preflight = await preflightFrom(site);
    if (!options) {
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*', name);
      assert.equal(preflight.headers.get('access-control-allow-credentials'), null, name);
      continue;
    }
    assert.equal(preflight.headers.get('access-control-allow-origin'), shop, name);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true', name);
    const post = await fetch(`${site}${PREFIX}/link-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: shop, [SESSION_HANDLE_HEADER]: 'new' },
      body: '{}',
    });
    assert.equal(post.status, 200, `${name}: ${await post.clone().text()}`);
    assert.equal(post.headers.get('access-control-allow-origin'), shop, name);
    assert.equal(post.headers.get('access-control-allow-credentials'), 'true', name);
  }
});

test('a client that goes away in the middle of a large answer (an emulator asset, say) does not leave the Node adapter waiting forever for the socket to drain', async () => {
  // 8 MB from any fetch app: far over the socket's buffer, so the adapter has to wait for `drain`.
  const big = new Uint8Array(8 * 1024 * 1024);
  const app: FetchApp = { fetch: () => new Response(big, { headers: { 'Content-Type': 'text/plain' } }) };
  const handler = nodeLayerApi(app);
  const settled: string[] = [];
  const site = await listening(
    createServer((req, res) => {
      void handler(req, res).then(() => settled.push(req.url ?? ''));
    }),
  );
  const { hostname, port } = new URL(site);
  await new Promise<void>((resolve, reject) => {
    const request = httpRequest({ hostname, port, path: '/asset', agent: false }, (response) => {
      // One chunk read, then the visitor closes the tab.
      response.once('data', () => {
        request.destroy();
        resolve();
      });
    });
    request.on('error', (error) => {
      if (!request.destroyed) reject(error);
    });
    request.end();
  });
  await waitFor(() => settled.length === 1, 20_000);
  assert.deepEqual(settled, ['/asset']);
});
