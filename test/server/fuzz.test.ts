/**
 * Property-based fuzzing of every backend route, in-process (`app.request()`), with the real Plaid
 * emulator behind the `plaid` client: any method, path, Origin, Content-Type, Content-Length,
 * session handle, forwarding header and body (see test/support/fuzz.ts). For every case:
 *   - never a 5xx (the emulator is up, so not even the Plaid-unavailable kinds);
 *   - every non-2xx answer is `{ error: { code, message, request_id } }`, with the status the
 *     contract gives the code and the request id of the `X-Request-Id` header;
 *   - Object.prototype is untouched, nothing is written to stderr;
 *   - one log line per request, with no control character in it (no forged lines);
 *   - no response carries the Plaid secret or an access token.
 * `FUZZ_RUNS` cases per route (200 here; `npm run test:fuzz` runs 10,000), `FUZZ_SEED` replays.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { serve, type ServerType } from '@hono/node-server';
import fc from 'fast-check';

import { API_ERRORS, API_ROUTES, SESSION_HANDLE_HEADER, type ApiErrorCode } from '../../contract/index.js';
import {
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  createPlaidEmulator,
  type PlaidEmulator,
} from '../../emulator/index.js';
import { createLayerApi } from '../../server/index.js';
import {
  ANY_METHOD,
  CONTENT_LENGTH,
  CONTENT_TYPE,
  HEADER_VALUE,
  assertNoPollution,
  bodyFor,
  captureStderr,
  fuzzRoute,
  pathAround,
  prototypeSnapshot,
  reportRuns,
  send,
  type FuzzCase,
} from '../support/fuzz.js';
import { SESSION_SECRET } from './support/test-api.js';

const ORIGIN = 'http://api.test';
const ROUTES = Object.values(API_ROUTES);
/** What an access token looks like in the emulator (and Plaid's sandbox). */
const ACCESS_TOKEN = /access-(sandbox|production|development)-[0-9a-f-]{8,}/;

let plaidServer: ServerType;
let emulator: PlaidEmulator;
let app: ReturnType<typeof createLayerApi>;
const logs: string[] = [];
/** Session handles and public tokens the API and the emulator really gave out. */
const handles: string[] = [];
const publicTokens: string[] = [];
/** Webhooks the emulator signed, as it delivered them (to a fetch that keeps them). */
const webhooks: Array<{ body: string; verification: string }> = [];

/** A new Link token from the API, and a public token of a Layer session completed on it. */
async function freshSession(address: string): Promise<{ handle: string; publicToken: string }> {
  const response = await app.request(
    `${ORIGIN}${API_ROUTES.linkToken}`,
    {
      method: 'POST',
      headers: { Origin: ORIGIN, 'Content-Type': 'application/json', [SESSION_HANDLE_HEADER]: 'new' },
      body: '{}',
    },
    { incoming: { socket: { remoteAddress: address } } },
  );
  assert.equal(response.status, 200);
  const { link_token, session_handle } = (await response.json()) as Record<string, string>;
  const complete = await emulator.request('/emulator/sessions/complete', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ link_token, phone_number: '+14155550011' }),
  });
  assert.equal(complete.status, 200);
  return {
    handle: session_handle!,
    publicToken: ((await complete.json()) as Record<string, string>).public_token!,
  };
}

