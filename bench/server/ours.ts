/**
 * Our API alone, for before/after figures while making it leaner: `node --import tsx
 * bench/server/ours.ts [seconds] [kinds…]` prints req/s and CPU ms per request for each route.
 */
import { measureServerFigures } from '../server.js';

const seconds = Number(process.argv[2] ?? 5);
const kinds = (process.argv.slice(3).length ? process.argv.slice(3) : ['ours']) as ('ours' | 'floor')[];
for (const f of await measureServerFigures({ quick: false, kinds, seconds, rounds: 1 }))
  console.log(
    `${f.kind.padEnd(10)} ${f.route.padEnd(12)} ${Math.round(f.requestsPerSecond).toString().padStart(5)} req/s  ${f.cpuMsPerRequest.toFixed(2)} ms CPU/req  p50 ${f.p50} ms  p99 ${f.p99} ms  RSS ${f.rssMb.toFixed(0)} MB`,
  );
