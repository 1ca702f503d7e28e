import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readStartConfig, type StartConfig } from '../../server/environment.js';

const SECRET = 'k'.repeat(32);
const KEYS = {
  PLAID_CLIENT_ID: 'cid',
  PLAID_SECRET: 'sec',
  LAYER_TEMPLATE_ID: 'template_x',
  SESSION_SECRET: SECRET,
};

function config(env: Record<string, string>): StartConfig {
  const result = readStartConfig(env);
  assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
  return result.config;
}

function problems(env: Record<string, string>): string {
  const result = readStartConfig(env);
  assert.equal(result.ok, false);
  return result.ok ? '' : result.problems.join('\n');
}

test('no environment: emulator mode on 127.0.0.1:8787', () => {
  assert.deepEqual(config({}), {
    port: 8787,
    host: '127.0.0.1',
    plaid: null,
    templateId: undefined,
    sessionSecret: undefined,
    allowedOrigins: [],
    webhookUrl: undefined,
    redirectUri: undefined,
    trustProxy: 0,
    webhookBindingWaitMs: undefined,
  });
});

test('with keys: real Plaid, sandbox unless PLAID_ENV says production', () => {
  assert.deepEqual(config(KEYS).plaid, { clientId: 'cid', secret: 'sec', env: 'sandbox' });
  assert.equal(config({ ...KEYS, PLAID_ENV: 'production' }).plaid?.env, 'production');
  assert.equal(config(KEYS).templateId, 'template_x');
  assert.equal(config(KEYS).sessionSecret, SECRET);
});

test('PORT, HOST, ALLOWED_ORIGINS and WEBHOOK_URL are read', () => {
  const read = config({
    PORT: '0',
    HOST: '0.0.0.0',
    ALLOWED_ORIGINS: ' https://www.example.com , https://shop.example.com/ ',
    WEBHOOK_URL: 'https://api.example.com/api/layer/webhook',
  });
  assert.equal(read.port, 0);
  assert.equal(read.host, '0.0.0.0');
  assert.deepEqual(read.allowedOrigins, ['https://www.example.com', 'https://shop.example.com']);
  assert.equal(read.webhookUrl, 'https://api.example.com/api/layer/webhook');
});

test('keys without a template id: says what is missing and how to get it', () => {
  const { LAYER_TEMPLATE_ID: _, ...env } = KEYS;
  assert.match(problems(env), /LAYER_TEMPLATE_ID is missing\..*Plaid Dashboard.*template_/s);
});

test('keys without a session secret, or a short one', () => {
  const { SESSION_SECRET: _, ...env } = KEYS;
  assert.match(problems(env), /SESSION_SECRET is missing\..*at least 32 random characters.*randomBytes/s);
  assert.match(
    problems({ ...KEYS, SESSION_SECRET: 'short' }),
    /SESSION_SECRET is too short \(5 characters\)/,
  );
  assert.match(problems({ SESSION_SECRET: 'short' }), /too short/, 'also in emulator mode when set');
});

test('half a key pair is refused either way', () => {
  assert.match(
    problems({ PLAID_CLIENT_ID: 'cid' }),
    /PLAID_SECRET is not\. Set PLAID_SECRET.*or unset PLAID_CLIENT_ID/,
  );
  assert.match(
    problems({ PLAID_SECRET: 'sec' }),
    /PLAID_CLIENT_ID is not\. Set PLAID_CLIENT_ID.*or unset PLAID_SECRET/,
  );
});

test('bad values are named with the fix, all of them in one run', () => {
  const text = problems({
    PORT: 'eighty',
    PLAID_ENV: 'development',
    ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/path',
    WEBHOOK_URL: 'not-a-url',
  });
  assert.match(text, /PORT must be a whole number from 0 to 65535, got "eighty"/);
  assert.match(text, /PLAID_ENV must be sandbox or production, got "development"/);
  assert.match(text, /ALLOWED_ORIGINS entry "https:\/\/bad\.example\/path" is not an origin/);
  assert.match(text, /WEBHOOK_URL must be a full URL/);
  assert.match(
    problems({ ...KEYS, PLAID_ENV: 'production', WEBHOOK_URL: 'http://x.example/hook' }),
    /over https/,
  );
});

test('TRUST_PROXY: unset, false or 0 trust no proxy; true is one; a number is that many', () => {
  const cases: [Record<string, string>, StartConfig['trustProxy']][] = [
    [{}, 0],
    [{ TRUST_PROXY: '' }, 0],
    [{ TRUST_PROXY: 'false' }, 0],
    [{ TRUST_PROXY: 'FALSE' }, 0],
    [{ TRUST_PROXY: '0' }, 0],
    [{ TRUST_PROXY: 'true' }, 1],
    [{ TRUST_PROXY: ' True ' }, 1],
    [{ TRUST_PROXY: '1' }, 1],
    [{ TRUST_PROXY: '2' }, 2],
  ];
  for (const [env, expected] of cases)
    assert.deepEqual(config(env).trustProxy, expected, JSON.stringify(env));
});

