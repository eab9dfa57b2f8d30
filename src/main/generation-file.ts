// Keeps the record of running children (supervisor/generation.ts) next to the pid file, so that a
// daemon started after this one was SIGKILLed can stop what this one left running.

import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { liveStartTime } from '../host/proc-stat.js';
import { makeNamespec } from '../api/namespec.js';
import { serializeGeneration, type ChildRecord } from '../supervisor/generation.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/** `/run/supervisord.pid` -> `/run/supervisord.pid.children.json`. */
export function generationFileOf(pidfile: string): string {
  return `${pidfile}.children.json`;
}

/**
 * The longest a child spawned in a burst can be missing from the record. A daemon SIGKILLed in
 * that window leaves it for the next daemon to miss: a quarter second of a burst, against a full
 * rewrite of the record per event-loop turn.
 */
export const WRITE_INTERVAL_MS = 250;

export class GenerationFile {
  private readonly file: () => string;
  private readonly supervisor: Supervisor;
  private readonly onError: (message: string) => void;
  private readonly startTimes = new Map<number, string>();
  /** The rewrite waiting its turn, if any. */
  private pending: NodeJS.Timeout | null = null;
  private lastWriteAt = -Infinity;
  private failed = false;
  private off: (() => void) | null = null;

  constructor(file: () => string, supervisor: Supervisor, onError: (message: string) => void) {
    this.file = file;
    this.supervisor = supervisor;
    this.onError = onError;
  }

  /** Rewrites the record after state changes: at once after a quiet spell, and at most once per
   *  WRITE_INTERVAL_MS while they keep coming (1000 programs starting wrote it once per spawn
   *  turn: ~1.2 s of CPU in serialising and renameSync). */
  start(): void {
    this.off ??= this.supervisor.events.on('stateChanged', () => {
      this.schedule();
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.pending !== null) return;
    const run = (): void => {
      this.pending = null;
      // A record of no children (the one at start, or after everything stopped) does not hold
      // the next rewrite back: a burst's first spawn is written at once, not up to 250 ms later.
      if (this.write() > 0) this.lastWriteAt = performance.now();
    };
    const wait = this.lastWriteAt + WRITE_INTERVAL_MS - performance.now();
    this.pending = setTimeout(run, Math.max(0, wait));
  }

  private records(): ChildRecord[] {
    const live = new Set<number>();
    const children: ChildRecord[] = [];
    for (const runner of this.supervisor.runners()) {
      const { pid } = runner.snapshot;
      if (pid <= 0) continue;
      live.add(pid);
      let startTime = this.startTimes.get(pid);
      if (startTime === undefined) {
        startTime = liveStartTime(pid);
        if (startTime === undefined) continue;
        this.startTimes.set(pid, startTime);
      }
      const c = runner.config;
      children.push({
        namespec: makeNamespec(c.group, c.name), pid, startTime, priority: c.priority, stopSignal: c.stopSignal,
        stopWaitMs: c.stopWaitMs, stopAsGroup: c.stopAsGroup, killAsGroup: c.killAsGroup,
      });
    }
    for (const pid of this.startTimes.keys()) if (!live.has(pid)) this.startTimes.delete(pid);
    return children;
  }

  /** Rewrites the record; returns how many children it holds. */
  private write(): number {
    const file = this.file();
    const tmp = `${file}.tmp`;
    const children = this.records();
    try {
      // Written aside and renamed, so a daemon killed mid-write leaves the previous record whole.
      writeFileSync(tmp, serializeGeneration({ daemonPid: process.pid, children }), { mode: 0o600 });
      renameSync(tmp, file);
      this.failed = false;
    } catch (error) {
      if (!this.failed) this.onError(`could not write ${file}: ${(error as Error).message}; a daemon started after this one is SIGKILLed will not find its children`);
      this.failed = true;
    }
    return children.length;
  }

  /** At a clean exit nothing is left running: no record. */
  remove(): void {
    this.off?.();
    this.off = null;
    // A rewrite still waiting its turn would bring the record back after it is gone.
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
    rmSync(this.file(), { force: true });
  }
}
