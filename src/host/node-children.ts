// The pids of the children Node itself is responsible for. libuv reaps those (waitpid on each of
// its own pids at SIGCHLD) and turns the status into ChildProcess 'exit'; if anyone else reaped
// one first, Node would never see that child exit. So the orphan reaper must never touch them.
//
// Every asynchronous child (spawn, exec, execFile, fork) is started by ChildProcess.prototype.spawn,
// which forks synchronously and sets .pid before returning, so no SIGCHLD handler can run in
// between. The pid is dropped at 'exit', which libuv emits only after it has reaped the child.
// spawnSync children are reaped inside the call, while no JavaScript (hence no reaper) runs.

import { ChildProcess } from 'node:child_process';

const pending = new Set<number>();
// Children the native spawner started (native-spawner.ts): collected by their own pidfd watch.
const claimed = new Set<number>();
let installed = false;

/** Starts recording Node's children (idempotent). Call before the first asynchronous spawn. */
export function trackNodeChildren(): void {
  if (installed) return;
  installed = true;
  // Not in @types/node, but public in lib/internal/child_process.js since Node 0.x and the one
  // path every asynchronous spawn takes.
  const proto = ChildProcess.prototype as unknown as { spawn: (this: ChildProcess, ...args: unknown[]) => unknown };
  const original = proto.spawn;
  proto.spawn = function spawn(this: ChildProcess, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    const { pid } = this;
    if (pid !== undefined) {
      pending.add(pid);
      this.once('exit', () => pending.delete(pid));
    }
    return result;
  };
}

/** Someone else collects `pid` (called before any JavaScript can run a scan), until released. */
export function claimChild(pid: number): void {
  claimed.add(pid);
}

/** `pid` was collected by whoever claimed it. */
export function releaseChild(pid: number): void {
  claimed.delete(pid);
}

/** True while `pid` is a child Node spawned (or one claimed) and has not yet reaped. */
export function isNodeChild(pid: number): boolean {
  return pending.has(pid) || claimed.has(pid);
}
