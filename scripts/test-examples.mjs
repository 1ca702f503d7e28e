// `npm run test:examples`: each app in examples/ as a user gets it. The package is packed
// (`npm pack`, so `prepack` builds it) and the tarball installed into a fresh copy of each example,
// from the npm registry only; then the example type-checks, builds and starts on a free port, and
// Chromium goes through the eligible Layer flow against the emulator the example mounts, until the
// app's own handler shows the profile ("Leslie"). Prints PASS or FAIL per example and exits
// non-zero if any failed.
//
//   node scripts/test-examples.mjs                  all examples
//   node scripts/test-examples.mjs react-vite       only these
//
// Environment:
//   LAYER_PACKAGE_DIR         the package to pack (default: this repository)
//   CHROMIUM_PATH             the browser (default /usr/bin/chromium)
//   EXAMPLES_DEADLINE         seconds for everything (default 1200)
//   EXAMPLE_DEADLINE          seconds for one example (default 600)
//   EXAMPLES_KEEP=1           keep the temporary copies (their paths are printed)
//
// It always ends and leaves nothing running: every command runs in its own process group and,
// past a deadline or on SIGINT/SIGTERM/SIGHUP, gets SIGTERM then SIGKILL with all it started.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { endProcesses, ProcessWatch, secondsFromEnv as seconds, signalTrees } from './process-tree.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const PACKAGE_DIR = resolve(process.env.LAYER_PACKAGE_DIR ?? ROOT);
const RUN_MS = seconds('EXAMPLES_DEADLINE', 1200);
const EXAMPLE_MS = seconds('EXAMPLE_DEADLINE', 600);
/** One browser step (a click, a wait for Link or for the profile): generous on a busy machine. */
const STEP_MS = 60_000;
const runEnds = Date.now() + RUN_MS;

/** The eligible sandbox user: phone, one-time code, and the first name the app must show. */
const PHONE = '415-555-0011';
const OTP = '123456';
const FIRST_NAME = 'Leslie';

/** Processes running now (pid → what), ended on a signal or at the end. */
const running = new Map();
let stopping = false;

class StepError extends Error {}

/**
 * Spawns `command` in its own process group, watched so that whatever it starts can be ended too,
 * and keeps its output (printed as well with EXAMPLES_VERBOSE). Used by `run` and `start`.
 */
function spawnWatched(what, command, args, { cwd, env = {}, lookEveryMs }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const watch = new ProcessWatch(child.pid);
  const looking = setInterval(() => watch.look(), lookEveryMs);
  running.set(child.pid, what);
  const spawned = { child, watch, looking, output: '' };
  const keep = (chunk) => {
    spawned.output += chunk;
    if (process.env.EXAMPLES_VERBOSE) process.stdout.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return spawned;
}

/**
 * Runs a command in `cwd` in its own process group until it exits or `until`; then ends whatever
 * it left. Rejects unless it exited 0. Output is kept (shown when it fails) and streamed with a
 * prefix when EXAMPLES_VERBOSE is set.
 */
function run(what, command, args, { cwd, env = {}, until }) {
  return new Promise((done, fail) => {
    if (stopping) return fail(new StepError(`${what}: stopped`));
    const spawned = spawnWatched(what, command, args, { cwd, env, lookEveryMs: 1000 });
    const { child, watch, looking } = spawned;
    let timedOut = false;
    const deadline = setTimeout(
      () => {
        timedOut = true;
        watch.look();
        endProcesses(watch.running(), { graceMs: 5000 });
      },
      Math.max(0, until - Date.now()),
    );
    child.once('error', (error) => {
      spawned.output += String(error);
    });
    child.once('close', async (code) => {
      clearTimeout(deadline);
      clearInterval(looking);
      const left = watch.running();
      if (left.length) await endProcesses(left);
      running.delete(child.pid);
      const { output } = spawned;
      if (code === 0 && !timedOut) return done(output);
      fail(
        new StepError(
          `${what} ${timedOut ? 'ran out of time' : `exited with ${code}`}\n${output.trim().split('\n').slice(-40).join('\n')}`,
        ),
      );
    });
  });
}

/** Starts a long-running command; `stop()` ends its whole tree. */
function start(what, command, args, { cwd, env }) {
  const spawned = spawnWatched(what, command, args, { cwd, env, lookEveryMs: 500 });
  const { child, watch, looking } = spawned;
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? code));
  return {
    output: () => spawned.output,
    exited: () => exited,
    async stop() {
      clearInterval(looking);
      watch.look();
      await endProcesses(watch.running(), { graceMs: 10_000 });
      running.delete(child.pid);
    },
  };
}