test('TRUST_PROXY=forwarded[:n]: that many proxies setting the standard Forwarded header', () => {
  const cases: [string, StartConfig['trustProxy']][] = [
    ['forwarded', { hops: 1, header: 'forwarded' }],
    ['Forwarded', { hops: 1, header: 'forwarded' }],
    ['forwarded:1', { hops: 1, header: 'forwarded' }],
    [' forwarded:3 ', { hops: 3, header: 'forwarded' }],
    ['forwarded:0', 0],
  ];
  for (const [value, expected] of cases)
    assert.deepEqual(config({ TRUST_PROXY: value }).trustProxy, expected, value);
});

test('TRUST_PROXY that is not true, false, a number or forwarded[:n] is a problem naming it', () => {
  for (const value of [
    'yes',
    'on',
    '-1',
    '1.5',
    '2 proxies',
    '0x2',
    '11',
    'forwarded:',
    'forwarded:x',
    'forwarded:11',
    'forward',
    'x-forwarded',
  ]) {
    const text = problems({ TRUST_PROXY: value });
    assert.match(
      text,
      /TRUST_PROXY must be true, false, the number of proxies in front of the server \(e\.g\. 1\), or forwarded \/ forwarded:<number>/,
    );
    assert.ok(text.includes(`got "${value.toLowerCase()}"`), text);
  }
});

test('REDIRECT_URI is read and held to Plaid’s rules, with the rule named', () => {
  assert.equal(config({ REDIRECT_URI: 'http://localhost:8787/' }).redirectUri, 'http://localhost:8787/');
  assert.equal(
    config({ ...KEYS, PLAID_ENV: 'production', REDIRECT_URI: 'https://shop.example/oauth-return' })
      .redirectUri,
    'https://shop.example/oauth-return',
  );
  const cases: [Record<string, string>, RegExp][] = [
    [
      { REDIRECT_URI: 'http://127.0.0.1:8787/' },
      /REDIRECT_URI must use https, or http:\/\/localhost in Sandbox/,
    ],
    [{ REDIRECT_URI: 'https://shop.example/oauth?step=2' }, /REDIRECT_URI must not have a query string/],
    [{ REDIRECT_URI: 'https://shop.example/oauth#x' }, /REDIRECT_URI must not have a fragment/],
    [{ REDIRECT_URI: 'https://*.shop.example/oauth' }, /REDIRECT_URI must not contain a wildcard/],
    [{ REDIRECT_URI: 'oauth-return' }, /REDIRECT_URI must be an absolute URL/],
    [{ REDIRECT_URI: 'http://shop.example/oauth' }, /REDIRECT_URI must use https/],
    [
      { ...KEYS, PLAID_ENV: 'production', REDIRECT_URI: 'http://localhost:8787/' },
      /REDIRECT_URI must use https in production/,
    ],
  ];
  for (const [env, message] of cases) {
    const text = problems(env);
    assert.match(text, message, env.REDIRECT_URI);
    assert.match(text, /Allowed redirect URIs/, 'says where else it must be set');
  }
});

test('WEBHOOK_BINDING_WAIT_MS: whole milliseconds within the widget’s patience', () => {
  assert.equal(config({ WEBHOOK_BINDING_WAIT_MS: '10000' }).webhookBindingWaitMs, 10_000);
  assert.equal(config({ WEBHOOK_BINDING_WAIT_MS: '0' }).webhookBindingWaitMs, 0);
  assert.equal(config({ WEBHOOK_BINDING_WAIT_MS: '15000' }).webhookBindingWaitMs, 15_000);
  for (const value of ['-1', '1.5', 'ten', '15001'])
    assert.match(
      problems({ WEBHOOK_BINDING_WAIT_MS: value }),
      new RegExp(
        `WEBHOOK_BINDING_WAIT_MS must be a whole number of milliseconds from 0 to 15000.*got "${value}"`,
      ),
    );
});

test('real Plaid without WEBHOOK_URL starts, with a warning to set the template’s webhook', () => {
  const result = readStartConfig(KEYS);
  assert.ok(result.ok);
  assert.equal(result.warnings.length, 1);
  assert.match(
    result.warnings[0]!,
    /WEBHOOK_URL is not set: .*Layer template \(template_x\) in the Plaid Dashboard.*\/api\/layer\/webhook.*onWebhook never fires/,
  );
  const withUrl = readStartConfig({ ...KEYS, WEBHOOK_URL: 'https://api.example.com/api/layer/webhook' });
  assert.deepEqual(withUrl.ok && withUrl.warnings, []);
  const emulator = readStartConfig({});
  assert.deepEqual(emulator.ok && emulator.warnings, [], 'the emulator is its own template');
});

test('EMULATOR_RATE_LIMITS: "default" asks for createLayerApi’s limits in emulator mode; nothing else, never with keys', () => {
  assert.equal(config({ EMULATOR_RATE_LIMITS: 'default' }).emulatorRateLimits, 'default');
  assert.ok(!('emulatorRateLimits' in config({ EMULATOR_RATE_LIMITS: 'relaxed' })));
  assert.match(
    problems({ EMULATOR_RATE_LIMITS: 'strict' }),
    /EMULATOR_RATE_LIMITS must be "relaxed".*or "default"/,
  );
  assert.match(
    problems({ ...KEYS, EMULATOR_RATE_LIMITS: 'default' }),
    /EMULATOR_RATE_LIMITS is for emulator mode/,
  );
});
