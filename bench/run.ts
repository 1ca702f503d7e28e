/**
 * `npm run bench`: bundle size, widget timings in Chromium, backend latency, and `/link-token`
 * throughput with the memory and the Redis store. Prints a report and
 * writes it to bench/results/latest.json. Numbers depend on the machine: compare runs made on the
 * same one. bench/RESULTS.md records a run with its machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

import { measureApi } from './api.js';
import { measurePage, type Summary } from './page.js';
import { measureSize } from './size.js';
import { measureStores } from './store.js';

const quick = process.argv.includes('--quick');
const fmt = (s: Summary) => `median ${s.median} ms, p90 ${s.p90} ms (min ${s.min}, max ${s.max})`;

execFileSync(process.execPath, ['scripts/ensure-build.mjs', '--force'], { stdio: 'inherit' });

const size = measureSize(['dist/layer-onboarding.js', 'dist/layer-onboarding.mjs']);
console.log('\nBundle size (bytes)');
for (const { file, raw, gzip, brotli } of size)
  console.log(`  ${file}: ${raw} raw, ${gzip} gzip, ${brotli} brotli`);

const page = await measurePage({ runs: quick ? 3 : 15 });
console.log('\nWidget in Chromium (emulator mode, fresh browser context per run)');
for (const t of page) {
  console.log(`  ${t.scenario} (${t.runs} runs)`);
  console.log(`    navigation → ready:          ${fmt(t.readyMs)}`);
  if (t.eligibleMs) console.log(`    submitPhone → layer-eligible: ${fmt(t.eligibleMs)}`);
  if (t.dialogMs) console.log(`    submitPhone → Link dialog:    ${fmt(t.dialogMs)}`);
}

const api = await measureApi({ requests: quick ? 50 : 300 });
console.log('\nBackend over loopback HTTP (sequential)');
for (const t of api) console.log(`  ${t.route}, ${t.requests} requests: ${fmt(t.latencyMs)}`);

const stores = await measureStores(quick ? { requests: 200, rounds: 1 } : {});
console.log('\nPOST /link-token throughput by store (rate limits on: two increments a request)');
for (const t of stores)
  console.log(
    `  ${t.store.padEnd(6)} ${t.requestsPerSecond} requests/s (median round), ${t.requests} requests ${t.concurrency} at a time: ${fmt(t.latencyMs)}`,
  );

const machine = {
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  chromium: execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .toString()
    .trim(),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/latest.json',
  `${JSON.stringify({ date: new Date().toISOString(), machine, size, page, api, stores }, null, 2)}\n`,
);
console.log(`\n${machine.node}, ${machine.cpus}, ${machine.chromium}`);
console.log('written to bench/results/latest.json');