/** A port nobody listens on now: bound to port 0, read, released. */
function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Resolves once `url` answers 200, or fails when the server exits or `until` passes. */
async function answering(url, server, until) {
  for (;;) {
    if (server.exited() !== null)
      throw new StepError(
        `the server exited (${server.exited()}) before answering\n${server.output().trim()}`,
      );
    if (Date.now() > until) throw new StepError(`${url} did not answer in time\n${server.output().trim()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

/** The packed package: `npm pack` in PACKAGE_DIR, into `dir`. */
async function pack(dir) {
  const output = await run('npm pack', 'npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: PACKAGE_DIR,
    until: Math.min(Date.now() + 600_000, runEnds),
  });
  // `prepack` may print before the JSON.
  const [{ filename }] = JSON.parse(output.slice(output.indexOf('[')));
  return join(dir, filename.replace(/^@/, '').replace('/', '-'));
}

/** A fresh copy of the example that depends on the tarball, without anything installed or built. */
async function copyExample(name, tarball, dir) {
  const target = join(dir, name);
  const skip = new Set(['node_modules', 'dist', '.next', 'package-lock.json', 'next-env.d.ts']);
  await cp(join(EXAMPLES, name), target, {
    recursive: true,
    filter: (source) => !skip.has(relative(join(EXAMPLES, name), source).split('/')[0]),
  });
  const manifestPath = join(target, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  if (!manifest.dependencies?.['layer-onboarding'])
    throw new StepError(`examples/${name}/package.json does not depend on layer-onboarding`);
  manifest.dependencies['layer-onboarding'] = `file:${tarball}`;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir: target, scripts: manifest.scripts ?? {} };
}

/** The eligible flow in the example's page, until the app's handler shows the profile. */
async function eligibleFlow(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);
  const errors = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // A missing favicon is the browser's business, not the example's.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      errors.push(`console: ${message.text()}`);
  });
  // What the widget reports when it gives up, for the failure message.
  await page.addInitScript({
    content: `document.addEventListener('layer-error', (event) => console.warn('layer-error ' + JSON.stringify(event.detail)), true);`,
  });
  page.on('console', (message) => {
    if (message.type() === 'warning' && message.text().startsWith('layer-error '))
      errors.push(message.text());
  });
  try {
    await page.goto(url);
    const widget = page.locator('layer-onboarding');
    await widget.getByLabel('Phone number', { exact: true }).pressSequentially(PHONE);
    await widget.getByRole('button', { name: 'Continue' }).click();
    // Link's dialog, in the emulator's iframe (the one that shows).
    const link = page
      .locator('iframe[title="Plaid Link"]:visible')
      .contentFrame()
      .getByRole('dialog', { name: /Plaid/ });
    await link.getByRole('button', { name: 'Continue' }).click();
    await link.getByLabel('Verification code').pressSequentially(OTP);
    await link.getByRole('button', { name: 'Verify' }).click();
    await link.getByRole('button', { name: 'Share' }).click();
    // The app's own handler put the profile on the page.
    const shown = page.getByTestId('first-name');
    await shown.filter({ hasText: FIRST_NAME }).waitFor();
    const text = (await shown.textContent())?.trim();
    if (text !== FIRST_NAME) throw new StepError(`the page shows "${text}", not "${FIRST_NAME}"`);
    if (errors.length) throw new StepError(`the page logged errors:\n  ${errors.join('\n  ')}`);
  } catch (error) {
    if (errors.length && !(error instanceof StepError && /logged errors/.test(error.message)))
      error.message += `\npage errors:\n  ${errors.join('\n  ')}`;
    throw error;
  } finally {
    await context.close();
  }
}

/** One example, start to end; resolves with its step timings, throws on the first failure. */
async function testExample(name, tarball, dir, getBrowser) {
  const until = Math.min(Date.now() + EXAMPLE_MS, runEnds);
  const times = [];
  const timed = async (label, step) => {
    const started = Date.now();
    try {
      return await step();
    } finally {
      times.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  };
  const example = await copyExample(name, tarball, dir);
  const npm = (label, ...args) =>
    timed(label, () => run(`${name}: npm ${args.join(' ')}`, 'npm', args, { cwd: example.dir, until }));
  await npm('install', 'install', '--prefer-offline', '--no-audit', '--no-fund');
  if (example.scripts.typecheck) await npm('typecheck', 'run', 'typecheck');
  if (example.scripts.build) await npm('build', 'run', 'build');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const server = start(`${name}: npm start`, 'npm', ['start'], {
    cwd: example.dir,
    env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
  });
  try {
    await timed('start', () => answering(url, server, until));
    const browser = await getBrowser();
    await timed('flow', () =>
      Promise.race([
        eligibleFlow(browser, url),
        new Promise((_, fail) =>
          setTimeout(
            () => fail(new StepError('the flow ran out of time')),
            Math.max(0, until - Date.now()),
          ).unref(),
        ),
      ]),
    );
  } catch (error) {
    const log = server.output().trim().split('\n').slice(-30).join('\n');
    if (log && error instanceof Error && !error.message.includes(log))
      error.message += `\nthe server's last output:\n${log}`;
    throw error;
  } finally {
    await server.stop();
  }
  return times;
}

let browser = null;
/** The temporary directory (tarball and example copies), removed on the way out. */
let tempDir = null;
async function stopEverything() {
  stopping = true;
  await Promise.allSettled([
    browser?.then((b) => b.close()),
    ...[...running.keys()].map((pid) => endProcesses([pid])),
  ]);
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
])
  process.on(signal, () => {
    if (stopping) {
      signalTrees([...running.keys()], 'SIGKILL');
      process.exit(code);
    }
    console.error(`\n${signal}: stopping ${[...running.values()].join(', ') || 'nothing'}`);
    setTimeout(() => {
      signalTrees([...running.keys()], 'SIGKILL');
      process.exit(code);
    }, 30_000).unref();
    stopEverything()
      .then(() => tempDir && !process.env.EXAMPLES_KEEP && rm(tempDir, { recursive: true, force: true }))
      .finally(() => process.exit(code));
  });
