/**
 * The server benchmarks alone (`node --import tsx bench/run-server.ts [--quick]`): throughput
 * (bench/server.ts) and cold start (bench/cold-start.ts), printed as bench/table.ts's table.
 * `npm run bench` (bench/run.ts) runs them with the rest.
 */
import { measureColdStart } from './cold-start.js';
import { measureServer } from './server.js';
import { formatTable } from './table.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg === 'server' || arg === 'cold-start');
const started = performance.now();
const rows = [
  ...(only !== 'cold-start' ? await measureServer({ quick }) : []),
  ...(only !== 'server' ? await measureColdStart({ quick }) : []),
];
console.log(formatTable(rows));
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`);
