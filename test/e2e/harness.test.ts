/**
 * The test harness always ends, and leaves nothing running: a server that does not start is
 * stopped; a test process that ends in any way (signal, uncaught error, SIGKILL) takes its server
 * and Chromium with it; and `npm test`'s runner ends a file that overruns its deadline, or
 * everything when it is stopped itself, with whatever those files started.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { commandLine, isRunning } from '../../scripts/process-tree.mjs';
import { settlesWithin, spawnNode, type NodeProcess } from '../support/processes.js';
import { START_TIMEOUT_MS, ServerStartError, startServer } from '../support/server.js';

/** Process trees are read from /proc: elsewhere only the start-up tests run. */
const noProc = existsSync('/proc/self/stat') ? false : 'needs /proc (Linux)';

/** How long processes may take to go once their owner has ended: polled, not waited out. */
const GONE_WITHIN_MS = 30_000;

async function assertAllGone(pids: readonly number[], what: string): Promise<void> {
  const until = Date.now() + GONE_WITHIN_MS;
  let left = pids.filter(isRunning);
  while (left.length && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = left.filter(isRunning);
  }
  assert.deepEqual(
    left.map((pid) => `${pid} ${commandLine(pid)}`),
    [],
    `${what}: still running ${GONE_WITHIN_MS / 1000} s later`,
  );
}

function assertGone(pid: number): void {
  assert.equal(isRunning(pid), false, `${pid} ${commandLine(pid)} is still running`);
}

/** The `holding {…}` line of a fixture: the server's pid and every process it had started. */
async function holding(fixture: NodeProcess): Promise<{ server: number; processes: number[] }> {
  // Two starts (tsx, then the server; and Chromium) on a busy machine: twice the server's limit.
  const [, json] = (await fixture.waitFor(/holding (\{.*\})/, 2 * START_TIMEOUT_MS, 'its process tree')) as [
    string,
    string,
  ];
  const held = JSON.parse(json) as { server: number; processes: number[] };
  // Not vacuous: the server and a Chromium were running.
  assert.ok(held.processes.includes(held.server), `the server is among ${json}`);
  assert.ok(
    held.processes.some((pid) => /chrom/i.test(commandLine(pid))),
    `a Chromium is among ${held.processes.map((pid) => `${pid} ${commandLine(pid)}`).join('\n')}`,
  );
  return held;
}

async function assertEnds(child: NodeProcess, within: number): Promise<void> {
  assert.ok(
    await settlesWithin(child.exited, within),
    `still running ${within / 1000} s later:\n${child.output()}`,
  );
}

test('a server that has not said "listening on" in time is stopped, and the start fails', async () => {
  let pid = 0;
  await assert.rejects(startServer({}, { startTimeoutMs: 1 }), (error: unknown) => {
    assert.ok(error instanceof ServerStartError);
    assert.match(error.message, /server did not start: .* did not print "listening on" within 0\.001 s/);
    pid = error.pid;
    return true;
  });
  assert.ok(pid > 0);
  assertGone(pid);
});

test('a start-up that never listens fails at its limit and is stopped', async () => {
  let pid = 0;
  await assert.rejects(
    startServer({}, { args: ['-e', 'setInterval(() => {}, 1000)'], startTimeoutMs: 2000 }),
    (error: unknown) => {
      assert.ok(error instanceof ServerStartError);
      assert.match(error.message, /within 2 s/);
      pid = error.pid;
      return true;
    },
  );
  assertGone(pid);
});

test('a server that exits during start-up fails at once, with what it printed', async () => {
  const started = Date.now();
  await assert.rejects(startServer({ PORT: 'eighty' }), (error: unknown) => {
    assert.ok(error instanceof ServerStartError);
    assert.match(error.message, /exited \(code 1\) before "listening on"/);
    assert.match(error.output, /PORT must be a whole number/);
    assertGone(error.pid);
    return true;
  });
  assert.ok(Date.now() - started < START_TIMEOUT_MS, 'it did not wait for the limit');
});

for (const ending of ['SIGTERM', 'SIGINT', 'an uncaught error', 'SIGKILL'] as const) {
  test(
    `a test process that ends by ${ending} leaves no server or Chromium behind`,
    { skip: noProc },
    async () => {
      const fixture = spawnNode(
        ['test/support/fixtures/hold-site.ts', ending === 'an uncaught error' ? 'throw' : 'wait'],
        {
          ...(process.env as Record<string, string>),
        },
      );
      try {
        const { processes } = await holding(fixture);
        // Only the test process itself: not its group, which would reach its children directly.
        // An uncaught error: the fixture throws when told, once its tree has been looked at (it
        // used to throw at once, and on a busy machine its Chromium was gone before the look).
        process.kill(fixture.pid, ending === 'an uncaught error' ? 'SIGUSR2' : ending);
        await assertEnds(fixture, GONE_WITHIN_MS);
        if (ending === 'an uncaught error')
          assert.match(fixture.output(), /an uncaught error in a test process/);
        await assertAllGone(processes, `after ${ending}`);
      } finally {
        await fixture.stop();
      }
    },
  );
}

test(
  'npm test ends a file at its deadline, with what it started, and says which file',
  { skip: noProc },
  async () => {
    const runner = spawnNode(['scripts/test.mjs', 'e2e', 'test/support/fixtures/hangs.fixture.ts'], {
      ...(process.env as Record<string, string>),
      // Long enough for the fixture to load (tsx) and start its stray on a busy machine: with 3 s,
      // under a load of 15 on 2 cores, it was cancelled before it got there.
      TEST_DEADLINE_FILE: '20',
      TEST_DEADLINE_GRACE: '3',
    });
    try {
      const [, stray] = (await runner.waitFor(/stray (\d+)/, START_TIMEOUT_MS, 'the stray pid')) as [
        string,
        string,
      ];
      await assertEnds(runner, 120_000);
      const output = runner.output();
      assert.equal((await runner.exited).code, 1, output);
      assert.match(output, /TIMED OUT: e2e test\/support\/fixtures\/hangs\.fixture\.ts/);
      assert.match(output, /0 passed, 1 failed/);
      await assertAllGone([Number(stray)], 'the process the file started');
    } finally {
      await runner.stop();
    }
  },
);

const STOPS = {
  'SIGTERM to npm test’s runner': (runner: NodeProcess) => process.kill(runner.pid, 'SIGTERM'),
  // `npm test` killed: npm's shell dies and the runner is re-parented, as its parent is here.
  'npm test killed': (parent: NodeProcess) => process.kill(parent.pid, 'SIGKILL'),
};

for (const [stop, act] of Object.entries(STOPS)) {
  test(`${stop} mid-e2e leaves no server or Chromium behind`, { skip: noProc }, async () => {
    const args = ['scripts/test.mjs', 'e2e', 'test/support/fixtures/site-hangs.fixture.ts'];
    const runner = spawnNode(
      stop === 'npm test killed'
        ? [
            '-e',
            `require('node:child_process').spawn(process.execPath, ${JSON.stringify(args)}, { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 1))`,
          ]
        : args,
      { ...(process.env as Record<string, string>) },
    );
    try {
      const { processes } = await holding(runner);
      act(runner);
      // The runner's pipe closes (and `exited` resolves) when the runner itself has ended.
      await assertEnds(runner, 60_000);
      assert.match(runner.output(), /STOPPED \((SIGTERM|its parent exited)\)/);
      await assertAllGone(processes, stop);
    } finally {
      await runner.stop();
    }
  });
}
