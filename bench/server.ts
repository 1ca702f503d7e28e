/**
 * Server throughput (issue 15, benchmark 5): `POST /link-token` and `POST /session` under
 * autocannon (20 connections, 10 s in two interleaved turns of 5 s; 3 s with --quick) against an instant Plaid stub, for our API
 * (createLayerApi on @hono/node-server, memory store and Redis store), the floor (bare node:http +
 * fetch) and the layer-quickstart shape (Express 5 + the `plaid` client). Every server and the stub
 * run in processes of their own (bench/server/child.ts), so each reports its own CPU time and RSS;
 * the servers take turns route by route, so whatever else the machine does falls on all alike.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';

import { SESSION_HANDLE_HEADER } from '../contract/index.js';
import { startRedis } from '../test/support/redis.js';
import { median, ms, times, type BenchRow } from './table.js';

/** The partner page the load plays: allowed, like any embedding page. */
const ORIGIN = 'https://www.partner.example';
const CHILD = fileURLToPath(new URL('./server/child.ts', import.meta.url));
const CONNECTIONS = 20;

type Kind = 'ours' | 'floor' | 'express' | 'ours-redis';
type Route = '/link-token' | '/session';

interface Child {
  process: ChildProcess;
  url: string;
  measure(what: 'start'): Promise<unknown>;
  measure(what: 'stop'): Promise<{ cpuMicros: number; rss: number }>;
  close(): Promise<void>;
}

async function startChild(kind: string, env: Record<string, string>): Promise<Child> {
  const child = fork(CHILD, [kind, JSON.stringify(env)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`bench server ${kind} exited (${code}) before listening`)));
  });
  const measure = (what: 'start' | 'stop') =>
    new Promise<never>((resolve) => {
      child.once('message', resolve);
      child.send({ measure: what });
    });
  return {
    process: child,
    url: `http://127.0.0.1:${port}`,
    measure: measure as Child['measure'],
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Run {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  cpuMicros: number;
  rss: number;
}

let publicTokens = 0;

/** What the widget sends: its page's Origin, JSON, and the session handle it holds. */
function requestFor(route: Route, handle: string): autocannon.Request {
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    Origin: ORIGIN,
    [SESSION_HANDLE_HEADER]: route === '/link-token' ? 'new' : handle,
  };
  if (route === '/link-token') return { method: 'POST', path: route, headers, body: '{}' };
  // Each public token is exchanged once (a replay is a 409): a new one for every request.
  return {
    method: 'POST',
    path: route,
    headers,
    setupRequest: (request) => ({
      ...request,
      body: JSON.stringify({ public_token: `public-sandbox-bench-${(publicTokens += 1)}` }),
    }),
  };
}

async function load(child: Child, route: Route, handle: string, seconds: number, record: boolean) {
  if (record) await child.measure('start');
  const result = await autocannon({
    url: child.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [requestFor(route, handle)],
  });
  const stats = record ? await child.measure('stop') : { cpuMicros: 0, rss: 0 };
  const refused = result.non2xx + result.errors + result.timeouts;
  if (refused > 0 || result.requests.total === 0)
    throw new Error(
      `${route} on ${child.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts of ${result.requests.total}`,
    );
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ...stats,
  } satisfies Run;
}

