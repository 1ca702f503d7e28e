/**
 * `/link-token` throughput with each store: the in-memory default and Redis (a throw-away
 * redis-server on this machine). Rate limits are on, so each request makes its two `increment`s
 * (per address, per visitor) in the store; the emulator plays Plaid, on its own port as in
 * bench/api.ts, in the same process. A fixed number of requests, `concurrency` at a time, over
 * loopback HTTP: what a shared store costs an instance, not a load test of Redis.
 */
import type { ServerType } from '@hono/node-server';

import { SESSION_HANDLE_HEADER } from '../contract/index.js';
import {
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  createPlaidEmulator,
} from '../emulator/index.js';
import { createLayerApi, createMemoryStore, type KeyValueStore } from '../server/index.js';
import { createRedisStore } from '../server/redis-store.js';
import { startRedis } from '../test/support/redis.js';
import { BENCH_ORIGIN, listen } from './api.js';
import { summarize, type Summary } from './page.js';

/** High enough never to refuse, so every request counts in the store and none is cut short. */
const UNREACHED = { limit: 1_000_000_000, windowSeconds: 600 };

export interface StoreThroughput {
  store: string;
  requests: number;
  concurrency: number;
  requestsPerSecond: number;
  latencyMs: Summary;
}

const close = (server: ServerType) => new Promise((resolve) => server.close(resolve));

interface RunResult {
  requestsPerSecond: number;
  durations: number[];
}

async function run(
  plaidUrl: string,
  store: KeyValueStore,
  requests: number,
  concurrency: number,
): Promise<RunResult> {
  const app = createLayerApi({
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: plaidUrl },
    templateId: EMULATOR_TEMPLATE_ID,
    sessionSecret: 'bench-session-secret-0123456789abcdef0123',
    rateLimits: { linkTokenPerVisitor: UNREACHED, linkTokenPerAddress: UNREACHED },
    logger: false,
    allowedOrigins: [BENCH_ORIGIN],
    store,
  });
  const api = await listen(app.fetch);
  try {
    const one = async () => {
      const started = performance.now();
      const response = await fetch(`${api.url}/link-token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: BENCH_ORIGIN, [SESSION_HANDLE_HEADER]: 'new' },
        body: '{}',
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`/link-token answered ${response.status}`);
      return performance.now() - started;
    };
    const batch = async (count: number) => {
      const durations: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < count) durations.push(await one());
        }),
      );
      return durations;
    };
    await batch(Math.min(100, requests)); // warm-up
    const started = performance.now();
    const durations = await batch(requests);
    const seconds = (performance.now() - started) / 1000;
    return { requestsPerSecond: Math.round(requests / seconds), durations };
  } finally {
    await close(api.server);
  }
}

/**
 * `rounds` runs of `requests` per store, the stores taking turns so that whatever else the machine
 * does falls on both alike; the figures are the median round's rate and every request's latency.
 */
export async function measureStores({ requests = 1000, concurrency = 16, rounds = 3 } = {}): Promise<
  StoreThroughput[]
> {
  const [plaid, redis] = await Promise.all([listen(createPlaidEmulator().fetch), startRedis()]);
  const stores = {
    memory: createMemoryStore(),
    redis: createRedisStore({ url: redis.url, prefix: 'bench:', logger: false }),
  };
  try {
    const runs = { memory: [] as RunResult[], redis: [] as RunResult[] };
    for (let round = 0; round < rounds; round += 1)
      for (const name of ['memory', 'redis'] as const)
        runs[name].push(await run(plaid.url, stores[name], requests, concurrency));
    return (['memory', 'redis'] as const).map((name) => {
      const rates = runs[name].map((result) => result.requestsPerSecond).sort((a, b) => a - b);
      return {
        store: name,
        requests: requests * rounds,
        concurrency,
        requestsPerSecond: rates[Math.floor(rates.length / 2)]!,
        latencyMs: summarize(runs[name].flatMap((result) => result.durations)),
      };
    });
  } finally {
    await stores.redis.close();
    await Promise.all([redis.close(), close(plaid.server)]);
  }
}
