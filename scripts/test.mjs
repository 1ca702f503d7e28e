// `npm test`: typecheck, lint, Node tests, browser tests, the packed package, end-to-end tests, in
// that order.
// Every tier runs even if an earlier one fails, so one run shows everything that is broken; the
// exit code is non-zero if any failed, and the last line totals all tiers as `N passed, N failed`.
//
//   node scripts/test.mjs                            all tiers
//   node scripts/test.mjs node e2e                   only those tiers (typecheck lint node web pack e2e)
//   node scripts/test.mjs e2e test/e2e/demo.test.ts  only these files, in the named node/e2e tier
//
// It always ends, and leaves nothing running. Each Node test file runs in its own `node --test`;
// a file, a tier and the whole run each have a deadline, in seconds, that the environment can
// change:
//
//   TEST_DEADLINE_FILE   600  a Node test file: `node --test` ends it with SIGTERM (the harness stops
//                             its servers and browsers on the way out) and this much later…
//   TEST_DEADLINE_GRACE   30  …the runner kills whatever of it is still there
//   TEST_DEADLINE_TIER   900  a tier
//   TEST_DEADLINE_RUN   2400  everything
//
// Past a deadline the process and everything under it get SIGTERM, then SIGKILL; the tier counts
// as failed and the output says which tier and file it was. A process a test file started and left
// running when the file ended is killed and reported too. SIGINT, SIGTERM, SIGHUP, or npm going
// away, end everything the same way.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

import {
  commandLine,
  endProcesses,
  groupMembers,
  ProcessWatch,
  secondsFromEnv as seconds,
  signalTrees,
} from './process-tree.mjs';

const FILE_MS = seconds('TEST_DEADLINE_FILE', 600);
const GRACE_MS = seconds('TEST_DEADLINE_GRACE', 30);
const TIER_MS = seconds('TEST_DEADLINE_TIER', 900);
const RUN_MS = seconds('TEST_DEADLINE_RUN', 2400);
const runEnds = Date.now() + RUN_MS;

/** Lines that must stand out in a long log. */
const loud = (text) => console.error(`\n${'!'.repeat(100)}\n${text}\n${'!'.repeat(100)}`);

/**
 * Node 20's --test neither expands globs nor finds *.ts files in folders: list them here.
 * `*.browser.test.ts` files run in Chromium under web-test-runner instead.
 */
function testFiles(...dirs) {
  const found = [];
  const walk = (dir) => {
    let entries = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts') && !entry.name.endsWith('.browser.test.ts')) found.push(path);
    }
  };
  dirs.forEach(walk);
  return found.sort();
}

/** The processes running now, each the root of a tree, with what to call them if they overrun. */
const running = new Map();
/** Set (to why, and the exit code) once the run is being stopped. */
let stopping = null;

/**
 * Runs a command in its own process group to its end or `until` (a time), whichever is first;
 * then ends its whole tree. Anything it started that is still running when it ends (re-parented by
 * then, so remembered as it appeared) is ended too and listed in `leftovers`.
 */
function run(command, args, { env = {}, until = Infinity, what = [command, ...args].join(' ') } = {}) {
  if (stopping) return Promise.resolve({ code: 1, output: '', timedOut: false, leftovers: [] });
  return new Promise((done) => {
    let output = '';
    let timedOut = false;
    const child = spawn(command, args, {
      // Run afresh even when started from inside a test (the harness's own tests do): node --test
      // in a test file's environment would skip running files.
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const watch = new ProcessWatch(child.pid);
    const looking = setInterval(() => watch.look(), 1000);
    running.set(child.pid, what);
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
      });
    }
    let ending = Promise.resolve();
    const deadline = setTimeout(
      () => {
        timedOut = true;
        watch.look();
        ending = endProcesses(watch.running(), { graceMs: 10_000 }).then((pids) =>
          loud(`TIMED OUT: ${what}\nstill running at its deadline: ended its ${pids.length} processes.`),
        );
      },
      Math.max(0, until - Date.now()),
    );
    const finish = async (code) => {
      clearTimeout(deadline);
      clearInterval(looking);
      await ending;
      // Whatever it started and left running: remembered descendants (re-parented by now) and
      // whatever is still in its process group.
      const left = [...new Set([...watch.running(), ...groupMembers(child.pid)])];
      // While the run is being stopped, what is still running is being ended, not left behind.
      const leftovers = stopping ? [] : left.map((pid) => `${pid} ${commandLine(pid).slice(0, 120)}`);
      if (left.length) await endProcesses(left);
      // Its output streams close once nothing holds them; give up on them if something still does.
      await new Promise((closed) => {
        if (child.stdout.closed && child.stderr.closed) return closed();
        const timer = setTimeout(closed, 15_000);
        child.once('close', () => {
          clearTimeout(timer);
          closed();
        });
      });
      running.delete(child.pid);
      done({ code, output, timedOut, leftovers });
    };
    child.once('error', (error) => {
      output += String(error);
      if (child.pid === undefined) finish(1);
    });
    child.once('exit', (code) => finish(code ?? 1));
  });
}