/** A session handle from our API, for `/session`: what the widget keeps from its `/link-token`. */
async function sessionHandle(url: string): Promise<string> {
  const response = await fetch(`${url}/link-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, [SESSION_HANDLE_HEADER]: 'new' },
    body: '{}',
  });
  const body = (await response.json()) as { session_handle?: string };
  if (response.status !== 200 || !body.session_handle)
    throw new Error(`/link-token answered ${response.status}`);
  return body.session_handle;
}

export interface ServerFigures {
  route: Route;
  kind: Kind;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  rssMb: number;
}

const KINDS: Kind[] = ['ours', 'floor', 'express', 'ours-redis'];
const ROUTES: Route[] = ['/link-token', '/session'];

/**
 * Each server is warmed up on each route (our server has the most code to compile: a 1 s warm-up
 * left it at half speed), then measured in `rounds` turns of `seconds` each, the servers taking
 * turns within a round. Rates and CPU are totals over the rounds; latency percentiles are the
 * median round's.
 */
export async function measureServerFigures({
  quick,
  kinds = KINDS,
  seconds = quick ? 3 : 5,
  rounds = quick ? 1 : 2,
  warmUpSeconds = 2,
}: {
  quick: boolean;
  kinds?: Kind[];
  seconds?: number;
  rounds?: number;
  warmUpSeconds?: number;
}): Promise<ServerFigures[]> {
  const redis = await startRedis();
  const stub = await startChild('stub', {});
  const env = { plaidUrl: stub.url, redisUrl: redis.url, origin: ORIGIN };
  const children = {} as Record<Kind, Child>;
  try {
    for (const kind of new Set<Kind>(['ours', ...kinds])) children[kind] = await startChild(kind, env);
    const handle = await sessionHandle(children.ours.url);
    const figures: ServerFigures[] = [];
    for (const route of ROUTES) {
      // JIT, connections, keep-alive sockets to the stub.
      for (const kind of kinds) await load(children[kind], route, handle, warmUpSeconds, false);
      const runs = new Map<Kind, Run[]>(kinds.map((kind) => [kind, []]));
      for (let round = 0; round < rounds; round += 1)
        for (const kind of kinds)
          runs.get(kind)!.push(await load(children[kind], route, handle, seconds, true));
      for (const kind of kinds) {
        const all = runs.get(kind)!;
        const sum = (pick: (run: Run) => number) => all.reduce((total, run) => total + pick(run), 0);
        const requests = sum((run) => run.requests);
        figures.push({
          route,
          kind,
          requestsPerSecond: requests / sum((run) => run.seconds),
          p50: median(all.map((run) => run.p50)),
          p99: median(all.map((run) => run.p99)),
          cpuMsPerRequest: sum((run) => run.cpuMicros) / 1000 / requests,
          rssMb: Math.max(...all.map((run) => run.rss)) / 1024 / 1024,
        });
      }
    }
    return figures;
  } finally {
    await Promise.all(Object.values(children).map((child) => child.close()));
    await stub.close();
    await redis.close();
  }
}

const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;
const mb = (n: number) => `${n.toFixed(0)} MB`;

export async function measureServer({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const figures = await measureServerFigures({ quick });
  const of = (route: Route, kind: Kind) => figures.find((f) => f.route === route && f.kind === kind)!;
  const rows: BenchRow[] = [];
  for (const route of ROUTES) {
    const [ours, floor, express, redis] = KINDS.map((kind) => of(route, kind)) as [
      ServerFigures,
      ServerFigures,
      ServerFigures,
      ServerFigures,
    ];
    const toFloor = ours.requestsPerSecond / floor.requestsPerSecond;
    const toExpress = ours.requestsPerSecond / express.requestsPerSecond;
    const data = { ours, floor, express, redis };
    rows.push(
      {
        group: 'server',
        figure: `POST ${route} throughput`,
        ours: rate(ours.requestsPerSecond),
        beside: `floor ${rate(floor.requestsPerSecond)}; Express ${rate(express.requestsPerSecond)}`,
        ratio: `${times(toFloor)} floor; ${times(toExpress)} Express`,
        goal: '≥ 0.9 × floor, ≥ 1.5 × Express',
        met: toFloor >= 0.9 && toExpress >= 1.5,
        data,
      },
      {
        group: 'server',
        figure: `POST ${route} CPU per request`,
        ours: ms(ours.cpuMsPerRequest),
        beside: `floor ${ms(floor.cpuMsPerRequest)}; Express ${ms(express.cpuMsPerRequest)}`,
        ratio: `${times(ours.cpuMsPerRequest / floor.cpuMsPerRequest)} floor`,
        goal: '',
      },
      {
        group: 'server',
        figure: `POST ${route} latency p50 / p99`,
        ours: `${ms(ours.p50)} / ${ms(ours.p99)}`,
        beside: `floor ${ms(floor.p50)} / ${ms(floor.p99)}; Express ${ms(express.p50)} / ${ms(express.p99)}`,
        ratio: '',
        goal: '',
      },
      {
        group: 'server',
        figure: `POST ${route} RSS after load`,
        ours: mb(ours.rssMb),
        beside: `floor ${mb(floor.rssMb)}; Express ${mb(express.rssMb)}`,
        ratio: '',
        goal: '',
      },
      {
        group: 'server',
        figure: `POST ${route} with the Redis store`,
        ours: `${rate(redis.requestsPerSecond)}, ${ms(redis.cpuMsPerRequest)} CPU`,
        beside: `memory store ${rate(ours.requestsPerSecond)}; floor ${rate(floor.requestsPerSecond)}`,
        ratio: `${times(redis.requestsPerSecond / floor.requestsPerSecond)} floor`,
        goal: '',
      },
    );
  }
  return rows;
}