before(async () => {
  // Webhook deliveries are kept, not sent: the fuzz sends them (and tampered copies) to /webhook.
  emulator = createPlaidEmulator({
    webhookUrl: `${ORIGIN}/webhook`,
    webhookDelivery: { delayMs: 0, duplicateRate: 0 },
    fetch: async (_url, init) => {
      const headers = new Headers(init?.headers);
      webhooks.push({ body: String(init?.body), verification: headers.get('Plaid-Verification') ?? '' });
      return new Response(null, { status: 200 });
    },
  });
  const port = await new Promise<number>((resolve) => {
    plaidServer = serve({ fetch: emulator.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(info.port),
    );
  });
  app = createLayerApi({
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: `http://127.0.0.1:${port}` },
    templateId: EMULATOR_TEMPLATE_ID,
    sessionSecret: SESSION_SECRET,
    allowedOrigins: [ORIGIN],
    trustProxy: true,
    retryDelayMs: 0,
    logger: (line) => logs.push(line),
  });
  // A few real handles and public tokens, so /session cases reach the exchange.
  for (let index = 0; index < 6; index++) {
    const { handle, publicToken } = await freshSession(`10.9.0.${index}`);
    handles.push(handle);
    publicTokens.push(publicToken);
  }
  await emulator.webhooksIdle();
  assert.ok(webhooks.length >= 12, `${webhooks.length} webhooks signed`);
});

after(async () => {
  reportRuns('backend routes (createLayerApi)');
  await emulator.close();
  if ('closeAllConnections' in plaidServer) plaidServer.closeAllConnections();
  await new Promise((resolve) => plaidServer.close(resolve));
});

const origin = fc.oneof(
  { weight: 6, arbitrary: fc.constant(ORIGIN) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'https://evil.example',
      'null',
      'http://api.test.evil.example',
      'HTTP://API.TEST',
      'http://api.test:80',
      'http://api.test/',
    ),
  },
  { weight: 1, arbitrary: HEADER_VALUE },
);

const handle = fc.oneof(
  { weight: 3, arbitrary: fc.constant('new') },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }).map((index) => handles[index]!) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 5 }), fc.nat(200), fc.string({ minLength: 1, maxLength: 1 }))
      .map(([index, at, char]) => {
        const value = handles[index]!;
        return (
          value.slice(0, at % value.length) +
          char.replace(/[^\x21-\x7e]/, 'A') +
          value.slice((at % value.length) + 1)
        );
      }),
  },
  { weight: 1, arbitrary: HEADER_VALUE },
);

/** A JWT-shaped Plaid-Verification header: header and payload of any JSON, any signature. */
const verification = fc.oneof(
  fc
    .tuple(
      fc.record(
        {
          alg: fc.constantFrom('ES256', 'none', 'HS256', 'RS256'),
          kid: fc.string({ maxLength: 40 }),
          typ: fc.constant('JWT'),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          iat: fc.integer(),
          request_body_sha256: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 }),
        },
        { requiredKeys: [] },
      ),
      fc.base64String({ maxLength: 90 }),
    )
    .map(([header, payload, signature]) =>
      [JSON.stringify(header), JSON.stringify(payload)]
        .map((part) => Buffer.from(part).toString('base64url'))
        .concat(signature.replace(/=/g, ''))
        .join('.'),
    ),
  HEADER_VALUE,
);

interface HeaderChoices {
  origin?: string;
  contentType?: string;
  contentLength?: string;
  handle?: string;
  forwardedFor?: string;
  verification?: string;
  preflightMethod?: string;
  preflightHeaders?: string;
  extra?: [string, string];
}

