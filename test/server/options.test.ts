import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createLayerApi, type LayerApiOptions } from '../../server/index.js';
import { PLAID_CREDENTIALS, SESSION_SECRET, TEMPLATE_ID } from './support/test-api.js';

const VALID: LayerApiOptions = {
  plaid: PLAID_CREDENTIALS,
  templateId: TEMPLATE_ID,
  sessionSecret: SESSION_SECRET,
  logger: false,
};

test('valid options build an app', () => {
  assert.equal(typeof createLayerApi(VALID).fetch, 'function');
});

test('mistakes in the options throw at creation, saying what is wrong', () => {
  const cases: [string, Partial<LayerApiOptions> | Record<string, unknown>, RegExp][] = [
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
    ['origin with a path', { allowedOrigins: ['https://a.example/app'] }, /not an origin/],
    ['wildcard origin', { allowedOrigins: ['*'] }, /not an origin/],
    [
      'zero rate limit',
      { rateLimits: { linkTokenPerSession: { limit: 0, windowSeconds: 60 } } },
      /linkTokenPerSession/,
    ],
    ['SameSite=None without Secure', { cookie: { sameSite: 'None' } }, /needs cookie.secure/],
    ['bad webhook URL', { webhookUrl: 'not a url' }, /webhookUrl must be an http\(s\) URL/],
    ['negative retries', { retries: -1 }, /retries must be a whole number/],
    ['zero timeout', { timeoutMs: 0 }, /timeoutMs must be > 0/],
  ];
  for (const [name, override, message] of cases)
    assert.throws(() => createLayerApi({ ...VALID, ...override } as LayerApiOptions), message, name);
});
