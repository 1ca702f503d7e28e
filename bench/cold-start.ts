/**
 * Cold start (issue 15, benchmark 6): from spawning `npm start`'s server (what `npm start` runs
 * after its build check: `node dist/server/main.js`, emulator mode, PORT=0) to its first
 * 200 (`GET /health`), beside the floor (a bare node:http server, started and asked the same way);
 * then, in the same process, the first `GET /plaid/link/v2/stable/link-initialize.js` beside a
 * second one (the first must not compile anything). Runs alternate between the two servers; the
 * figures are medians. Also where the start-up goes, module by module (bench/server/import-times.mjs).
 *
 * And a partner's cold start: a fresh `node` importing the published server entry (dist/server.js,
 * what `layer-onboarding/server` resolves to; its peers resolve from this repository's
 * node_modules as from a partner's), beside a fresh `node` importing `hono` alone. That floor, not
 * `node -e 0`, because a partner's server imports `hono` anyway (createLayerApi returns a Hono app
 * they mount): what is above it is what our entry adds. Spawn → exit, so each figure includes Node's
 * own start (the `node -e 0` row).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { API_ROUTES, LINK_SCRIPT_PATH, SESSION_HANDLE_HEADER } from '../contract/index.js';
import { median, ms, times, type BenchRow } from './table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LISTENING = /listening on (http:\/\/\S+?)\/?$/m;
const FLOOR = `require('node:http').createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port + '/'); });`;
/** How long a start may take on a busy machine before the run is called failed. */
const START_TIMEOUT_MS = 60_000;

/** The environment of `npm start` in emulator mode: no Plaid keys, no Redis, a free port. */
function emulatorEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1' };
  for (const name of Object.keys(env))
    if (name.startsWith('PLAID_') || name === 'REDIS_URL' || name === 'SESSION_SECRET') delete env[name];
  return env;
}

interface Start {
  child: ChildProcess;
  url: string;
  started: number;
  /** Spawn → first 200, ms. */
  firstOk: number;
}

async function start(args: string[], path: string): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: emulatorEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" line in ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before listening:\n${output}`));
    });
  });
  child.stdout!.resume();
  for (;;) {
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    if (response.status === 200) return { child, url, started, firstOk: performance.now() - started };
    if (performance.now() - started > START_TIMEOUT_MS)
      throw new Error(`${path} answered ${response.status}`);
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - started;
}

export interface ColdStartFigures {
  ours: number[];
  floor: number[];
  /** Spawn → the first `POST /api/layer/link-token` answered 200 (the emulator plays Plaid). */
  firstLinkToken: number[];
  firstLinkScript: number[];
  secondLinkScript: number[];
  imports: Record<string, number>;
  /** Fresh `node` → `import('dist/server.js')` done (spawn → exit). */
  serverEntry: number[];
  /** Fresh `node` → `import('hono')` done (spawn → exit): the floor of the row above. */
  honoAlone: number[];
}

