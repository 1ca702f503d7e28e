/**
 * A throw-away redis-server (Debian's, or REDIS_SERVER) on a free port of 127.0.0.1, saving
 * nothing to disk. It can be stopped and started again on the same port, and paused (SIGSTOP) and
 * resumed, to test what the Redis store does when Redis fails.
 *
 * redis-server runs under a small Node parent (spawnNode: its own process group, preloaded with
 * exit-with-parent.mjs), so like every process the harness starts it cannot outlive the test
 * process, however that ends: the parent passes SIGTERM on (and SIGCONT, should redis-server be
 * paused), and stops it when the test process dies without a word.
 */
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';

import { createClient } from 'redis';

import { spawnNode, type NodeProcess } from './processes.js';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
/** How long redis-server may take to say it is ready on a busy machine. */
const START_TIMEOUT_MS = 60_000;
/** Tries at a free port: another process may take the one we picked before redis-server binds it. */
const PORT_TRIES = 5;

/** Runs redis-server with the arguments after `-e`, passes signals on, and exits with it. */
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.env.REDIS_SERVER_BIN, process.argv.slice(1), { stdio: 'inherit' });
console.log('redis-server pid ' + child.pid);
const end = () => { child.kill('SIGTERM'); child.kill('SIGCONT'); };
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, end);
child.on('error', (error) => { console.error(error.message); process.exit(1); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Sends one command with a client of the test's own, e.g. `['PTTL', key]`. */
  command(args: string[]): Promise<unknown>;
  /** Stops redis-server (its data goes with it); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing is answered, until `resume()`. */
  pause(): void;
  resume(): void;
  /** Stops redis-server and the test's client, for good. */
  close(): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function redisArgs(port: number): string[] {
  // No RDB snapshots, no append-only file, nothing in the repository: a cache that forgets.
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    tmpdir(),
  ];
}

/** redis-server on `port`, ready; rejects (with it stopped) if it does not get there. */
async function launch(port: number): Promise<{ process: NodeProcess; pid: number }> {
  const child = spawnNode(['-e', PARENT, '--', ...redisArgs(port)], {
    PATH: process.env.PATH ?? '',
    REDIS_SERVER_BIN: REDIS_SERVER,
  });
  try {
    await child.waitFor(
      /Ready to accept connections/,
      START_TIMEOUT_MS,
      'redis-server "Ready to accept connections"',
    );
    const [, pid] = (await child.waitFor(/redis-server pid (\d+)/, START_TIMEOUT_MS)) as [string, string];
    return { process: child, pid: Number(pid) };
  } catch (error) {
    await child.stop(5_000);
    throw error;
  }
}

export async function startRedis(): Promise<RedisServer> {
  let port = 0;
  let running: { process: NodeProcess; pid: number } | undefined;
  for (let attempt = 1; !running; attempt += 1) {
    port = await freePort();
    try {
      running = await launch(port);
    } catch (error) {
      if (attempt >= PORT_TRIES || !/Address already in use/.test(String((error as Error).message)))
        throw error;
    }
  }
  const url = `redis://127.0.0.1:${port}`;
  let client: ReturnType<typeof createClient> | undefined;
  const server: RedisServer = {
    url,
    port,
    async command(args) {
      if (!client) {
        client = createClient({ url });
        // Failures while redis-server is stopped are the test's business, not a crash.
        client.on('error', () => undefined);
        await client.connect();
      }
      return client.sendCommand(args);
    },
    async stop() {
      const current = running;
      running = undefined;
      await current?.process.stop(10_000);
    },
    async start() {
      if (running) return;
      running = await launch(port);
    },
    pause() {
      if (running) process.kill(running.pid, 'SIGSTOP');
    },
    resume() {
      if (running) process.kill(running.pid, 'SIGCONT');
    },
    async close() {
      server.resume();
      client?.destroy();
      client = undefined;
      await server.stop();
    },
  };
  return server;
}

/**
 * For a test file: a redis-server started before its tests and stopped after them. Read its
 * properties inside tests.
 */
export function useRedis(): RedisServer {
  const handle = {} as RedisServer;
  let server: RedisServer | undefined;
  before(async () => {
    server = await startRedis();
    Object.assign(handle, server);
  });
  after(async () => {
    await server?.close();
  });
  return handle;
}
