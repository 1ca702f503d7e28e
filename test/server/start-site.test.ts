/**
 * What `npm start` serves (server/start-site.ts) for a checked environment, on a real port as
 * server/main.ts listens: the demo's Link from the other loopback name, its Content-Security-Policy
 * in each mode, the banner, and `close()` stopping the emulator's webhook deliveries.
 */
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, mock, test } from 'node:test';

import { serve, type ServerType } from '@hono/node-server';

import { SESSION_HANDLE_HEADER } from '../../contract/index.js';
import { readStartConfig, type StartConfig } from '../../server/environment.js';
import { createStartSite, type StartSite } from '../../server/start-site.js';

interface Running {
  site: StartSite;
  url: string;
  stop: () => Promise<void>;
}

const running: Running[] = [];
after(() => Promise.all(running.map((each) => each.stop())));

// The site logs each API request with console.log, as npm start does: kept, not printed.
const logged: string[] = [];
mock.method(console, 'log', (line: unknown) => logged.push(String(line)));

function configOf(env: Record<string, string>): StartConfig {
  const result = readStartConfig({ PORT: '0', ...env });
  assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
  return result.config;
}

/** The site on a free port of 127.0.0.1, built once the port is known, as main.ts does. */
async function start(env: Record<string, string> = {}): Promise<Running> {
  const config = configOf(env);
  let site: StartSite | undefined;
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve(
      {
        fetch: (request, bindings) => site!.app.fetch(request, bindings),
        port: 0,
        hostname: '127.0.0.1',
      },
      (info) => {
        site = createStartSite(config, info.port);
        resolve(started);
      },
    );
  });
  const url = site!.url;
  const entry: Running = {
    site: site!,
    url,
    stop: async () => {
      await site!.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  running.push(entry);
  return entry;
}

/** A webhook receiver that never answers: deliveries to it stay in flight. */
async function silentReceiver(): Promise<{
  url: string;
  received: () => number;
  close: () => Promise<void>;
}> {
  const held: IncomingMessage[] = [];
  const server: Server = createServer((request) => held.push(request));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => held.length,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** GET with a Host header of our choosing (fetch always sends the URL's). */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { Host: host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

function directives(policy: string | null): Map<string, string[]> {
  return new Map(
    (policy ?? '').split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

test('emulator mode: the demo loads Link from the other loopback name, under a strict policy', async () => {
  const { url } = await start();
  const port = new URL(url).port;
  for (const [page, link] of [
    ['127.0.0.1', 'localhost'],
    ['localhost', '127.0.0.1'],
  ]) {
    const response = await fetch(`http://${page}:${port}/`);
    assert.equal(response.status, 200);
    assert.match(
      await response.text(),
      new RegExp(
        `<layer-onboarding link-script-src="http://${link}:${port}/plaid/link/v2/stable/link-initialize\\.js"`,
      ),
    );
    const csp = directives(response.headers.get('content-security-policy'));
    const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`].sort();
    assert.deepEqual(csp.get('script-src')?.sort(), ["'self'", ...origins].sort());
    assert.deepEqual(csp.get('frame-src')?.sort(), ["'self'", ...origins].sort());
    assert.deepEqual(csp.get('connect-src'), ["'self'"]);
    assert.equal(csp.has('style-src-attr'), false);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  }
  // Under another name for this server (a proxy, a LAN address), the page uses its own origin.
  const other = await getWithHost(`${url}/`, `demo.test:${port}`);
  assert.ok(
    other.includes('<layer-onboarding link-script-src="/plaid/link/v2/stable/link-initialize.js"'),
    other.slice(0, 200),
  );
});

test('emulator mode: the banner says how the OAuth user returns, and what is production-like', async () => {
  const { site, url } = await start();
  const port = new URL(url).port;
  assert.match(
    site.banner,
    new RegExp(
      `OAuth: after Share, \\+1 415-555-0031's bank sends the browser to http://localhost:${port}/\\?oauth_state_id=`,
    ),
  );
  assert.match(site.banner, new RegExp(`Start on http://localhost:${port}/ for it`));
  assert.match(site.banner, /Link runs in an iframe .* webhooks arrive late and sometimes twice/s);
  const binding = await start({ WEBHOOK_BINDING_WAIT_MS: '8000' });
  assert.match(binding.site.banner, /Exchanges wait up to 8000 ms for Plaid's SESSION_FINISHED webhook/);
});

test('real Plaid: the policy allows Plaid’s script, frame and API hosts, and the banner names REDIRECT_URI', async () => {
  const { site, url } = await start({
    PLAID_CLIENT_ID: 'cid',
    PLAID_SECRET: 'secret',
    LAYER_TEMPLATE_ID: 'template_x',
    SESSION_SECRET: 's'.repeat(40),
    REDIRECT_URI: 'https://shop.example/oauth-return',
    WEBHOOK_URL: 'https://shop.example/api/layer/webhook',
  });
  assert.equal(site.emulator, undefined);
  assert.match(
    site.banner,
    /OAuth banks send visitors back to https:\/\/shop\.example\/oauth-return \(REDIRECT_URI\)/,
  );
  const response = await fetch(`${url}/`);
  const html = await response.text();
  assert.doesNotMatch(html, /link-script-src/, 'real Plaid: the widget’s default, Plaid’s CDN');
  const csp = directives(response.headers.get('content-security-policy'));
  // Plaid's CSP advice (LAYER.md §4.1) wants 'unsafe-inline' for script-src and style-src(-elem),
  // which "a nonce can replace": a fresh one per page, which the widget hands to Link's script tag.
  const nonce = /<layer-onboarding[^>]*\snonce="([^"]+)"/.exec(html)?.[1];
  assert.ok(nonce, 'the page gives <layer-onboarding> the nonce');
  assert.deepEqual(csp.get('script-src'), [
    "'self'",
    'https://cdn.plaid.com/link/v2/stable/link-initialize.js',
    `'nonce-${nonce}'`,
  ]);
  assert.deepEqual(csp.get('style-src'), ["'self'", `'nonce-${nonce}'`]);
  assert.equal(csp.has('style-src-elem'), false, 'falls back to style-src, nonce included');
  // Plaid's advice also has default-src https://cdn.plaid.com/ (its assets).
  assert.deepEqual(csp.get('default-src'), ["'self'", 'https://cdn.plaid.com']);
  assert.deepEqual(csp.get('img-src'), ["'self'", 'data:', 'https://cdn.plaid.com']);
  const again = await fetch(`${url}/`);
  await again.text();
  assert.ok(
    !(again.headers.get('content-security-policy') ?? '').includes(`'nonce-${nonce}'`),
    'a new nonce for each page',
  );
  assert.deepEqual(csp.get('frame-src'), ["'self'", 'https://cdn.plaid.com']);
  assert.deepEqual(csp.get('connect-src'), [
    "'self'",
    'https://production.plaid.com',
    'https://sandbox.plaid.com',
  ]);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  // Plaid's own script sets inline style attributes; its docs require this even with a nonce.
  assert.deepEqual(csp.get('style-src-attr'), ["'unsafe-inline'"]);
  assert.doesNotMatch(
    response.headers.get('content-security-policy') ?? '',
    /unsafe-eval|script-src[^;]*unsafe-inline/,
  );
});

test('close() stops the emulator’s webhook deliveries: none pending, no timer left', async () => {
  const receiver = await silentReceiver();
  try {
    const { site, url } = await start({ WEBHOOK_URL: receiver.url });
    const post = (path: string, body: object, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: url, ...headers },
        body: JSON.stringify(body),
      });
    const token = (await (
      await post('/api/layer/link-token', {}, { [SESSION_HANDLE_HEADER]: 'new' })
    ).json()) as {
      link_token: string;
    };
    const completed = await post('/plaid/emulator/sessions/complete', {
      link_token: token.link_token,
      phone_number: '+14155550011',
    });
    assert.equal(completed.status, 200);
    assert.ok(logged.some((line) => /^POST \/api\/layer\/link-token 200 /.test(line)));
    // Both webhooks are planned, and stay pending: the receiver never answers.
    assert.ok(site.emulator!.stats().pendingWebhooks >= 2, JSON.stringify(site.emulator!.stats()));
    await site.close();
    assert.deepEqual(
      { pending: site.emulator!.stats().pendingWebhooks, timers: site.emulator!.stats().webhookTimers },
      { pending: 0, timers: 0 },
    );
  } finally {
    await receiver.close();
  }
});

test('emulator mode: relaxed rate limits, or createLayerApi’s own with EMULATOR_RATE_LIMITS=default', async () => {
  const linkTokens = async (url: string, count: number) => {
    const statuses: number[] = [];
    for (let index = 0; index < count; index++) {
      const response = await fetch(`${url}/api/layer/link-token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: url, [SESSION_HANDLE_HEADER]: 'new' },
        body: '{}',
      });
      statuses.push(response.status);
    }
    return statuses;
  };
  // 101 new visitors from one address: past the default per-address limit (100), within the relaxed.
  const relaxed = await start();
  assert.deepEqual(new Set(await linkTokens(relaxed.url, 101)), new Set([200]));
  const strict = await start({ EMULATOR_RATE_LIMITS: 'default' });
  const statuses = await linkTokens(strict.url, 101);
  assert.deepEqual(statuses.slice(0, 100), Array(100).fill(200));
  assert.equal(statuses[100], 429);
});