// Past the run's deadline, end everything whatever is happening.
setTimeout(() => {
  console.error(`\nTIMED OUT: test:examples passed its ${RUN_MS / 1000} s deadline`);
  stopEverything().finally(() => process.exit(1));
}, RUN_MS + 30_000).unref();

const all = (await readdir(EXAMPLES, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const chosen = process.argv.slice(2);
for (const name of chosen)
  if (!all.includes(name)) {
    console.error(`no example "${name}": choose from ${all.join(' ')}`);
    process.exit(2);
  }
const names = chosen.length ? chosen : all;

const dir = await mkdtemp(join(tmpdir(), 'layer-examples-'));
tempDir = dir;
const results = [];
const started = Date.now();
let tarball;
try {
  const packStarted = Date.now();
  console.log(`packing ${PACKAGE_DIR}`);
  tarball = await pack(dir);
  console.log(`  ${relative(dir, tarball)} (${((Date.now() - packStarted) / 1000).toFixed(1)} s)`);
} catch (error) {
  console.error(`✖ npm pack failed: ${error.message}`);
  results.push(...names.map((name) => ({ name, ok: false, detail: 'not run: npm pack failed' })));
}
const getBrowser = () =>
  (browser ??= chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 180_000,
  }));
if (tarball)
  for (const name of names) {
    if (stopping) break;
    if (Date.now() >= runEnds) {
      results.push({ name, ok: false, detail: 'not run: the run deadline passed' });
      continue;
    }
    console.log(`\n▶ ${name}`);
    const exampleStarted = Date.now();
    try {
      const times = await testExample(name, tarball, dir, getBrowser);
      const total = ((Date.now() - exampleStarted) / 1000).toFixed(1);
      results.push({ name, ok: true, detail: `${total} s (${times.join(', ')})` });
      console.log(`  PASS ${name}: ${total} s (${times.join(', ')})`);
    } catch (error) {
      const total = ((Date.now() - exampleStarted) / 1000).toFixed(1);
      const where =
        error instanceof StepError ? '' : `\n${(error.stack ?? '').split('\n').slice(1, 4).join('\n')}`;
      results.push({ name, ok: false, detail: `${total} s: ${error.message.split('\n')[0]}` });
      console.log(`  FAIL ${name} after ${total} s\n${error.message}${where}`.replace(/\n/g, '\n    '));
    }
  }
await stopEverything();
if (process.env.EXAMPLES_KEEP) console.log(`\nkept ${dir}`);
else await rm(dir, { recursive: true, force: true });

console.log('\nexamples:');
for (const { name, ok, detail } of results)
  console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(12)} ${detail}`);
const failed = results.filter((result) => !result.ok).length;
console.log(
  `${results.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
process.exit(failed ? 1 : 0);
