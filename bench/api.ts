/**
 * Backend latency over real HTTP on loopback: createLayerApi → `plaid` client → the emulator, each
 * on its own port, requests sent one after another (no concurrency: this is per-request cost,
 * not a load test).
 */
import { serve, type ServerType } from '@hono/node-server';

import { SESSION_HANDLE_HEADER } from '../contract/index.js';
import {
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  createPlaidEmulator,
} from '../emulator/index.js';
import { createLayerApi } from '../server/index.js';
import { summarize, type Summary } from './page.js';

/** The origin of the page the benchmark plays: a partner site, allowed like any embedding page. */
export const BENCH_ORIGIN = 'https://www.partner.example';

export interface ApiTimings {
  route: string;
  requests: number;
  latencyMs: Summary;
}

/** Serves `fetch` on a free loopback port. */
export function listen(fetch: (request: Request) => Response | Promise<Response>) {
  return new Promise<{ url: string; server: ServerType }>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server }),
    );
  });
}

export async function measureApi({ requests = 300 } = {}): Promise<ApiTimings[]> {
  const plaid = await listen(createPlaidEmulator().fetch);
  const app = createLayerApi({
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: plaid.url },
    templateId: EMULATOR_TEMPLATE_ID,
    sessionSecret: 'bench-session-secret-0123456789abcdef0123',
    // The defaults would (rightly) refuse a burst of 300 from one visitor.
    rateLimits: { linkTokenPerVisitor: false, linkTokenPerAddress: false },
    logger: false,
    allowedOrigins: [BENCH_ORIGIN],
  });
  const api = await listen(app.fetch);
  try {
    // What the widget sends on a first `/link-token`: its page's origin and no handle yet.
    const post = (path: string, body: unknown) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Origin: BENCH_ORIGIN,
          [SESSION_HANDLE_HEADER]: 'new',
        },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 20; i += 1) await (await post('/link-token', {})).arrayBuffer(); // warm-up
    const durations: number[] = [];
    for (let i = 0; i < requests; i += 1) {
      const started = performance.now();
      const res = await post('/link-token', {});
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/link-token answered ${res.status}`);
      durations.push(performance.now() - started);
    }
    return [
      { route: 'POST /link-token (→ /session/token/create)', requests, latencyMs: summarize(durations) },
    ];
  } finally {
    await new Promise((resolve) => api.server.close(resolve));
    await new Promise((resolve) => plaid.server.close(resolve));
  }
}