/** Present in about `percent`% of cases. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, percent: number) =>
  fc.oneof({ weight: percent, arbitrary }, { weight: 100 - percent, arbitrary: fc.constant(undefined) });

const headers = fc
  .record({
    origin: sometimes(origin, 90),
    contentType: sometimes(CONTENT_TYPE, 90),
    contentLength: sometimes(CONTENT_LENGTH, 8),
    handle: sometimes(handle, 85),
    forwardedFor: sometimes(fc.oneof(fc.ipV4(), fc.ipV6(), HEADER_VALUE), 40),
    verification: sometimes(verification, 60),
    preflightMethod: sometimes(fc.constantFrom('POST', 'GET', 'PUT', 'post', ''), 50),
    preflightHeaders: sometimes(
      fc.constantFrom(
        'content-type,layer-session',
        'content-type',
        'x-evil',
        'layer-session, authorization',
        '',
      ),
      50,
    ),
    extra: sometimes(
      fc.tuple(
        fc.constantFrom(
          'Host',
          'X-Forwarded-Host',
          'X-Forwarded-Proto',
          'Forwarded',
          'Transfer-Encoding',
          'Cookie',
          'Authorization',
        ),
        HEADER_VALUE,
      ),
      15,
    ),
  })
  .map((choices: HeaderChoices): Record<string, string> => {
    const out: Record<string, string> = {};
    if (choices.origin !== undefined) out.Origin = choices.origin;
    if (choices.contentType !== undefined) out['Content-Type'] = choices.contentType;
    if (choices.contentLength !== undefined) out['Content-Length'] = choices.contentLength;
    if (choices.handle !== undefined) out[SESSION_HANDLE_HEADER] = choices.handle;
    if (choices.forwardedFor !== undefined) out['X-Forwarded-For'] = choices.forwardedFor;
    if (choices.verification !== undefined) out['Plaid-Verification'] = choices.verification;
    if (choices.preflightMethod !== undefined) out['Access-Control-Request-Method'] = choices.preflightMethod;
    if (choices.preflightHeaders !== undefined)
      out['Access-Control-Request-Headers'] = choices.preflightHeaders;
    if (choices.extra) out[choices.extra[0]] = choices.extra[1];
    return out;
  });

const ADDRESS = fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('127.0.0.1', '::1', '')), {
  nil: undefined,
});

const VALID_BODIES: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  [API_ROUTES.linkToken]: fc.constant({}),
  [API_ROUTES.session]: fc.record({
    public_token: fc.oneof(
      fc.integer({ min: 0, max: 5 }).map((index) => publicTokens[index]!),
      fc.constantFrom('public-sandbox-00000000-0000-0000-0000-000000000000', 'public-production-x', ''),
      fc.string({ maxLength: 80 }),
      fc.constant(null),
    ),
  }),
  // A webhook body as Plaid sends it, which the signature then fails to match.
  [API_ROUTES.webhook]: fc.record({
    webhook_type: fc.constantFrom('LAYER', 'ITEM', 'x'),
    webhook_code: fc.constantFrom('SESSION_FINISHED', 'LAYER_AUTHENTICATION_PASSED', 'x'),
    link_token: fc.string({ maxLength: 40 }),
    public_token: fc.string({ maxLength: 40 }),
    environment: fc.constantFrom('sandbox', 'production'),
  }),
};

function cases(
  route: string,
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
): fc.Arbitrary<FuzzCase> {
  const body = bodyFor(VALID_BODIES[route] ?? fc.constant({}));
  return fc
    .record({ method, path, headers, body: fc.option(body, { nil: undefined, freq: 8 }), address: ADDRESS })
    .map(({ method: m, path: p, headers: h, body: b, address }) => ({
      request: { method: m, path: p, headers: h, body: b },
      address,
    }));
}

/** A webhook the emulator signed, as sent, or with its body or signature changed. */
const genuineWebhook: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.nat(),
    fc.constantFrom('as sent', 'body', 'signature', 'no origin'),
    fc.string({ minLength: 1, maxLength: 3 }),
    ADDRESS,
  )
  .map(([pick, change, noise, address]) => {
    const webhook = webhooks[pick % webhooks.length]!;
    const body =
      change === 'body' ? webhook.body.replace('}', `,"x":${JSON.stringify(noise)}}`) : webhook.body;
    const verification =
      change === 'signature' ? webhook.verification.slice(0, -3) + 'AAA' : webhook.verification;
    return {
      request: {
        method: 'POST',
        path: API_ROUTES.webhook,
        headers: {
          'Content-Type': 'application/json',
          'Plaid-Verification': verification,
          ...(change === 'as sent' ? {} : { Origin: ORIGIN }),
        },
        body,
      },
      address,
    };
  });

const isErrorCode = (code: unknown): code is ApiErrorCode =>
  typeof code === 'string' && Object.hasOwn(API_ERRORS, code);

