// Crash history: the last HISTORY_SIZE ends of one process, newest first, each with the run's
// last lines of output (kept by logging/output-tail.ts). In memory only: it explains recent
// crashes, it is not an audit log (a reload or a restart of the daemon starts it afresh).

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

  /** Newest first. */
  entries(): HistoryEntry[] {
    return this.kept.map(({ end, output }) => ({ end, stdout: output.lines('stdout'), stderr: output.lines('stderr') }));
  }
}
