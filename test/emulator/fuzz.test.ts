/**
 * Property-based fuzzing of every emulator route, in-process (`emulator.request()`): Plaid's API
 * routes, the webhook verification key route, the emulator's own `/emulator/*` control routes, the
 * Link UI's API (`/emulator/link/sessions/…`), the Link assets and unknown paths, with any method,
 * path, Origin, Content-Type, Content-Length, credentials and body (see test/support/fuzz.ts).
 * For every case:
 *   - never a 5xx (no fault is left installed between cases, so none is expected);
 *   - every non-2xx answer is Plaid's error object (the OpenAPI `PlaidError` schema), UPPER_SNAKE
 *     code, with the request id;
 *   - Object.prototype is untouched, nothing is written to stderr.
 * `FUZZ_RUNS` cases per route (200 here; `npm run test:fuzz` runs 10,000), `FUZZ_SEED` replays.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import fc from 'fast-check';

import { LINK_SCRIPT_PATH } from '../../contract/index.js';
import {
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  createPlaidEmulator,
  type PlaidEmulator,
} from '../../emulator/index.js';
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
import { validate } from './support/openapi-schema.js';

const ORIGIN = 'http://plaid.test';
let emulator: PlaidEmulator;
const linkTokens: string[] = [];
const publicTokens: string[] = [];
const sessionIds: string[] = [];

async function post(path: string, body: object, headers: Record<string, string> = {}) {
  const response = await emulator.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return (await response.json()) as Record<string, string>;
}

const CREDENTIALS = { 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID, 'PLAID-SECRET': EMULATOR_SECRET };

before(async () => {
  // Webhooks are signed and "delivered" to a fetch that drops them: no network.
  emulator = createPlaidEmulator({
    webhookUrl: `${ORIGIN}/hook`,
    webhookDelivery: { delayMs: 0, duplicateRate: 0 },
    fetch: async () => new Response(null, { status: 200 }),
  });
  for (let index = 0; index < 4; index++) {
    const { link } = (await post(
      '/session/token/create',
      { template_id: EMULATOR_TEMPLATE_ID, user: { client_user_id: `fuzz-${index}` } },
      CREDENTIALS,
    )) as unknown as { link: { link_token: string } };
    linkTokens.push(link.link_token);
    sessionIds.push(
      (await post('/emulator/link/sessions', { link_token: link.link_token })).link_session_id!,
    );
  }
  for (const linkToken of linkTokens.slice(0, 2))
    publicTokens.push(
      (await post('/emulator/sessions/complete', { link_token: linkToken, phone_number: '+14155550011' }))
        .public_token!,
    );
});

after(async () => {
  reportRuns('emulator routes (createPlaidEmulator)');
  await emulator.close();
});

const pick = (pool: string[]) => fc.nat().map((index) => pool[index % pool.length]!);
const LINK_TOKEN = fc.oneof(pick(linkTokens), fc.string({ maxLength: 40 }));
const PUBLIC_TOKEN = fc.oneof(pick(publicTokens), fc.string({ maxLength: 40 }));
const PHONE = fc.oneof(
  fc.constantFrom('+14155550011', '+14155550000', '+15155550015', '+14155550012', '+1415555'),
  fc.string({ maxLength: 20 }),
);
const ANY_JSON = fc.anything({ maxDepth: 2, withNullPrototype: true, withBoxedValues: false });

/** Bodies close to valid for each route, so cases get past the field checks. */
const ROUTES: Record<
  string,
  { method: string; valid: fc.Arbitrary<Record<string, unknown>>; credentials?: true }
