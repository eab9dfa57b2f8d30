// Crash history: the last HISTORY_SIZE ends of one process, newest first, each with the run's
// last lines of output (kept by logging/output-tail.ts). In memory only: it explains recent
// crashes, it is not an audit log (a reload or a restart of the daemon starts it afresh).

import type { ProcessEnd } from '../api/control-api.js';
import type { RunEnd } from '../process/machine.js';
import type { RunLines } from '../process/runner.js';

export const HISTORY_SIZE = 10;

/** One end as history tells it. */
export interface HistoryEntry {
  readonly end: RunEnd;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

const NO_LINES: RunLines = { lines: () => [], whenClosed: (fn) => { fn(); } };

interface Kept {
  readonly end: RunEnd;
  /** The run's tails: read when asked, so output the run wrote just before its exit, read after it, is there too. */
  readonly output: RunLines;
}

export class CrashHistory {
  private kept: Kept[] = [];

  record(end: RunEnd, output: RunLines | null): void {
    this.kept = [{ end, output: output ?? NO_LINES }, ...this.kept].slice(0, HISTORY_SIZE);
  }

  /** The newest end alone, its output left unread (for /metrics' last exit code). */
  latest(): RunEnd | undefined {
    return this.kept[0]?.end;
  }

  /** Newest first. */
  entries(): HistoryEntry[] {
    return this.kept.map(({ end, output }) => ({ end, stdout: output.lines('stdout'), stderr: output.lines('stderr') }));
  }
}

/** An entry as the control API gives it (getProcessHistory). */
export function processEnd(name: string, group: string, { end, stdout, stderr }: HistoryEntry): ProcessEnd {
  return {
    name, group, pid: end.pid,
    start: Math.floor(end.startedAt / 1000), stop: Math.floor(end.endedAt / 1000), duration_ms: Math.max(0, end.endedAt - end.startedAt),
    exitstatus: end.exitCode ?? -1, signal: end.signal ?? '', description: end.description, expected: end.expected,
    stopped_for: end.stoppedFor ?? '', statename: end.stateAfter, stdout, stderr,
  };
}
