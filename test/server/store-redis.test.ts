// The Redis store on a real redis-server: its options, what it writes (keys under the prefix, each
// with a TTL, no token in the clear), and two createLayerApi instances sharing it as two servers
// behind a load balancer would: replay protection, rate limits and webhook bindings hold across
// both. (The KeyValueStore contract itself runs in store-contract.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createClient } from 'redis';

import { readStartConfig } from '../../server/environment.js';
import { createRedisStore } from '../../server/redis-store.js';
import { recordLinkTokens } from './support/handlers.js';
import { PUBLIC_TOKEN } from './support/plaid-fixtures.js';
import {
  TestBrowser,
  assertError,
  createTestApi,
  useMockPlaid,
  type RequestHandler,
} from './support/test-api.js';
import { webhookBody } from './support/webhook-signer.js';
import { useRedis } from '../support/redis.js';

const { server, signer } = await useMockPlaid();
const redis = useRedis();

/** A store of its own on the test's Redis: a fresh prefix, closed by the caller. */
function freshStore(prefix = `test-${crypto.randomUUID()}:`) {
  return createRedisStore({ url: redis.url, prefix, logger: false });
}

/** Two instances of the API on one store, and a load balancer that alternates between them. */
function twoInstances(options: Parameters<typeof createTestApi>[0] = {}) {
  const store = freshStore();
  const instances = [createTestApi({ store, ...options }), createTestApi({ store, ...options })] as const;
  let next = 0;
  const balancer: RequestHandler = {
    request: (input, init, env) => instances[next++ % 2]!.app.request(input, init, env),
  };
  return { store, instances, balancer };
}

async function sessionFinished(app: RequestHandler, linkToken: string, publicToken: string) {
  const body = webhookBody({
    webhook_type: 'LINK',
    webhook_code: 'SESSION_FINISHED',
    status: 'SUCCESS',
    link_session_id: crypto.randomUUID(),
    link_token: linkToken,
    public_tokens: [publicToken],
    environment: 'sandbox',
  });
  const response = await app.request('/webhook', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await signer.sign(body) },
    body,
  });
  assert.equal(response.status, 200, 'the webhook is acknowledged');
}

test('createRedisStore refuses bad options at once, and never repeats a password', () => {
  assert.throws(() => createRedisStore({ url: 'http://localhost:6379' }), /url must start with redis:\/\//);
  assert.throws(() => createRedisStore({ url: 'localhost:6379' }), /url must start with redis:\/\//);
  assert.throws(
    () => createRedisStore({ url: 'redis://:hunter2-secret@localhost/cache' }),
    (error: Error) =>
      error instanceof TypeError && /database number/.test(error.message) && !/hunter2/.test(error.message),
  );
  assert.throws(() => createRedisStore({ url: redis.url, prefix: '' }), /prefix must be a non-empty string/);
  assert.throws(() => createRedisStore({ url: redis.url, commandTimeoutMs: 0 }), /commandTimeoutMs/);
  assert.throws(() => createRedisStore({} as never), /pass \{ url \}/);
});

test('what the API writes: keys under the default prefix, each with a TTL, no token or address in the clear', async () => {
  // Database 3 of the test's Redis holds only this test's keys.
  const url = `${redis.url}/3`;
  const inspect = createClient({ url });
  await inspect.connect();
  const store = createRedisStore({ url, logger: false });
  try {
    assert.equal(store.description, `Redis at ${url} (keys under layer-onboarding:)`);
    const links = recordLinkTokens(server);
    const { app } = createTestApi({ store });
    const browser = new TestBrowser(app, undefined, '203.0.113.9');
    assert.equal((await browser.linkToken()).status, 200);
    await sessionFinished(app, links.tokens[0]!, PUBLIC_TOKEN);
    assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200);

    const keys = (await inspect.keys('*')).sort();
    assert.deepEqual(
      keys.map((key) => key.replace(/[0-9a-f]{32,64}$/, '…')),
      [
        'layer-onboarding:public:…',
        'layer-onboarding:rate:link-token:address:…',
        'layer-onboarding:rate:link-token:visitor:…',
        'layer-onboarding:rate:session:visitor:…',
        'layer-onboarding:source:…',
        'layer-onboarding:webhook:…',
      ],
    );
    for (const key of keys) {
      const ttl = await inspect.pTTL(key);
      assert.ok(ttl > 0, `${key} has a TTL (${ttl})`);
    }
    const stored = JSON.stringify([keys, await Promise.all(keys.map((key) => inspect.get(key)))]);
    for (const secret of [PUBLIC_TOKEN, links.tokens[0]!, '203.0.113.9', browser.handle!])
      assert.ok(!stored.includes(secret), 'nothing in the clear');
  } finally {
    await store.close();
    inspect.destroy();
  }
});

test('a client you pass in is used as it is, under your prefix, and left open by close()', async () => {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const store = createRedisStore({ client, prefix: 'partner-app:layer:' });
    assert.equal(store.description, 'Redis through the client passed in (keys under partner-app:layer:)');
    await store.set('k', 'v', 60_000);
    assert.equal(await client.get('partner-app:layer:k'), 'v');
    await store.close();
    assert.equal(client.isReady, true);
    assert.equal(await store.get('k'), 'v');
  } finally {
    client.destroy();
  }
});

