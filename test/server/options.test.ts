import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Configuration, PlaidApi, PlaidEnvironments } from 'plaid';

import {
  checkRedirectUri,
  createLayerApi,
  redirectUriProblem,
  type LayerApiOptions,
} from '../../server/index.js';
import { API_ORIGIN, PLAID_CREDENTIALS, SESSION_SECRET, TEMPLATE_ID } from './support/test-api.js';

const VALID: LayerApiOptions = {
  plaid: PLAID_CREDENTIALS,
  templateId: TEMPLATE_ID,
  sessionSecret: SESSION_SECRET,
  allowedOrigins: [API_ORIGIN],
  logger: false,
};

/** createLayerApi with `override` applied (a key set to undefined is left out, as a caller would). */
function create(override: Record<string, unknown>) {
  const options: Record<string, unknown> = { ...VALID, ...override };
  for (const [key, value] of Object.entries(override)) if (value === undefined) delete options[key];
  return createLayerApi(options as unknown as LayerApiOptions);
}

test('valid options build an app', () => {
  assert.equal(typeof createLayerApi(VALID).fetch, 'function');
  assert.equal(
    typeof create({ allowedOrigins: ['https://www.example.com/', 'http://localhost:8787'] }).fetch,
    'function',
  );
  assert.equal(
    typeof create({ allowedOrigins: undefined, trustProxy: true }).fetch,
    'function',
    'trustProxy alone',
  );
  assert.equal(typeof create({ allowedOrigins: [], trustProxy: 2 }).fetch, 'function');
});

