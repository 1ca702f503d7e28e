// The store contract (server/store-contract.ts), as partners run it on their own stores, run here
// on both stores the package ships: the in-memory default and Redis, on a real redis-server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createMemoryStore, runKeyValueStoreContract } from '../../server/index.js';
import { createRedisStore } from '../../server/redis-store.js';
import { useRedis } from '../support/redis.js';

const redis = useRedis();

runKeyValueStoreContract(() => createMemoryStore(), { test, assert, name: 'memory: ' });

runKeyValueStoreContract(
  () => {
    const prefix = `contract-${crypto.randomUUID()}:`;
    const store = createRedisStore({ url: redis.url, prefix, logger: false });
    return {
      store,
      ttlMs: async (key) => Number(await redis.command(['PTTL', prefix + key])),
      close: () => store.close(),
    };
  },
  { test, assert, name: 'redis: ' },
);