> = {
  '/session/token/create': {
    method: 'POST',
    credentials: true,
    valid: fc.record(
      {
        template_id: fc.oneof(fc.constant(EMULATOR_TEMPLATE_ID), fc.string()),
        user: fc.record({ client_user_id: fc.string(), phone_number: PHONE }, { requiredKeys: [] }),
        webhook: fc.oneof(fc.webUrl(), fc.string()),
        redirect_uri: fc.oneof(fc.webUrl(), fc.string()),
      },
      { requiredKeys: ['template_id', 'user'] },
    ),
  },
  '/link/token/create': {
    method: 'POST',
    credentials: true,
    valid: fc.record(
      {
        client_name: fc.string(),
        language: fc.constantFrom('en', 'es', 'xx'),
        country_codes: fc.array(fc.constantFrom('US', 'CA', 'ZZ')),
        user: fc.record({ client_user_id: fc.string() }),
        products: fc.array(fc.constantFrom('auth', 'identity', 'x')),
      },
      { requiredKeys: ['client_name', 'language', 'country_codes', 'user'] },
    ),
  },
  '/user_account/session/get': {
    method: 'POST',
    credentials: true,
    valid: fc.record({ public_token: PUBLIC_TOKEN }),
  },
  '/user_account/session/event/send': {
    method: 'POST',
    credentials: true,
    valid: fc.record({
      link_session_id: fc.oneof(pick(sessionIds), fc.string()),
      event: fc.record({
        name: fc.string(),
        timestamp: fc.oneof(fc.constant('2026-11-25T12:00:00Z'), fc.string()),
      }),
    }),
  },
  '/webhook_verification_key/get': {
    method: 'POST',
    credentials: true,
    valid: fc.record({ key_id: fc.oneof(fc.uuid(), fc.string()) }),
  },
  '/network/status/get': {
    method: 'POST',
    credentials: true,
    valid: fc.record({ user: fc.record({ phone_number: PHONE }) }),
  },
  '/emulator/faults': {
    method: 'POST',
    valid: fc.record(
      {
        route: fc.constantFrom('/session/token/create', '/user_account/session/get', '/nope', ''),
        status: fc.oneof(fc.integer({ min: 100, max: 600 }), fc.string()),
        errorCode: fc.oneof(fc.constantFrom('INTERNAL_SERVER_ERROR', 'toString', '__proto__'), fc.string()),
        errorType: fc.oneof(fc.constantFrom('API_ERROR', 'constructor'), fc.string()),
        latencyMs: fc.integer({ min: -1, max: 5 }),
        count: fc.integer({ min: -1, max: 3 }),
      },
      { requiredKeys: ['route'] },
    ),
  },
  '/emulator/tokens/expire': {
    method: 'POST',
    valid: fc.record({ token: fc.oneof(pick(linkTokens), fc.string(), ANY_JSON) }),
  },
  '/emulator/sessions/complete': {
    method: 'POST',
    valid: fc.record(
      {
        link_token: LINK_TOKEN,
        phone_number: PHONE,
        date_of_birth: fc.oneof(fc.constant('1975-01-18'), fc.string()),
      },
      { requiredKeys: ['link_token', 'phone_number'] },
    ),
  },
  '/emulator/webhook-keys/rotate': { method: 'POST', valid: fc.constant({}) },
  '/emulator/link/sessions': {
    method: 'POST',
    valid: fc.record(
      { link_token: LINK_TOKEN, received_redirect_uri: fc.oneof(fc.webUrl(), fc.constant(null), ANY_JSON) },
      { requiredKeys: ['link_token'] },
    ),
  },
};

/** The Link UI's per-session routes: a real session id or any. */
const SESSION_STEPS = ['submit', 'open', 'verify', 'share', 'resume', 'exit'] as const;
const STEP_BODY: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    phone_number: PHONE,
    date_of_birth: fc.oneof(fc.constant('1975-01-18'), fc.string()),
    code: fc.oneof(fc.constant('123456'), fc.string({ maxLength: 8 })),
    account_ids: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), ANY_JSON),
    profile: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), ANY_JSON, { maxKeys: 4 }), ANY_JSON),
  },
  { requiredKeys: [] },
);

const GET_PATHS = [
  LINK_SCRIPT_PATH,
  '/link/v2/stable/link.html',
  '/link/v2/stable/link-frame.js',
  '/link/v2/stable/link.css',
  '/emulator/faults',
];
const OTHERS = [...Object.keys(ROUTES), ...GET_PATHS, '/', '/emulator', '/emulator/link/sessions/x/y'];

const sometimes = <T>(arbitrary: fc.Arbitrary<T>, percent: number) =>
  fc.oneof({ weight: percent, arbitrary }, { weight: 100 - percent, arbitrary: fc.constant(undefined) });

const origin = fc.oneof(
  fc.constant(ORIGIN),
  fc.constantFrom('https://evil.example', 'null', 'http://plaid.test.evil.example'),
  HEADER_VALUE,
);

