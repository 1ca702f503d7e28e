/**
 * A refusal that leaves the request body unread (too large, foreign origin, wrong media type, no
 * such route) must not poison a keep-alive connection: over a real @hono/node-server socket, the
 * client's next requests are answered normally. The refusal says `Connection: close`, so the client
 * opens a fresh connection instead of writing into one the server is about to cut.
 */
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import { serve, type ServerType } from '@hono/node-server';

import { API_ORIGIN, PLAID_CREDENTIALS, createTestApi } from './support/test-api.js';
import { LINK_EXPIRATION, LINK_TOKEN } from './support/plaid-fixtures.js';
import { sendJson, startLocalServer, type LocalServer } from './support/local-server.js';

let plaid: LocalServer;
let api: ServerType;
let port = 0;

before(async () => {
  plaid = await startLocalServer((_, response) =>
    sendJson(response, 200, {
      link: { link_token: LINK_TOKEN, expiration: LINK_EXPIRATION },
      request_id: 'reqKeepAlive01',
    }),
  );
  const { app } = createTestApi({ plaid: { ...PLAID_CREDENTIALS, basePath: plaid.url } });
  await new Promise<void>((resolve) => {
    api = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  port = (api.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => {
    api.close(() => resolve());
    if ('closeAllConnections' in api) api.closeAllConnections();
  });
  await plaid.close();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface PostOptions {
  path?: string;
  origin?: string;
  contentType?: string;
  /** Send the body chunked, with no Content-Length. */
  chunked?: boolean;
}

/** A POST through `agent` (one keep-alive socket at a time). */
function post(agent: Agent, body: string, options: PostOptions = {}): Promise<Answer> {
  const {
    path = '/link-token',
    origin = API_ORIGIN,
    contentType = 'application/json',
    chunked = false,
  } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'Content-Type': contentType,
          Origin: origin,
          'Layer-Session': 'new',
          ...(chunked ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    // After the answer, the server may close while the rest of a refused body is still being sent.
    req.on('error', (error) => (req.writableFinished ? undefined : reject(error)));
    if (!chunked) req.end(body);
    else {
      const bytes = Buffer.from(body);
      for (let at = 0; at < bytes.length; at += 64 * 1024) req.write(bytes.subarray(at, at + 64 * 1024));
      req.end();
    }
  });
}

const TWO_MB = JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) });

const REFUSALS: [string, string, PostOptions, number, string][] = [
  ['a 2 MB body (Content-Length)', TWO_MB, { path: '/session' }, 413, 'BODY_TOO_LARGE'],
  ['a 2 MB chunked body', TWO_MB, { path: '/session', chunked: true }, 413, 'BODY_TOO_LARGE'],
  [
    'a foreign origin with a 12 KB body',
    JSON.stringify({ pad: 'x'.repeat(12_000) }),
    { origin: 'https://evil.example' },
    403,
    'ORIGIN_NOT_ALLOWED',
  ],
  [
    'a form post with a 12 KB body',
    `pad=${'x'.repeat(12_000)}`,
    { contentType: 'application/x-www-form-urlencoded' },
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['an unknown route with a body', '{"a":1}', { path: '/nope' }, 404, 'NOT_FOUND'],
];

for (const [name, body, options, status, code] of REFUSALS) {
  test(`after ${name} is refused (${status}), the next requests of a keep-alive client are answered normally`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await post(agent, body, options);
      assert.equal(refused.status, status);
      assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, code);
      assert.equal(refused.headers.connection, 'close', 'the client is told not to reuse the connection');
      for (const label of ['next', 'the one after']) {
        const next = await post(agent, '{}');
        assert.equal(next.status, 200, `${label}: ${next.body}`);
        assert.equal((JSON.parse(next.body) as { link_token: string }).link_token, LINK_TOKEN);
      }
    } finally {
      agent.destroy();
    }
  });
}

test('with fetch (undici’s keep-alive pool) too: a 2 MB refusal, then two normal requests', async () => {
  const url = `http://127.0.0.1:${port}`;
  const send = (path: string, body: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: API_ORIGIN, 'Layer-Session': 'new' },
      body,
    });
  for (let round = 0; round < 3; round++) {
    const refused = await send('/session', TWO_MB);
    assert.equal(refused.status, 413);
    await refused.body?.cancel();
    for (let i = 0; i < 2; i++) {
      const next = await send('/link-token', '{}');
      assert.equal(next.status, 200, `round ${round}, request ${i + 1}`);
      await next.body?.cancel();
    }
  }
});

test('a request whose body was read keeps its connection: a 4xx after reading says nothing of closing', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const refused = await post(agent, '{"public_token": 42}', { path: '/session' });
    assert.equal(refused.status, 400);
    assert.notEqual(refused.headers.connection, 'close');
  } finally {
    agent.destroy();
  }
});
