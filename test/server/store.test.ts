import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createMemoryStore } from '../../server/index.js';

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

test('get returns what set stored until it expires', async () => {
  const { time, now } = clock();
  const store = createMemoryStore({ now });
  await store.set('a', 'one', 1000);
  assert.equal(await store.get('a'), 'one');
  time.now += 999;
  assert.equal(await store.get('a'), 'one');
  time.now += 1;
  assert.equal(await store.get('a'), undefined);
});

test('add sets only an absent or expired key', async () => {
  const { time, now } = clock();
  const store = createMemoryStore({ now });
  assert.equal(await store.add('k', 'first', 1000), true);
  assert.equal(await store.add('k', 'second', 1000), false);
  assert.equal(await store.get('k'), 'first');
  time.now += 1000;
  assert.equal(await store.add('k', 'third', 1000), true);
  assert.equal(await store.get('k'), 'third');
});

test('increment counts within a window that keeps its first expiry', async () => {
  const { time, now } = clock();
  const store = createMemoryStore({ now });
  assert.deepEqual(await store.increment('c', 60_000), { count: 1, expiresAt: 1_060_000 });
  time.now += 30_000;
  assert.deepEqual(await store.increment('c', 60_000), { count: 2, expiresAt: 1_060_000 });
  time.now += 30_000;
  assert.deepEqual(await store.increment('c', 60_000), { count: 1, expiresAt: 1_120_000 });
});

test('delete removes a key', async () => {
  const store = createMemoryStore();
  await store.set('x', 'y', 1000);
  await store.delete('x');
  assert.equal(await store.get('x'), undefined);
});

test('holds at most maxEntries records, dropping the oldest writes first', async () => {
  const store = createMemoryStore({ maxEntries: 3 });
  for (const key of ['a', 'b', 'c', 'd']) await store.set(key, key, 60_000);
  assert.equal(await store.get('a'), undefined);
  assert.deepEqual(await Promise.all(['b', 'c', 'd'].map((key) => store.get(key))), ['b', 'c', 'd']);
});

test('counters never push out records: a flood of rate-limit windows leaves used tokens and claims alone', async () => {
  const store = createMemoryStore({ maxEntries: 3, maxCounters: 3 });
  await store.set('public:used', 'used', 60_000);
  await store.add('public:pending', 'pending', 60_000);
  await store.set('webhook:seen', 'done', 60_000);
  for (let i = 0; i < 1000; i++) await store.increment(`rate:visitor:${i}`, 60_000);
  assert.deepEqual(
    await Promise.all(['public:used', 'public:pending', 'webhook:seen'].map((key) => store.get(key))),
    ['used', 'pending', 'done'],
  );
  assert.equal(await store.get('rate:visitor:0'), undefined, 'the oldest counters went');
  assert.equal(await store.get('rate:visitor:999'), '1');
});

test('records over their own cap push out the oldest records, not counters', async () => {
  const store = createMemoryStore({ maxEntries: 2, maxCounters: 2 });
  await store.increment('rate:a', 60_000);
  for (const key of ['r1', 'r2', 'r3']) await store.set(key, key, 60_000);
  assert.equal(await store.get('r1'), undefined);
  assert.equal(await store.get('r3'), 'r3');
  assert.equal(await store.get('rate:a'), '1');
});
