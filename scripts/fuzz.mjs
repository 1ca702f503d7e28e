// `npm run test:fuzz`: the fuzz properties of test/server/fuzz.test.ts and test/emulator/fuzz.test.ts
// with many more cases than `npm test` runs (FUZZ_RUNS, default 10,000 per route), printing cases,
// time and answers per route. FUZZ_SEED replays a run; each file prints its seed.
import { spawnSync } from 'node:child_process';

const runs = process.env.FUZZ_RUNS ?? '10000';
const files = ['test/server/fuzz.test.ts', 'test/emulator/fuzz.test.ts'];
const started = Date.now();
const { status } = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=1',
    '--test-timeout=3600000',
    ...files,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, FUZZ_RUNS: runs, FUZZ_REPORT: '1', NODE_TEST_CONTEXT: undefined },
  },
);
console.log(
  `test:fuzz: ${runs} cases per route, ${((Date.now() - started) / 1000).toFixed(0)} s, ${status === 0 ? 'passed' : 'FAILED'}`,
);
process.exit(status ?? 1);
