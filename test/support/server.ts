/**
 * End-to-end harness: the real `npm start` server as a child process on a free port: what
 * `npm start` runs, server/main.ts compiled by scripts/build.mjs (scripts/test.mjs builds first),
 * under plain node. Start-up waits generously for its "listening on" line (a busy machine is
 * slow), and a server that does not get there is stopped before the start fails. Like every
 * process from processes.ts, it cannot outlive the test process.
 */
import { ProcessWaitError, spawnNode, type NodeProcess } from './processes.js';

/** How long `npm start` may take to print "listening on" before the test gives up on it. */
export const START_TIMEOUT_MS = 90_000;
const MAIN = ['dist/server/main.js'];

export interface RunningServer {
  url: string;
  pid: number;
  /** Everything the server printed, for asserting what reaches the logs. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface StartServerOptions {
  /** Node arguments (JavaScript: no tsx) instead of `dist/server/main.js` (the harness's own tests use this). */
  args?: readonly string[];
  startTimeoutMs?: number;
}

/** A start that failed: the server was stopped (`pid` has exited) and `output` is what it printed. */
export class ServerStartError extends ProcessWaitError {
  override name = 'ServerStartError';
}

/**
 * `npm start` in emulator mode on a free port of 127.0.0.1, with `env` on top of the test's own
 * environment (less any Plaid keys from the developer's shell: a test asks for them explicitly).
 */
export async function startServer(
  env: Record<string, string> = {},
  { args = MAIN, startTimeoutMs = START_TIMEOUT_MS }: StartServerOptions = {},
): Promise<RunningServer> {
  const server = spawnNode(
    args,
    { ...withoutPlaidKeys(process.env), PORT: '0', HOST: '127.0.0.1', ...env },
    { typescript: false },
  );
  let url: string;
  try {
    [, url] = (await server.waitFor(
      /listening on (http:\/\/[^\s/]+)\//,
      startTimeoutMs,
      '"listening on"',
    )) as [string, string];
  } catch (error) {
    await server.stop(5_000);
    const { message, output } = error as ProcessWaitError;
    throw new ServerStartError(`server did not start: ${message}`, server.pid, output);
  }
  return {
    url,
    pid: server.pid,
    output: server.output,
    stop: async () => {
      await server.stop();
    },
  };
}

/** `npm start`'s server with exactly `env` (plus PATH, and PORT=0 unless given): nothing from the shell. */
export function runMain(env: Record<string, string>): NodeProcess {
  return spawnNode(MAIN, { PATH: process.env.PATH ?? '', PORT: '0', ...env }, { typescript: false });
}

function withoutPlaidKeys(env: NodeJS.ProcessEnv): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.startsWith('PLAID_') && key !== 'LAYER_TEMPLATE_ID') copy[key] = value;
  }
  return copy;
}
