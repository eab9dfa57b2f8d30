// PID 1's duty Node does not do: collect every process the kernel re-parents to us. In a container
// (or `unshare --pid`) the supervisor is PID 1, and a program that forks background helpers and
// lets them go (`(sleep 1 &)`) leaves each one as our child once its parent exits; nobody waits
// for them, so they stay zombies and fill the pid table.
//
// Race-free by construction: we only ever waitpid() specific pids that are our direct children
// and NOT children Node spawned or the native spawner claimed (node-children.ts), so libuv's and
// the native spawner's own reaping of their children, and the exits the supervisor depends on,
// are untouched. waitpid(-1) would steal them.

import { readdirSync, readFileSync } from 'node:fs';
import { describeWaitStatus, signalNameOf, type ReapFn } from './native-reaper.js';
import { isNodeChild, trackNodeChildren } from './node-children.js';
import { listPids, procStat } from './proc-stat.js';

export interface OrphanReaper {
  stop(): void;
}

export interface OrphanReaperOptions {
  readonly reap: ReapFn;
  /** Called for each orphan collected (the daemon logs it at debug). */
  readonly onReaped?: (pid: number, how: string) => void;
  /** Minimum time between two scans; SIGCHLDs in between are coalesced into the next scan. */
  readonly minIntervalMs?: number;
  /** This process's direct children (directChildren; tests give their own). */
  readonly children?: () => number[];
}

/** Pids of this process's direct children (any thread's), from /proc; [] where it cannot tell. */
export function directChildren(): number[] {
  const pids: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return pids;
  }
  let readable = false;
  for (const task of tasks) {
    try {
      for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ')) {
        if (pid !== '' && pid !== '\n') pids.push(Number(pid));
      }
      readable = true;
    } catch {
      // A thread that ended since the listing has no children to report.
    }
  }
  return readable ? pids : childrenByScan();
}

/** Kernels built without CONFIG_PROC_CHILDREN: every /proc/<pid>/stat whose ppid is us. */
function childrenByScan(): number[] {
  const pids: number[] = [];
  for (const entry of listPids()) {
    if (procStat(entry)?.ppid === process.pid) pids.push(entry);
  }
  return pids;
}

function signalName(signo: number): string {
  return signalNameOf(signo) ?? `signal ${signo}`;
}

/**
 * Reaps orphans on SIGCHLD (Node's own SIGCHLD handling goes on alongside: libuv and
 * process.on('SIGCHLD') are separate listeners of one signal). A burst of exits becomes one scan:
 * the kernel merges pending SIGCHLDs anyway, so each scan looks at every child, not one per signal.
 */
export function startOrphanReaper(options: OrphanReaperOptions): OrphanReaper {
  trackNodeChildren();
  const minInterval = options.minIntervalMs ?? 20;
  const listChildren = options.children ?? directChildren;
  let timer: NodeJS.Timeout | null = null;
  let lastScan = 0;
  const scan = (): void => {
    // Cleared before reading /proc: a SIGCHLD during the scan schedules the next one.
    timer = null;
    lastScan = Date.now();
    let busy = false;
    for (const pid of listChildren()) {
      if (isNodeChild(pid)) continue;
      const done = options.reap(pid);
      if (done === 'busy') busy = true;
      if (done === null || done === 'busy') continue;
      options.onReaped?.(done.pid, describeWaitStatus(done.status, signalName));
    }
    // A pid the native spawner had not yet handed over may be an orphan after all: look again
    // once the throttle allows, without waiting for another SIGCHLD.
    if (busy) retry();
  };
  const retry = (): void => {
    if (timer !== null) return;
    timer = setTimeout(scan, minInterval);
    timer.unref();
  };
  const onSigchld = (): void => {
    const wait = lastScan + minInterval - Date.now();
    // Scan right here once the throttle allows: signal callbacks run in the same loop phase as
    // libuv's own child reaping, while timers can starve when the loop is saturated (a respawn
    // storm), so a pending timer never holds the next scan back past its time.
    if (wait <= 0) {
      if (timer !== null) clearTimeout(timer);
      scan();
      return;
    }
    if (timer !== null) return;
    timer = setTimeout(scan, wait);
    timer.unref();
  };
  process.on('SIGCHLD', onSigchld);
  // Orphans may already be waiting (re-parented before we listened).
  onSigchld();
  return {
    stop() {
      process.off('SIGCHLD', onSigchld);
      if (timer !== null) clearTimeout(timer);
    },
  };
}