test('two instances on one Redis: a public token exchanged on one is refused on the other (409)', async () => {
  const { store, instances, balancer } = twoInstances();
  try {
    const browser = new TestBrowser(balancer);
    assert.equal((await browser.linkToken()).status, 200); // instance 0
    assert.equal((await browser.exchange(PUBLIC_TOKEN)).status, 200); // instance 1
    await assertError(await browser.exchange(PUBLIC_TOKEN), 'PUBLIC_TOKEN_ALREADY_USED'); // instance 0
    assert.deepEqual(
      instances.map(({ sessions }) => sessions.length),
      [0, 1],
    );
    assert.match(instances[0].logs.at(-1)!, /code=PUBLIC_TOKEN_ALREADY_USED/);
  } finally {
    await store.close();
  }
});

test('two instances on one Redis: one rate limit, reached across both', async () => {
  const { store, instances, balancer } = twoInstances({
    rateLimits: { linkTokenPerVisitor: { limit: 3, windowSeconds: 60 } },
  });
  try {
    const browser = new TestBrowser(balancer);
    for (let i = 0; i < 3; i += 1) assert.equal((await browser.linkToken()).status, 200, `request ${i + 1}`);
    const refused = await browser.linkToken(); // the 4th, on instance 1: each alone has seen 2
    await assertError(refused, 'RATE_LIMITED');
    assert.ok(Number(refused.headers.get('Retry-After')) > 0);
    await assertError(await browser.linkToken(), 'RATE_LIMITED', 'on the other instance too');
    assert.match(instances[1].logs.at(-1)!, /code=RATE_LIMITED limit=linkTokenPerVisitor=3\/60s/);
  } finally {
    await store.close();
  }
});

test('two instances on one Redis: SESSION_FINISHED received by one binds the public token on the other', async () => {
  const links = recordLinkTokens(server);
  const { store, instances } = twoInstances();
  try {
    const owner = new TestBrowser(instances[0].app);
    const thief = new TestBrowser(instances[0].app);
    assert.equal((await owner.linkToken()).status, 200);
    assert.equal((await thief.linkToken()).status, 200);
    await sessionFinished(instances[0].app, links.tokens[0]!, PUBLIC_TOKEN);

    /** The same browser, its request sent to the other instance. */
    const onOther = (browser: TestBrowser) => {
      const moved = new TestBrowser(instances[1].app);
      moved.handle = browser.handle;
      return moved;
    };
    await assertError(await onOther(thief).exchange(PUBLIC_TOKEN), 'WRONG_SESSION');
    assert.equal((await onOther(owner).exchange(PUBLIC_TOKEN)).status, 200);
  } finally {
    await store.close();
  }
});

test('npm start’s REDIS_URL and PLAID_EMULATOR_URL: read when well formed, one problem each when not', () => {
  const read = readStartConfig({
    REDIS_URL: 'rediss://:pw@cache.internal:6380/2',
    PLAID_EMULATOR_URL: 'http://127.0.0.1:8787/plaid/',
  });
  assert.ok(read.ok);
  assert.equal(read.config.redisUrl, 'rediss://:pw@cache.internal:6380/2');
  assert.equal(read.config.plaidEmulatorUrl, 'http://127.0.0.1:8787/plaid');
  const unset = readStartConfig({});
  assert.ok(unset.ok && !('redisUrl' in unset.config) && !('plaidEmulatorUrl' in unset.config));

  const refused = readStartConfig({
    REDIS_URL: 'https://:hunter2@cache.internal',
    PLAID_EMULATOR_URL: 'plaid',
  });
  assert.ok(!refused.ok);
  assert.deepEqual(
    refused.problems.map((problem) => problem.split(/[ (]/)[0]),
    ['REDIS_URL', 'PLAID_EMULATOR_URL'],
  );
  assert.match(
    refused.problems[0]!,
    /^REDIS_URL must start with redis:\/\/ or rediss:\/\/ \(the value is not shown/,
  );
  assert.doesNotMatch(refused.problems.join('\n'), /hunter2/);
  const withKeys = readStartConfig({
    PLAID_CLIENT_ID: 'cid',
    PLAID_SECRET: 'sec',
    LAYER_TEMPLATE_ID: 'template_x',
    SESSION_SECRET: 's'.repeat(32),
    PLAID_EMULATOR_URL: 'http://127.0.0.1:8787/plaid',
  });
  assert.ok(!withKeys.ok);
  assert.match(withKeys.problems.join('\n'), /PLAID_EMULATOR_URL is for emulator mode/);
});
