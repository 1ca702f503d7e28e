// `npm test`: typecheck, lint, Node tests, browser tests, end-to-end tests, in that order.
// Every tier runs even if an earlier one fails, so one run shows everything that is broken; the
// exit code is non-zero if any failed, and the last line totals all tiers as `N passed, N failed`.
//
//   node scripts/test.mjs            all tiers
//   node scripts/test.mjs node e2e   only those tiers (typecheck lint node web e2e)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
      });
    }
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Counts from node's spec reporter (`ℹ pass N` / `ℹ fail N`). */
function nodeCounts({ code, output }) {
  const pass = Number(/ℹ pass (\d+)/.exec(output)?.[1] ?? 0);
  const fail =
    Number(/ℹ fail (\d+)/.exec(output)?.[1] ?? 0) + Number(/ℹ cancelled (\d+)/.exec(output)?.[1] ?? 0);
  // A non-zero exit with no failed test (a file that did not load) still counts as a failure.
  return { passed: pass, failed: fail || (code === 0 && pass > 0 ? 0 : 1) };
}

const nodeTest = (files) => [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=1',
  ...files,
];

const TIERS = {
  async typecheck() {
    const a = await run('npx', ['tsc', '-p', 'tsconfig.json']);
    const b = await run('npx', ['tsc', '-p', 'tsconfig.node.json']);
    const failed = [a, b].filter((r) => r.code !== 0).length;
    return { passed: 2 - failed, failed };
  },
  async lint() {
    const a = await run('npx', ['eslint', '.']);
    const b = await run('npx', ['prettier', '--check', '.']);
    const failed = [a, b].filter((r) => r.code !== 0).length;
    return { passed: 2 - failed, failed };
  },
  async node() {
    // The server tests serve dist/: build it on a fresh clone.
    if ((await run(process.execPath, ['scripts/ensure-build.mjs'])).code !== 0)
      return { passed: 0, failed: 1 };
    const files = testFiles('test/server', 'test/emulator');
    return nodeCounts(await run(process.execPath, nodeTest(files)));
  },
  async web() {
    const summary = join(tmpdir(), `wtr-summary-${process.pid}.json`);
    const result = await run('npx', ['web-test-runner', '--static-logging'], { WTR_SUMMARY_FILE: summary });
    let counts = { passed: 0, failed: 1 };
    try {
      counts = JSON.parse(readFileSync(summary, 'utf8'));
      rmSync(summary);
    } catch {
      // no summary: the runner itself failed; counted as one failure
    }
    if (result.code !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  },
  async e2e() {
    const build = await run(process.execPath, ['scripts/ensure-build.mjs']);
    if (build.code !== 0) return { passed: 0, failed: 1 };
    return nodeCounts(await run(process.execPath, nodeTest(testFiles('test/e2e'))));
  },
};

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(TIERS);
const totals = { passed: 0, failed: 0 };
const lines = [];
for (const name of chosen) {
  if (!TIERS[name]) {
    console.error(`unknown tier "${name}": choose from ${Object.keys(TIERS).join(' ')}`);
    process.exit(2);
  }
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const counts = await TIERS[name]();
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  lines.push(
    `  ${name.padEnd(10)} ${counts.passed} passed, ${counts.failed} failed  (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
console.log(`\n${lines.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
