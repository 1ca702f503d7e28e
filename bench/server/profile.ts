/**
 * Where our API's CPU goes: `node --import tsx bench/server/profile.ts [/link-token|/session]
 * [seconds]` runs our server (bench/server/child.ts `ours`) under `--cpu-prof` against the
 * instant Plaid stub, loads one route with autocannon, and prints the functions with the most self
 * time, grouped by package. The profile stays in bench/results/profiles/ for Chrome DevTools.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';

import { SESSION_HANDLE_HEADER } from '../../contract/index.js';

const route = process.argv[2] ?? '/link-token';
const seconds = Number(process.argv[3] ?? 5);
const ORIGIN = 'https://www.partner.example';
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const dir = fileURLToPath(new URL('../results/profiles/', import.meta.url));
mkdirSync(dir, { recursive: true });

function start(kind: string, env: object, execArgv: string[] = []) {
  const child = fork(CHILD, [kind, JSON.stringify(env)], { execArgv: ['--import', 'tsx', ...execArgv] });
  return new Promise<{ child: typeof child; url: string }>((resolve) =>
    child.once('message', (m: { port: number }) => resolve({ child, url: `http://127.0.0.1:${m.port}` })),
  );
}

const before = new Set(readdirSync(dir));
const stub = await start('stub', {});
const ours = await start('ours', { plaidUrl: stub.url, origin: ORIGIN }, [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
]);
const first = await fetch(`${ours.url}/link-token`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Origin: ORIGIN, [SESSION_HANDLE_HEADER]: 'new' },
  body: '{}',
});
const handle = ((await first.json()) as { session_handle: string }).session_handle;
let n = 0;
const result = await autocannon({
  url: ours.url,
  connections: 20,
  duration: seconds,
  requests: [
    {
      method: 'POST',
      path: route,
      headers: {
        'Content-Type': 'application/json',
        Origin: ORIGIN,
        [SESSION_HANDLE_HEADER]: route === '/session' ? handle : 'new',
      },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ public_token: `public-bench-${(n += 1)}` }),
      }),
    },
  ],
});
console.log(`${route}: ${Math.round(result.requests.average)} req/s, non-2xx ${result.non2xx}`);
// Disconnecting lets the child exit normally, which writes the profile.
await new Promise((resolve) => {
  ours.child.once('exit', resolve);
  ours.child.disconnect();
});
stub.child.kill();

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.cpuprofile'))!;
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
// Only the load's samples: the last `seconds` before the child exited, not its start-up.
const elapsed = profile.timeDeltas.reduce((a, b) => a + b, 0);
const self = new Map<number, number>();
let clock = 0;
profile.samples.forEach((id, i) => {
  clock += profile.timeDeltas[i] ?? 0;
  if (clock >= elapsed - seconds * 1e6) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const time = self.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(node_modules\/)?/, '');
  const pkg = url.includes('node_modules/')
    ? url
        .split('node_modules/')
        .pop()!
        .split('/')
        .slice(0, url.includes('node_modules/@') ? 2 : 1)
        .join('/')
    : url.startsWith('node:')
      ? 'node:' + url.slice(5).split('/')[0]
      : url
        ? url.replace(/^.*\/wt-[^/]+\//, '').split('/')[0]!
        : `(${functionName || 'native'})`;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
}
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`\nself time by package (${file}):`);
for (const [k, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(t)}  ${k}`);
console.log('\nself time by function:');
for (const [k, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${pct(t)}  ${k}`);
