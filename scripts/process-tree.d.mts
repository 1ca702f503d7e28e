// Types for process-tree.mjs, which the test harness (TypeScript) shares with scripts/test.mjs.

/** The live descendants of `pid`: its children, their children, and so on. */
export function descendants(pid: number): number[];
/** The live members of process group `pgid`. */
export function groupMembers(pgid: number): number[];
/** Sends `name` to `pids`, everything under them and the process groups they lead, at once. */
export function signalTrees(pids: readonly number[], name: NodeJS.Signals): void;
/** True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as ended. */
export function isRunning(pid: number): boolean;
/** The command line of `pid`, for messages; empty if unknown. */
export function commandLine(pid: number): string;
/** Remembers processes as they appear under a root; `running()` lists those still running. */
export class ProcessWatch {
  constructor(root: number);
  look(): void;
  running(): number[];
}
/** SIGTERM to `pids` and everything under them, SIGKILL after `graceMs`; resolves with every pid signalled. */
export function endProcesses(pids: readonly number[], options?: { graceMs?: number }): Promise<number[]>;