/** Counts from node's spec reporter (`ℹ pass N` / `ℹ fail N`). */
function nodeCounts({ code, output }) {
  // The last summary is the file's own: a failure message may quote another run's output (the
  // harness's tests run `npm test` on fixtures), summary and all, before it.
  const last = (name) =>
    Number([...output.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  const pass = last('pass');
  const fail = last('fail') + last('cancelled');
  // A non-zero exit with no failed test (a file that did not load) still counts as a failure.
  return { passed: pass, failed: fail || (code === 0 && pass > 0 ? 0 : 1) };
}

/** What went wrong, for the summary at the end. */
const problems = [];

/** Runs one command of a tier; a timeout or a leftover process is a failure of its own. */
async function step(tier, command, args, options) {
  const result = await run(command, args, options);
  if (result.timedOut) problems.push(`${tier}: ${options.what} timed out`);
  if (result.leftovers.length) {
    loud(
      `LEFT RUNNING: ${options.what} ended but left these processes running; they were killed:\n` +
        result.leftovers.map((line) => `  ${line}`).join('\n'),
    );
    problems.push(`${tier}: ${options.what} left ${result.leftovers.length} processes running`);
  }
  return result;
}

/** Whether a result passed, with timeouts and leftovers counting as failures. */
const clean = (result) => result.code === 0 && !result.timedOut && result.leftovers.length === 0;

/** A command that is the whole check (tsc, eslint, a build): passed, or listed at the end. */
async function check(tier, command, args, options) {
  const result = await step(tier, command, args, options);
  if (result.code !== 0 && !result.timedOut) problems.push(`${tier}: ${options.what} failed`);
  return clean(result);
}

/** Each file in its own `node --test`: a hung file is named, and ends alone. */
async function nodeFiles(tier, files, tierEnds) {
  const totals = { passed: 0, failed: 0 };
  for (const [index, file] of files.entries()) {
    const left = tierEnds - Date.now();
    if (left <= 1000 || stopping) {
      const skipped = files.slice(index);
      if (!stopping) {
        loud(`TIMED OUT: the ${tier} tier ran out of time; not run:\n  ${skipped.join('\n  ')}`);
        problems.push(`${tier}: ${skipped.length} files not run (tier deadline)`);
      }
      totals.failed += skipped.length;
      break;
    }
    const timeout = Math.min(FILE_MS, left);
    const result = await step(
      tier,
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${timeout}`, file],
      { what: `${tier} ${file}`, until: Math.min(Date.now() + timeout + GRACE_MS, tierEnds) },
    );
    const counts = nodeCounts(result);
    if (counts.failed === 0 && !clean(result)) counts.failed = 1;
    // node's own line, at the start of a line: a quoted run in a failure message is indented.
    if (!result.timedOut && /^✖ .*\n {2}'test timed out after \d+ms'/m.test(result.output)) {
      // node --test cancelled it at the file deadline, and it ended: say so as loudly.
      loud(`TIMED OUT: ${tier} ${file}\nstill running at its ${timeout / 1000} s deadline: cancelled.`);
      problems.push(`${tier}: ${file} timed out`);
    } else if (counts.failed && !result.timedOut) problems.push(`${tier}: ${file} failed`);
    totals.passed += counts.passed;
    totals.failed += counts.failed;
  }
  return totals;
}

/** Test files named on the command line, relative to the repository root. */
const fileArgs = [];

const TIERS = {
  async typecheck(until) {
    let failed = 0;
    for (const config of ['tsconfig.json', 'tsconfig.node.json'])
      if (!(await check('typecheck', 'npx', ['tsc', '-p', config], { until, what: `tsc -p ${config}` })))
        failed += 1;
    return { passed: 2 - failed, failed };
  },
  async lint(until) {
    let failed = 0;
    for (const [tool, ...args] of [
      ['eslint', '.'],
      ['prettier', '--check', '.'],
    ])
      if (!(await check('lint', 'npx', [tool, ...args], { until, what: tool }))) failed += 1;
    return { passed: 2 - failed, failed };
  },
  async node(until) {
    // The server tests serve dist/: build it on a fresh clone.
    if (!(await check('node', process.execPath, ['scripts/ensure-build.mjs'], { until, what: 'build' })))
      return { passed: 0, failed: 1 };
    return nodeFiles(
      'node',
      fileArgs.length ? fileArgs : testFiles('test/server', 'test/emulator', 'test/dom'),
      until,
    );
  },
  async web(until) {
    const summary = join(tmpdir(), `wtr-summary-${process.pid}.json`);
    const result = await step('web', 'npx', ['web-test-runner', '--static-logging'], {
      env: { WTR_SUMMARY_FILE: summary },
      until,
      what: 'web-test-runner',
    });
    let counts = { passed: 0, failed: 1 };
    try {
      counts = JSON.parse(readFileSync(summary, 'utf8'));
      rmSync(summary);
    } catch {
      // no summary: the runner itself failed; counted as one failure
    }
    if (!clean(result) && counts.failed === 0) counts.failed = 1;
    if (counts.failed && !result.timedOut) problems.push(`web: ${counts.failed} failed`);
    return counts;
  },
  // The package as users install it: npm pack (prepack builds), a fresh project, each entry.
  async pack(until) {
    return nodeFiles('pack', fileArgs.length ? fileArgs : testFiles('test/pack'), until);
  },
  async e2e(until) {
    if (!(await check('e2e', process.execPath, ['scripts/ensure-build.mjs'], { until, what: 'build' })))
      return { passed: 0, failed: 1 };
    return nodeFiles('e2e', fileArgs.length ? fileArgs : testFiles('test/e2e'), until);
  },
};

/** Ends everything still running, and so the run: on a signal, or when npm (our parent) is gone. */
function stop(reason, exitCode) {
  if (stopping) {
    // A second signal: no more waiting.
    signalTrees([...running.keys()], 'SIGKILL');
    process.exit(exitCode);
  }
  stopping = { reason, exitCode };
  loud(`STOPPED (${reason}): ending ${[...running.values()].join(', ') || 'nothing'}`);
  // Each run ends once its tree has; the tiers then run nothing more and the run exits below.
  for (const pid of running.keys()) endProcesses([pid]);
  setTimeout(() => {
    signalTrees([...running.keys()], 'SIGKILL');
    process.exit(exitCode);
  }, 60_000);
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
])
  process.on(signal, () => stop(signal, code));
// Killing `npm test` kills npm's shell but not this process: notice being re-parented.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('its parent exited', 1);
}, 1000).unref();

const chosen = [];
for (const arg of process.argv.slice(2)) {
  if (TIERS[arg]) chosen.push(arg);
  else if (arg.endsWith('.ts')) fileArgs.push(relative(process.cwd(), resolve(arg)));
  else {
    console.error(`unknown tier "${arg}": choose from ${Object.keys(TIERS).join(' ')}, or name test files`);
    process.exit(2);
  }
}
if (fileArgs.length && !chosen.some((name) => name === 'node' || name === 'e2e' || name === 'pack')) {
  console.error(
    'test files run in the node, pack or e2e tier: name one, e.g. node scripts/test.mjs e2e <file>',
  );
  process.exit(2);
}
const tiers = chosen.length ? chosen : Object.keys(TIERS);

const totals = { passed: 0, failed: 0 };
const lines = [];
for (const [index, name] of tiers.entries()) {
  if (stopping) break;
  if (Date.now() >= runEnds) {
    loud(
      `TIMED OUT: the whole run passed its ${RUN_MS / 1000} s deadline; not run: ${tiers.slice(index).join(' ')}`,
    );
    problems.push(`not run (run deadline): ${tiers.slice(index).join(' ')}`);
    totals.failed += tiers.length - index;
    break;
  }
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const counts = await TIERS[name](Math.min(started + TIER_MS, runEnds));
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  lines.push(
    `  ${name.padEnd(10)} ${counts.passed} passed, ${counts.failed} failed  (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
if (stopping) {
  console.error(`\nstopped (${stopping.reason}); nothing left running`);
  process.exit(stopping.exitCode);
}
console.log(`\n${lines.join('\n')}`);
if (problems.length) console.log(`\n${problems.map((problem) => `  ✖ ${problem}`).join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