/** The properties every answer of the API has. */
async function checkAnswer(fuzzCase: FuzzCase): Promise<number> {
  const before = prototypeSnapshot();
  const logged = logs.length;
  const { result: response, stderr } = await captureStderr(() => send(app, ORIGIN, fuzzCase));
  const text = await response.text();
  const status = response.status;
  assert.ok(status < 500, `answered ${status}: ${text.slice(0, 500)}`);
  assert.deepEqual(stderr, [], 'nothing on stderr');
  assertNoPollution(before);
  const requestId = response.headers.get('X-Request-Id');
  assert.match(requestId ?? '', /^[0-9a-f-]{36}$/, 'every answer has its request id');
  assert.equal(logs.length, logged + 1, 'one log line per request');
  assert.doesNotMatch(
    logs.at(-1)!,
    // eslint-disable-next-line no-control-regex -- control characters are what is looked for
    /[\x00-\x1f\x7f]/,
    `a log line with a control character: ${JSON.stringify(logs.at(-1))}`,
  );
  const everything = `${text} ${[...response.headers].join(' ')}`;
  assert.ok(!everything.includes(EMULATOR_SECRET), 'the Plaid secret in a response');
  assert.doesNotMatch(everything, ACCESS_TOKEN, 'an access token in a response');
  if (fuzzCase.request.method.toUpperCase() === 'HEAD') return status;
  if (status >= 200 && status < 300) {
    if (status === 204) {
      assert.equal(text, '');
      return status;
    }
    const body = JSON.parse(text) as Record<string, unknown>;
    const path = new URL(fuzzCase.request.path, ORIGIN).pathname;
    if (path === API_ROUTES.linkToken)
      assert.deepEqual(Object.keys(body).sort(), ['expiration', 'link_token', 'session_handle']);
    else if (path === API_ROUTES.session) {
      assert.deepEqual(Object.keys(body).sort(), ['items', 'profile', 'token']);
      // That public token is spent: put a fresh one in its place, so later cases exchange too.
      const used = publicTokens.findIndex(
        (token) => typeof fuzzCase.request.body === 'string' && fuzzCase.request.body.includes(token),
      );
      if (used >= 0) publicTokens[used] = (await freshSession(`10.8.${used}.1`)).publicToken;
    } else assert.deepEqual(body, { received: true });
    return status;
  }
  let body: { error?: Record<string, unknown> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`${status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  assert.deepEqual(Object.keys(body), ['error'], text);
  const { code, message, request_id } = body.error ?? {};
  assert.ok(isErrorCode(code), `unknown error code ${String(code)}`);
  assert.equal(status, API_ERRORS[code].status, `${code} with status ${status}`);
  assert.ok(typeof message === 'string' && message.length > 0, 'a message');
  assert.equal(request_id, requestId);
  const keys = Object.keys(body.error!)
    .filter((key) => key !== 'plaid_request_id')
    .sort();
  assert.deepEqual(keys, ['code', 'message', 'request_id']);
  return status;
}

const others = [...ROUTES, '/', '/x', '/link-token/x', '/sessions', '/api/layer/session'];
const POSTISH = fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: ANY_METHOD });

describe('every backend route, fuzzed', () => {
  for (const route of ROUTES)
    test(`POST ${route} (and other methods)`, () =>
      fuzzRoute(
        `backend ${route}`,
        route === API_ROUTES.webhook
          ? fc.oneof(cases(route, POSTISH, pathAround(route, others)), genuineWebhook)
          : cases(route, POSTISH, pathAround(route, others)),
        checkAnswer,
      ));

  test('OPTIONS preflights', () =>
    fuzzRoute(
      'backend OPTIONS (preflight)',
      cases(
        API_ROUTES.linkToken,
        fc.constant('OPTIONS'),
        fc.oneof(fc.constantFrom(...ROUTES), pathAround('/session', others)),
      ),
      checkAnswer,
    ));

  test('unknown routes, every method', () =>
    fuzzRoute(
      'backend unknown routes',
      cases(
        '',
        ANY_METHOD,
        fc.oneof(
          fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
          fc.constantFrom(...others),
        ),
      ),
      checkAnswer,
    ));
});