function headersFor(credentials: boolean): fc.Arbitrary<Record<string, string>> {
  return fc
    .record({
      origin: sometimes(origin, credentials ? 20 : 30),
      contentType: sometimes(CONTENT_TYPE, 92),
      contentLength: sometimes(CONTENT_LENGTH, 8),
      clientId: sometimes(
        fc.oneof({ weight: 8, arbitrary: fc.constant(EMULATOR_CLIENT_ID) }, HEADER_VALUE),
        credentials ? 92 : 10,
      ),
      secret: sometimes(
        fc.oneof({ weight: 8, arbitrary: fc.constant(EMULATOR_SECRET) }, HEADER_VALUE),
        credentials ? 92 : 10,
      ),
      forwardedHost: sometimes(fc.oneof(fc.constant('plaid.test'), HEADER_VALUE), 10),
      version: sometimes(fc.oneof(fc.constant('2020-09-14'), HEADER_VALUE), 30),
    })
    .map((choices) => {
      const out: Record<string, string> = {};
      if (choices.origin !== undefined) out.Origin = choices.origin;
      if (choices.contentType !== undefined) out['Content-Type'] = choices.contentType;
      if (choices.contentLength !== undefined) out['Content-Length'] = choices.contentLength;
      if (choices.clientId !== undefined) out['PLAID-CLIENT-ID'] = choices.clientId;
      if (choices.secret !== undefined) out['PLAID-SECRET'] = choices.secret;
      if (choices.forwardedHost !== undefined) out['X-Forwarded-Host'] = choices.forwardedHost;
      if (choices.version !== undefined) out['Plaid-Version'] = choices.version;
      return out;
    });
}

const POSTISH = fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: ANY_METHOD });

function cases(
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
  valid: fc.Arbitrary<Record<string, unknown>>,
  credentials: boolean,
): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      method,
      path,
      headers: headersFor(credentials),
      body: fc.option(bodyFor(valid), { nil: undefined, freq: 10 }),
    })
    .map(({ method: m, path: p, headers, body }) => ({
      request: { method: m, path: p, headers, body },
      address: undefined,
    }));
}

/** The properties every answer of the emulator has. */
async function checkAnswer(fuzzCase: FuzzCase): Promise<number> {
  const before = prototypeSnapshot();
  const { result: response, stderr } = await captureStderr(async () => {
    const answer = await send(emulator, ORIGIN, fuzzCase);
    // A case may have installed a fault: it must not decide the next case's answer.
    await emulator.request(`${ORIGIN}/emulator/faults`, { method: 'DELETE' });
    return answer;
  });
  const text = await response.text();
  const status = response.status;
  assert.ok(status < 500, `answered ${status}: ${text.slice(0, 500)}`);
  assert.deepEqual(stderr, [], 'nothing on stderr');
  assertNoPollution(before);
  if (fuzzCase.request.method.toUpperCase() === 'HEAD' || (status >= 200 && status < 300)) return status;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  // The Link UI's own routes add the session id to the error, as real Link's internal API does.
  const problems = validate('PlaidError', body).filter(
    (problem) =>
      !(
        problem === '$.link_session_id: not declared by the schema' &&
        fuzzCase.request.path.includes('/emulator/link/')
      ),
  );
  assert.deepEqual(problems, [], text);
  assert.match(String(body.error_code), /^[A-Z][A-Z0-9_]*$/);
  assert.match(String(body.request_id), /^[A-Za-z0-9]{15}$/);
  return status;
}

describe('every emulator route, fuzzed', () => {
  for (const [route, { valid, credentials }] of Object.entries(ROUTES))
    test(`POST ${route} (and other methods)`, () =>
      fuzzRoute(
        `emulator ${route}`,
        cases(POSTISH, pathAround(route, OTHERS), valid, credentials === true),
        checkAnswer,
      ));

  test('the Link UI API: /emulator/link/sessions/:id/<step>', () =>
    fuzzRoute(
      'emulator /emulator/link/sessions/:id/*',
      cases(
        POSTISH,
        fc
          .tuple(
            fc.oneof(pick(sessionIds), fc.webSegment()),
            fc.oneof(fc.constantFrom(...SESSION_STEPS), fc.webSegment()),
          )
          .map(([id, step]) => `/emulator/link/sessions/${id}/${step}`),
        STEP_BODY,
        false,
      ),
      checkAnswer,
    ));

  test('the Link assets and GET /emulator/faults, every method', () =>
    fuzzRoute(
      'emulator GET assets',
      cases(
        fc.oneof({ weight: 6, arbitrary: fc.constant('GET') }, { weight: 4, arbitrary: ANY_METHOD }),
        fc.oneof(fc.constantFrom(...GET_PATHS), pathAround(LINK_SCRIPT_PATH, OTHERS)),
        fc.constant({}),
        false,
      ),
      checkAnswer,
    ));

  test('unknown routes, every method', () =>
    fuzzRoute(
      'emulator unknown routes',
      cases(
        ANY_METHOD,
        fc.oneof(
          fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
          fc.constantFrom(...OTHERS),
        ),
        fc.constant({}),
        true,
      ),
      checkAnswer,
    ));
});
