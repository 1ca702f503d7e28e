// Process trees, read from /proc (Linux), so the test runner and the test harness can end
// everything a test started: also processes that left their parent's process group (Chromium,
// servers started `detached`) or were re-parented when their parent died. Where there is no /proc
// only the process itself and its process group are reached. Also the runners' deadlines from the
// environment.
import { readdirSync, readFileSync } from 'node:fs';

/** `pid (comm) state ppid pgrp … starttime …` → the fields after `comm` (which may hold spaces). */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** A process's identity: its pid and start time, so a recycled pid is never taken for it. */
function identity(pid) {
  const fields = statFields(pid);
  // Field 22 of stat (starttime) is the 20th after comm.
  return fields ? `${pid}@${fields[19]}` : null;
}

/** Every live process: pid → its parent and process group; empty where there is no /proc. */
function processes() {
  const map = new Map();
  let names = [];
  try {
    names = readdirSync('/proc');
  } catch {
    return map;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(name);
    if (fields && fields[0] !== 'Z')
      map.set(Number(name), { parent: Number(fields[1]), group: Number(fields[2]) });
  }
  return map;
}

/** The live members of process group `pgid`. */
export function groupMembers(pgid) {
  return [...processes()].filter(([, { group }]) => group === pgid).map(([pid]) => pid);
}

/** The live descendants of `pid`: its children, their children, and so on. */
export function descendants(pid) {
  const children = new Map();
  for (const [child, { parent }] of processes()) {
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const found = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as ended. */
export function isRunning(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  const fields = statFields(pid);
  return fields === null ? !existsProc() : fields[0] !== 'Z';
}

function existsProc() {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
}

/** The command line of `pid`, for messages; empty if unknown. */
export function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * Remembers processes as they appear under a root, so that those still running after it ended —
 * re-parented by then, so no longer found from it — can be told apart from unrelated ones that
 * happen to get a recycled pid.
 */
export class ProcessWatch {
  constructor(root) {
    this.root = root;
    this.seen = new Map();
    this.look();
  }

  /** Adds whatever runs under the root now. */
  look() {
    for (const pid of [this.root, ...descendants(this.root)]) {
      const id = identity(pid);
      if (id && !this.seen.has(pid)) this.seen.set(pid, id);
    }
  }

  /** Those seen that still run (same pid and start time), the root included. */
  running() {
    return [...this.seen].filter(([pid, id]) => identity(pid) === id && isRunning(pid)).map(([pid]) => pid);
  }
}

/** Sends `name` to `pids`, everything under them and the process groups they lead, at once. */
export function signalTrees(pids, name) {
  const all = new Set(pids);
  for (const pid of pids) for (const child of descendants(pid)) all.add(child);
  signal(all, name);
}

function signal(pids, name) {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        // -pid reaches the process group `pid` leads (Chromium's, a detached server's), if any.
        process.kill(target, name);
      } catch {
        // already gone, or not a group leader
      }
    }
  }
}

/** Resolves once none of `pids` runs, or false after `ms`. Polls: a process's end has no event. */
async function ended(pids, ms) {
  const until = Date.now() + ms;
  for (;;) {
    if (!pids.some(isRunning)) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Ends `pids` and everything under them: SIGTERM (so a test process can stop its own servers),
 * then SIGKILL for whatever still runs after `graceMs`. The tree is read before anything is
 * signalled: a process whose parent dies is re-parented and no longer found from it. Resolves with
 * every pid it signalled.
 */
export async function endProcesses(pids, { graceMs = 5000 } = {}) {
  const all = new Set(pids);
  for (const pid of pids) for (const child of descendants(pid)) all.add(child);
  signal(all, 'SIGTERM');
  if (!(await ended([...all], graceMs))) {
    // Anything they started meanwhile goes too.
    for (const pid of [...all]) for (const child of descendants(pid)) all.add(child);
    signal(all, 'SIGKILL');
    await ended([...all], 5000);
  }
  return [...all];
}

/**
 * A deadline from the environment, in seconds (`fallback` when unset), as milliseconds. Anything
 * but a number above 0 ends the process with a message: a typo must not mean "no deadline".
 */
export function secondsFromEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) {
    console.error(`${name} must be a number of seconds above 0, got "${process.env[name]}"`);
    process.exit(2);
  }
  return value * 1000;
}
