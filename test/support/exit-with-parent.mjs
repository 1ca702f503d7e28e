/**
 * Preloaded (`node --import`) into every process the test harness starts: should the test process
 * die without stopping it (SIGKILL leaves no chance to), this one is re-parented, notices, and
 * stops itself as SIGTERM stops it, or for good 10 s later, instead of listening forever.
 * JavaScript, so it preloads into processes that run without tsx (`npm start`'s compiled server).
 */
const parent = process.ppid;
let orphanedAt = 0;
setInterval(() => {
  if (process.ppid === parent) return;
  if (!orphanedAt) {
    orphanedAt = Date.now();
    process.kill(process.pid, 'SIGTERM');
  } else if (Date.now() - orphanedAt > 10_000) process.kill(process.pid, 'SIGKILL');
}, 500).unref();
