/**
 * What every KeyValueStore must do, as tests you can run against your own store:
 *
 * ```ts
 * import assert from 'node:assert/strict';
 * import { test } from 'node:test';
 * import { runKeyValueStoreContract } from 'layer-onboarding/server';
 *
 * runKeyValueStoreContract(() => createMyStore({ prefix: `test-${crypto.randomUUID()}:` }), { test, assert });
 * ```
 *
 * It takes the test framework's functions (node:test's `test`, mocha's `it`, vitest's `test`) and
 * an assert with `equal`, `deepEqual` and `ok`, so it depends on no framework. Each test makes its
 * own store with `createStore`, which must give a store that shares no keys with any other it made
 * (a fresh prefix, a fresh database), and closes it afterwards when `createStore` says how. Expiry
 * is checked with short TTLs (a few hundred ms) by waiting for the key to go, never by a fixed
 * sleep. Runtime-neutral: no Node built-ins.
 */
import type { KeyValueStore } from './store.js';

/** The assertions the contract uses; node:assert/strict's fit. */
export interface ContractAssert {
  equal(actual: unknown, expected: unknown, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  ok(value: unknown, message?: string): void;
}

export interface ContractHarness {
  /** Registers one named test; node:test's `test`, mocha's `it`. */
  test: (name: string, fn: () => Promise<void>) => unknown;
  assert: ContractAssert;
  /** Put before each test's name, e.g. `redis: `. Default none. */
  name?: string;
}

/** A store under test, with what the contract may use beside it. */
export interface StoreFixture {
  store: KeyValueStore;
  /**
   * The key's time to live as the backend itself reports it, in ms (Redis: `PTTL` of the prefixed
   * key): a number above 0 for a key that will expire, anything else (-1, undefined) for a key
   * that never will. Given, the contract checks that every key a store writes expires.
   */
  ttlMs?: (key: string) => Promise<number | undefined>;
  /** Releases the store (a connection) after the test. */
  close?: () => void | Promise<void>;
}

/** Short, so expiry is seen quickly; long enough that a busy machine sees the key first. */
const SHORT_TTL_MS = 300;
const LONG_TTL_MS = 60_000;
/** How long a key may take to disappear after its TTL before the test gives up on it. */
const EXPIRY_LIMIT_MS = 15_000;
const POLL_MS = 20;
/** Clock rounding between the store (e.g. Redis's millisecond clock) and ours. */
const CLOCK_SLACK_MS = 2;
const PARALLEL = 100;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers the contract's tests with `harness.test`. `createStore` answers a KeyValueStore or a
 * {@link StoreFixture}; it is called once per test.
 */
export function runKeyValueStoreContract(
  createStore: () => KeyValueStore | StoreFixture | Promise<KeyValueStore | StoreFixture>,
  { test, assert, name = '' }: ContractHarness,
): void {
  async function fixture(): Promise<StoreFixture> {
    const made = await createStore();
    return 'store' in made ? made : { store: made };
  }

  /** Runs `body` with a fresh store, closed afterwards whatever happens. */
  function storeTest(title: string, body: (fixture: StoreFixture) => Promise<void>): void {
    test(`${name}${title}`, async () => {
      const made = await fixture();
      try {
        await body(made);
      } finally {
        await made.close?.();
      }
    });
  }

  /** Waits until `key` is gone; answers when (Date.now()), or fails after EXPIRY_LIMIT_MS. */
  async function goneAt(store: KeyValueStore, key: string): Promise<number> {
    const limit = Date.now() + EXPIRY_LIMIT_MS;
    while (Date.now() < limit) {
      if ((await store.get(key)) === undefined) return Date.now();
      await pause(POLL_MS);
    }
    assert.ok(false, `${key} was still there ${EXPIRY_LIMIT_MS} ms after its ${SHORT_TTL_MS} ms TTL`);
    return NaN;
  }

  /** Asserts the backend will expire `key`, within `ttlMs`. */
  async function assertExpires(made: StoreFixture, key: string, ttlMs: number): Promise<void> {
    const left = await made.ttlMs!(key);
    assert.ok(
      typeof left === 'number' && left > 0 && left <= ttlMs,
      `${key} expires within ${ttlMs} ms (time to live: ${String(left)})`,
    );
  }

  storeTest('get answers undefined for a key never written', async ({ store }) => {
    assert.equal(await store.get('never-written'), undefined);
  });

  storeTest('set stores a value that get answers; a second set replaces it', async ({ store }) => {
    await store.set('record', 'one', LONG_TTL_MS);
    assert.equal(await store.get('record'), 'one');
    await store.set('record', 'two', LONG_TTL_MS);
    assert.equal(await store.get('record'), 'two');
  });

  storeTest('keys and values are kept exactly: colons, spaces, Unicode, long ones', async ({ store }) => {
    const key = `public:${'ab'.repeat(32)}: ünï cødé ✓`;
    const value = `${'x'.repeat(2000)} "quoted" \\ ✓`;
    await store.set(key, value, LONG_TTL_MS);
    assert.equal(await store.get(key), value);
    assert.equal(await store.get(`${key} `), undefined, 'a different key');
  });

  storeTest('add sets an absent key and answers true, then false without changing it', async ({ store }) => {
    assert.equal(await store.add('claim', 'first', LONG_TTL_MS), true);
    assert.equal(await store.add('claim', 'second', LONG_TTL_MS), false);
    assert.equal(await store.get('claim'), 'first');
    await store.set('claim', 'used', LONG_TTL_MS);
    assert.equal(await store.add('claim', 'third', LONG_TTL_MS), false, 'nor after set');
    assert.equal(await store.get('claim'), 'used');
  });

  storeTest('increment starts a new key at 1, counts up, and keeps the first expiry', async ({ store }) => {
    const before = Date.now();
    const first = await store.increment('counter', 10_000);
    const after = Date.now();
    assert.equal(first.count, 1);
    assert.ok(
      first.expiresAt >= before + 10_000 - CLOCK_SLACK_MS &&
        first.expiresAt <= after + 10_000 + CLOCK_SLACK_MS,
      `a new counter expires ttlMs from now (${first.expiresAt - before} ms after the call began)`,
    );
    const second = await store.increment('counter', LONG_TTL_MS);
    const third = await store.increment('counter', LONG_TTL_MS);
    const last = Date.now();
    assert.deepEqual([second.count, third.count], [2, 3]);
    for (const { expiresAt } of [second, third])
      assert.ok(
        expiresAt >= before + 10_000 - CLOCK_SLACK_MS && expiresAt <= last + 10_000 + CLOCK_SLACK_MS,
        `later increments keep the first expiry, whatever their ttlMs (${expiresAt - before} ms)`,
      );
    assert.equal(await store.get('counter'), '3', 'get answers the count');
  });

  storeTest(
    'delete removes records and counters alike; deleting a missing key is fine',
    async ({ store }) => {
      await store.set('record', 'value', LONG_TTL_MS);
      await store.increment('counter', LONG_TTL_MS);
      await store.delete('record');
      await store.delete('counter');
      await store.delete('never-written');
      assert.equal(await store.get('record'), undefined);
      assert.equal(await store.get('counter'), undefined);
      assert.equal(await store.add('record', 'again', LONG_TTL_MS), true, 'add after delete');
      assert.equal((await store.increment('counter', LONG_TTL_MS)).count, 1, 'a counter starts over');
    },
  );

  storeTest('set keys expire after their TTL, not before; set replaces the TTL too', async ({ store }) => {
    await store.set('replaced', 'long', LONG_TTL_MS);
    const started = Date.now();
    await store.set('record', 'value', SHORT_TTL_MS);
    await store.set('replaced', 'short', SHORT_TTL_MS);
    for (const key of ['record', 'replaced']) {
      const gone = await goneAt(store, key);
      assert.ok(gone - started >= SHORT_TTL_MS - CLOCK_SLACK_MS, `${key} gone after ${gone - started} ms`);
    }
  });

  storeTest('an added key expires after its TTL, and add then succeeds again', async ({ store }) => {
    const started = Date.now();
    assert.equal(await store.add('claim', 'first', SHORT_TTL_MS), true);
    const gone = await goneAt(store, 'claim');
    assert.ok(gone - started >= SHORT_TTL_MS - CLOCK_SLACK_MS, `gone after ${gone - started} ms`);
    assert.equal(await store.add('claim', 'second', LONG_TTL_MS), true);
    assert.equal(await store.get('claim'), 'second');
  });

  storeTest('a counter expires with its window and then starts again at 1', async ({ store }) => {
    const started = Date.now();
    assert.equal((await store.increment('counter', SHORT_TTL_MS)).count, 1);
    assert.equal((await store.increment('counter', SHORT_TTL_MS)).count, 2);
    const gone = await goneAt(store, 'counter');
    assert.ok(gone - started >= SHORT_TTL_MS - CLOCK_SLACK_MS, `gone after ${gone - started} ms`);
    assert.equal((await store.increment('counter', LONG_TTL_MS)).count, 1);
  });

  storeTest(`${PARALLEL} parallel adds of one key: exactly one answers true`, async ({ store }) => {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => store.add('contested', `caller-${i}`, LONG_TTL_MS)),
    );
    const winners = results.flatMap((won, i) => (won ? [i] : []));
    assert.equal(winners.length, 1, `exactly one add won (${winners.length} did)`);
    assert.equal(await store.get('contested'), `caller-${winners[0]}`, "the winner's value stands");
  });

  storeTest(
    `${PARALLEL} parallel increments of one key: counts 1 to ${PARALLEL}, each once`,
    async ({ store }) => {
      const before = Date.now();
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () => store.increment('contested', LONG_TTL_MS)),
      );
      const after = Date.now();
      assert.deepEqual(
        results.map(({ count }) => count).sort((a, b) => a - b),
        Array.from({ length: PARALLEL }, (_, i) => i + 1),
      );
      for (const { expiresAt } of results)
        assert.ok(
          expiresAt >= before + LONG_TTL_MS - CLOCK_SLACK_MS &&
            expiresAt <= after + LONG_TTL_MS + CLOCK_SLACK_MS,
          'one window for all',
        );
      assert.equal(await store.get('contested'), String(PARALLEL));
    },
  );

  test(`${name}two stores from createStore share no keys`, async () => {
    const [one, two] = [await fixture(), await fixture()];
    try {
      await one.store.set('shared-name', 'one', LONG_TTL_MS);
      await one.store.increment('counter', LONG_TTL_MS);
      assert.equal(await two.store.get('shared-name'), undefined);
      assert.equal(await two.store.add('shared-name', 'two', LONG_TTL_MS), true);
      assert.equal((await two.store.increment('counter', LONG_TTL_MS)).count, 1);
      assert.equal(await one.store.get('shared-name'), 'one');
      await two.store.delete('shared-name');
      assert.equal(await one.store.get('shared-name'), 'one', 'a delete stays in its own store');
    } finally {
      await Promise.all([one.close?.(), two.close?.()]);
    }
  });

  storeTest('every key written expires: the backend reports its TTL, or it is seen to go', async (made) => {
    const { store, ttlMs } = made;
    if (ttlMs) {
      await store.set('set', 'value', LONG_TTL_MS);
      await store.add('added', 'value', LONG_TTL_MS);
      await store.increment('counter', LONG_TTL_MS);
      await store.increment('counter', LONG_TTL_MS);
      await store.set('replaced', 'value', LONG_TTL_MS);
      await store.set('replaced', 'again', 5_000);
      await assertExpires(made, 'set', LONG_TTL_MS);
      await assertExpires(made, 'added', LONG_TTL_MS);
      await assertExpires(made, 'counter', LONG_TTL_MS);
      await assertExpires(made, 'replaced', 5_000);
      return;
    }
    // Without a way to ask the backend, every kind of write is watched expiring.
    await store.set('set', 'value', SHORT_TTL_MS);
    await store.add('added', 'value', SHORT_TTL_MS);
    await store.increment('counter', SHORT_TTL_MS);
    for (const key of ['set', 'added', 'counter'])
      assert.ok((await goneAt(store, key)) > 0, `${key} expired`);
  });
}
