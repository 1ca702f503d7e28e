/**
 * Child processes for tests that cannot outlive the test process, however it ends: normally, by
 * an uncaught error, or by SIGINT/SIGTERM/SIGHUP (`node --test` sends SIGTERM to a file that ran
 * past its timeout, scripts/test.mjs to everything at a deadline). Each child leads its own process
 * group, so stopping it stops whatever it started too; and it is preloaded with
 * exit-with-parent.mjs, so it stops itself should the test process be SIGKILLed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIFELINE = new URL('./exit-with-parent.mjs', import.meta.url).href;

/** Node runs nothing asynchronous once exiting, so these are synchronous (a SIGKILL). */
const cleanups = new Set<() => void>();
let installed = false;

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // the others still run
    }
  }
  cleanups.clear();
}

/**
 * Makes SIGINT, SIGTERM and SIGHUP end this process (after `cleanup`s), even where Playwright's own
 * SIGTERM handler would otherwise keep it alive, and runs the cleanups on every exit. Playwright
 * kills its Chromium on exit itself.
 */
export function exitOnSignals(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)
    process.on(signal, () => {
      runCleanups();
      process.exit(code);
    });
}

/** Runs `cleanup` when this process exits, whatever the way; call the result to cancel. */
export function onExit(cleanup: () => void): () => void {
  exitOnSignals();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Whether `promise` settles within `ms`; it is not cancelled either way. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeProcess {
  pid: number;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output: () => string;
  /** Resolves when it has exited. */
  exited: Promise<Exit>;
  /**
   * Resolves with the first match of `pattern` in its output; rejects if it exits first or after
   * `ms` (it keeps running: the caller decides).
   */
  waitFor: (pattern: RegExp, ms: number, what?: string) => Promise<RegExpMatchArray>;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop: (graceMs?: number) => Promise<Exit>;
}

export class ProcessWaitError extends Error {
  constructor(
    message: string,
    readonly pid: number,
    readonly output: string,
  ) {
    super(message);
    this.name = 'ProcessWaitError';
  }
}

export interface SpawnNodeOptions {
  /**
   * Loads tsx, so `args` may name TypeScript (the default). Off for JavaScript that runs as users
   * run it, such as `npm start`'s compiled server, which tsx would slow by ~0.4 s a start.
   */
  typescript?: boolean;
}

/**
 * `node <args>` from the repository root with exactly `env`. It never keeps the test process
 * alive by itself (unref'd): a test that forgets to stop it ends anyway, and it with it.
 */
export function spawnNode(
  args: readonly string[],
  env: Record<string, string>,
  { typescript = true }: SpawnNodeOptions = {},
): NodeProcess {
  const tsx = typescript ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...tsx, '--import', LIFELINE, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  let output = '';
  let exit: Exit | null = null;
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk;
      changed();
    });
  }
  // 'close', not 'exit': by then everything it printed has been read.
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => {
      exit = { code, signal };
      cancelCleanup();
      resolve(exit);
      changed();
    }),
  );
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const cancelCleanup = onExit(() => group('SIGKILL'));
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();

  return {
    pid,
    output: () => output,
    exited,
    waitFor: (pattern, ms, what = `output matching ${pattern}`) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) return finish(() => resolve(match));
          if (!exit) return;
          const how = exit.signal ?? `code ${exit.code}`;
          finish(() =>
            reject(
              new ProcessWaitError(
                `node ${args.join(' ')} exited (${how}) before ${what}:\n${output}`,
                pid,
                output,
              ),
            ),
          );
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new ProcessWaitError(
                  `node ${args.join(' ')} did not print ${what} within ${ms / 1000} s:\n${output}`,
                  pid,
                  output,
                ),
              ),
            ),
          ms,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
    stop: async (graceMs = 30_000) => {
      if (exit) return exit;
      group('SIGTERM');
      if (!(await settlesWithin(exited, graceMs))) group('SIGKILL');
      return exited;
    },
  };
}