export async function measureColdStartFigures({ quick }: { quick: boolean }): Promise<ColdStartFigures> {
  const runs = quick ? 2 : 5;
  const figures: ColdStartFigures = {
    ours: [],
    floor: [],
    firstLinkToken: [],
    firstLinkScript: [],
    secondLinkScript: [],
    imports: {},
    serverEntry: [],
    honoAlone: [],
  };
  for (let run = 0; run < runs; run += 1) {
    const floor = await start(['-e', FLOOR], '/');
    figures.floor.push(floor.firstOk);
    await stop(floor.child);

    const ours = await start(['dist/server/main.js'], '/health');
    figures.ours.push(ours.firstOk);
    try {
      const linkToken = await fetch(`${ours.url}/api/layer${API_ROUTES.linkToken}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ours.url, [SESSION_HANDLE_HEADER]: 'new' },
        body: '{}',
      });
      await linkToken.arrayBuffer();
      if (linkToken.status !== 200) throw new Error(`/link-token answered ${linkToken.status}`);
      figures.firstLinkToken.push(performance.now() - ours.started);
      const script = `${ours.url}/plaid${LINK_SCRIPT_PATH}`;
      figures.firstLinkScript.push(await timed(script));
      figures.secondLinkScript.push(await timed(script));
    } finally {
      await stop(ours.child);
    }
  }
  figures.imports = await importTimes();
  // Node itself, and Node with tsx loaded (what `npm start` cost before it ran compiled JavaScript).
  const boot = async (args: string[]) => {
    const started = performance.now();
    const code = await new Promise((resolve) =>
      spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' }).once('exit', resolve),
    );
    // A failed import ends early: a fast figure that measured nothing.
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${String(code)}`);
    return performance.now() - started;
  };
  const node: number[] = [];
  const tsx: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    node.push(await boot(['-e', '0']));
    tsx.push(await boot(['--import', 'tsx', '-e', '0']));
  }
  figures.imports = { 'node -e 0': median(node), 'node --import tsx -e 0': median(tsx), ...figures.imports };
  const importing = (specifier: string) => [
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(specifier)})`,
  ];
  const serverEntry = new URL('../dist/server.js', import.meta.url).href;
  for (let run = 0; run < runs; run += 1) {
    figures.honoAlone.push(await boot(importing('hono')));
    figures.serverEntry.push(await boot(importing(serverEntry)));
  }
  return figures;
}

/** bench/server/import-times.mjs in a fresh process under plain node, as `npm start` runs. */
function importTimes(): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/server/import-times.mjs'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(output) as Record<string, number>)
        : reject(new Error(`import-times exited ${code}`)),
    );
  });
}

export async function measureColdStart({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const f = await measureColdStartFigures({ quick });
  const ours = median(f.ours);
  const floor = median(f.floor);
  const first = median(f.firstLinkScript);
  const second = median(f.secondLinkScript);
  return [
    {
      group: 'cold start',
      figure: 'npm start (emulator mode): spawn → first 200',
      ours: ms(Math.round(ours)),
      beside: `bare node:http ${ms(Math.round(floor))}`,
      ratio: `${times(ours / floor)} floor`,
      goal: '≤ 2 × floor',
      met: ours <= 2 * floor,
      data: { ours: f.ours, floor: f.floor },
    },
    {
      group: 'cold start',
      figure: 'npm start: spawn → first POST /link-token 200',
      ours: ms(Math.round(median(f.firstLinkToken))),
      beside: `bare node:http first 200 ${ms(Math.round(floor))}`,
      ratio: `${times(median(f.firstLinkToken) / floor)} floor`,
      goal: '',
      data: { ours: f.firstLinkToken },
    },
    {
      group: 'cold start',
      figure: 'first Link script request (link-initialize.js)',
      ours: ms(first),
      beside: `second request ${ms(second)}`,
      ratio: `${times(first / second)} second`,
      goal: 'nothing compiled at request time',
      // A bundle built at request time costs 70-100 ms; reading a built one, a few ms.
      met: first < second + 30,
      data: { first: f.firstLinkScript, second: f.secondLinkScript },
    },
    {
      group: 'cold start',
      figure: "partner's server: fresh node → import('layer-onboarding/server')",
      ours: ms(Math.round(median(f.serverEntry))),
      beside: `import('hono') alone ${ms(Math.round(median(f.honoAlone)))}`,
      ratio: `${times(median(f.serverEntry) / median(f.honoAlone))} floor`,
      goal: '≤ 2 × floor',
      met: median(f.serverEntry) <= 2 * median(f.honoAlone),
      data: { ours: f.serverEntry, floor: f.honoAlone },
    },
    ...Object.entries(f.imports).map(([name, time]) => ({
      group: 'cold start',
      figure: `  start-up: ${name}`,
      ours: ms(Math.round(time)),
      beside: '',
      ratio: '',
      goal: '',
    })),
  ];
}