test('mistakes in the options throw a TypeError at creation, saying what is wrong', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no plaid', { plaid: undefined }, /`plaid` is required/],
    [
      'credentials without secret',
      { plaid: { clientId: 'id', secret: '' } },
      /plaid.clientId` and `plaid.secret` are required/,
    ],
    [
      'unknown env',
      { plaid: { ...PLAID_CREDENTIALS, env: 'development' } },
      /plaid.env` must be one of sandbox, production/,
    ],
    ['bad basePath', { plaid: { ...PLAID_CREDENTIALS, basePath: 'ftp://x' } }, /basePath/],
    ['no template', { templateId: '' }, /templateId` is required/],
    ['short secret', { sessionSecret: 'short' }, /at least 32 characters/],
    [
      'unknown profile field',
      { profileFields: ['name', 'access_token'] },
      /unknown profile field "access_token"/,
    ],
    [
      'no allowedOrigins',
      { allowedOrigins: undefined },
      /allowedOrigins is required: list the origins of the pages that embed <layer-onboarding>.*trustProxy/,
    ],
    ['empty allowedOrigins', { allowedOrigins: [] }, /allowedOrigins is required/],
    [
      'origin with a path',
      { allowedOrigins: ['https://a.example/app'] },
      /"https:\/\/a\.example\/app" is not an origin/,
    ],
    ['origin with a query', { allowedOrigins: ['https://a.example/?x=1'] }, /is not an origin/],
    ['wildcard origin', { allowedOrigins: ['*'] }, /allowedOrigins entry "\*" is not an origin/],
    ['host without scheme', { allowedOrigins: ['www.example.com'] }, /is not an origin/],
    ['not http(s)', { allowedOrigins: ['ftp://files.example.com'] }, /is not an origin/],
    [
      'one bad origin among good ones',
      { allowedOrigins: [API_ORIGIN, 'https://ok.example', 'https://bad.example/path'] },
      /"https:\/\/bad\.example\/path" is not an origin like https:\/\/www\.example\.com/,
    ],
    ['negative trustProxy', { trustProxy: -1 }, /trustProxy must be true, false, a whole number of proxies/],
    ['fractional trustProxy', { trustProxy: 1.5 }, /trustProxy must be/],
    [
      'unknown rate limit (the old name)',
      { rateLimits: { linkTokenPerSession: { limit: 5, windowSeconds: 60 } } },
      /unknown rate limit rateLimits\.linkTokenPerSession; choose from linkTokenPerVisitor, linkTokenPerAddress, sessionPerVisitor/,
    ],
    [
      'zero rate limit',
      { rateLimits: { linkTokenPerVisitor: { limit: 0, windowSeconds: 60 } } },
      /rateLimits\.linkTokenPerVisitor needs a whole limit/,
    ],
    ['bad webhook URL', { webhookUrl: 'not a url' }, /webhookUrl must be an http\(s\) URL/],
    ['negative retries', { retries: -1 }, /retries must be a whole number/],
    ['zero timeout', { timeoutMs: 0 }, /timeoutMs must be > 0/],
    ['zero link token deadline', { linkTokenDeadlineMs: 0 }, /linkTokenDeadlineMs must be > 0/],
    [
      'negative binding wait',
      { requireWebhookBinding: { waitMs: -1 } },
      /requireWebhookBinding\.waitMs must be a whole number/,
    ],
    [
      'a binding wait the widget would not sit out',
      { requireWebhookBinding: { waitMs: 20_000 } },
      /waitMs \(20000\) \+ timeoutMs \(10000\) must not exceed 25000 ms: the widget gives up an exchange after 30 s/,
    ],
    [
      'unknown binding fallback',
      { requireWebhookBinding: { waitMs: 1000, onTimeout: 'allow' } },
      /onTimeout must be 'refuse' or 'proceed'/,
    ],
    [
      'redirectUri with a query string',
      { redirectUri: 'https://shop.example/oauth?from=plaid' },
      /redirectUri must not have a query string/,
    ],
    [
      'redirectUri with a fragment',
      { redirectUri: 'https://shop.example/oauth#x' },
      /must not have a fragment/,
    ],
    [
      'redirectUri with a wildcard',
      { redirectUri: 'https://*.shop.example/oauth' },
      /must not contain a wildcard/,
    ],
    ['redirectUri over http', { redirectUri: 'http://shop.example/oauth' }, /must use https/],
    [
      'http localhost in production',
      { plaid: { ...PLAID_CREDENTIALS, env: 'production' }, redirectUri: 'http://localhost:3000/oauth' },
      /must use https in production: plain http is allowed only for localhost in Sandbox/,
    ],
    ['redirectUri not a URL', { redirectUri: '/oauth' }, /must be an absolute URL/],
    // A pino (or winston) logger object instead of a function: caught at each call, it would drop
    // every log line with one vague console.error, so it is refused here.
    [
      'a logger object',
      { logger: { info: () => {} } },
      /logger must be a function \(line, entry\) => void, or false; got an object/,
    ],
    ['a logger string', { logger: 'console' }, /logger must be a function .*; got a string/],
  ];
  for (const [name, override, message] of cases)
    assert.throws(
      () => create(override),
      (error: unknown) => {
        assert.ok(error instanceof TypeError, `${name}: a TypeError`);
        assert.match(error.message, /^createLayerApi: /, name);
        assert.match(error.message, message, name);
        return true;
      },
      name,
    );
});

test('redirect_uri rules follow the Plaid environment: credentials’ env, or a PlaidApi’s host', () => {
  const sandbox = new PlaidApi(new Configuration({ basePath: PlaidEnvironments.sandbox }));
  const production = new PlaidApi(new Configuration({ basePath: PlaidEnvironments.production }));
  const emulator = new PlaidApi(new Configuration({ basePath: 'http://127.0.0.1:8787/plaid' }));
  const local = 'http://localhost:8787/oauth-return';
  assert.equal(
    typeof create({ redirectUri: local }).fetch,
    'function',
    'sandbox credentials (the default env)',
  );
  assert.equal(typeof create({ plaid: sandbox, redirectUri: local }).fetch, 'function');
  assert.equal(
    typeof create({ plaid: emulator, redirectUri: local }).fetch,
    'function',
    'unknown host: loose',
  );
  assert.throws(() => create({ plaid: production, redirectUri: local }), /must use https in production/);
  assert.throws(
    () => create({ plaid: emulator, redirectUri: 'http://shop.example/oauth' }),
    /must use https/,
    'unknown host: production rules otherwise',
  );
  assert.equal(
    typeof create({ plaid: production, redirectUri: 'https://shop.example/oauth-return' }).fetch,
    'function',
  );
});

test('checkRedirectUri and redirectUriProblem are there for the entry point’s REDIRECT_URI', () => {
  assert.equal(checkRedirectUri('https://shop.example/oauth', 'production'), 'https://shop.example/oauth');
  assert.throws(
    () => checkRedirectUri('https://shop.example/oauth?x=1', 'sandbox'),
    (error: unknown) =>
      error instanceof TypeError && /^redirect_uri must not have a query string/.test(error.message),
  );
  assert.equal(redirectUriProblem('http://localhost:8787/oauth', 'sandbox'), undefined);
  // Plaid (and the emulator) allow plain http for the name localhost only.
  for (const loopback of ['http://127.0.0.1:8787/oauth', 'http://[::1]:8787/oauth'])
    assert.match(redirectUriProblem(loopback, 'sandbox') ?? '', /http:\/\/localhost in Sandbox/, loopback);
  assert.match(redirectUriProblem('http://localhost/oauth', 'production') ?? '', /https in production/);
});

test('requireWebhookBinding within the widget’s patience is accepted', () => {
  assert.equal(typeof create({ requireWebhookBinding: { waitMs: 10_000 } }).fetch, 'function');
  assert.equal(
    typeof create({ requireWebhookBinding: { waitMs: 0, onTimeout: 'refuse' } }).fetch,
    'function',
    'waitMs 0: the webhook must have come first',
  );
  assert.equal(
    typeof create({ timeoutMs: 5000, requireWebhookBinding: { waitMs: 20_000, onTimeout: 'proceed' } }).fetch,
    'function',
  );
});
