/**
 * `npm run bench` (`-- --quick` for a smoke run): every benchmark of issue 15 in one run, each
 * figure beside its floor or alternative measured in the same run, printed as one table with its
 * goal, and written to bench/results/latest.json with the machine it ran on. BENCHMARKS.md gives
 * the method and the latest full table. Numbers depend on the machine and on what else runs on
 * it: compare ratios, and runs made on the same machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

import { buildFixtures } from './build-fixtures.js';
import { measureColdStart } from './cold-start.js';
import { closeHarness } from './harness.js';
import { measureLifecycle } from './lifecycle.js';
import { measureOwnTime, measureReady } from './page.js';
import { measureServer } from './server.js';
import { bundleAnalysis, measureSize } from './size.js';
import { formatTable, type BenchRow } from './table.js';
import { measureUsable } from './usable.js';

const quick = process.argv.includes('--quick');
const started = performance.now();
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const loadAtStart = load();

type Bench = (options: { quick: boolean }) => Promise<BenchRow[]>;

const BENCHES: Array<[string, Bench]> = [
  ['size', () => measureSize()],
  ['time to usable input', measureUsable],
  ['time to ready', measureReady],
  ["widget's own time", measureOwnTime],
  ['server throughput', measureServer],
  ['cold start', measureColdStart],
  ['lifecycle', measureLifecycle],
];

// Rebuilt when any source is newer than dist/ (scripts/ensure-build.mjs), so what is measured is
// what the sources build; `--rebuild` forces it.
execFileSync(
  process.execPath,
  ['scripts/ensure-build.mjs', ...(process.argv.includes('--rebuild') ? ['--force'] : [])],
  { stdio: 'inherit' },
);

const rows: BenchRow[] = [];
const timings: Record<string, number> = {};
for (const [name, bench] of BENCHES) {
  const from = performance.now();
  process.stdout.write(`${name}… `);
  try {
    rows.push(...(await bench({ quick })));
    console.log(`${seconds(from)} s`);
  } catch (error) {
    console.log(`failed after ${seconds(from)} s`);
    console.error(error);
    rows.push({
      group: name,
      figure: 'the benchmark failed',
      ours: String(error),
      beside: '',
      ratio: '',
      goal: '',
      met: false,
    });
    process.exitCode = 1;
  }
  timings[name] = Number(seconds(from));
}
await closeHarness();
(await buildFixtures()).remove();

const analysis = bundleAnalysis();
console.log(`\n${analysis.text}`);

const machine = {
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  chromium: execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .toString()
    .trim(),
  loadAverage: { start: loadAtStart, end: load() },
};
const total = Number(seconds(started));
console.log(`\n${formatTable(rows)}`);
console.log(
  `\n${machine.node}, ${machine.cpus}, ${machine.chromium}; load average ${machine.loadAverage.start} at the start, ${machine.loadAverage.end} at the end`,
);
console.log(`${quick ? 'quick run' : 'full run'} in ${total} s`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/latest.json',
  `${JSON.stringify({ date: new Date().toISOString(), quick, seconds: { total, ...timings }, machine, rows, bundle: analysis.data }, null, 2)}\n`,
);
console.log('written to bench/results/latest.json');
// Playwright and the servers are closed; nothing else should keep the process alive, but a stray
// keep-alive socket must not hold the run open.
process.exit();
