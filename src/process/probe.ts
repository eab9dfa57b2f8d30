// The probe seam for `ready=`: the runner starts a Probe for each run of a process and feeds the
// machine a `ready` event when it passes. Probes (src/process/probes/) do the I/O; the machine
// never runs one.

import type { ReadySpec } from '../config/schema.js';

export interface ProbeRun {
  readonly pid: number;
  readonly env: Readonly<Record<string, string>>;   // the child's environment
  readonly cwd: string | null;                      // the program's directory
  /** Output of this run, chunk by chunk (stdout and stderr), for log: probes. The chunk is only
   *  valid during the call (a shared read buffer): copy what you keep. Returns unsubscribe. */
  readonly watchOutput: (fn: (chunk: Buffer) => void) => () => void;
}

export interface Probe {
  /** `tcp:127.0.0.1:6380`, `http://…`, `exec:…`, `notify`, `log:…`. */
  readonly description: string;
  /** Extra environment for the child, asked just before each spawn (notify: NOTIFY_SOCKET). */
  environment(): Readonly<Record<string, string>>;
  /** Starts probing one run; calls ready() at most once; the returned function stops it all
   *  (timers, sockets, child processes of exec probes). Never throws; never blocks the loop. */
  start(run: ProbeRun, ready: () => void): () => void;
  /** The process's group is removed or the daemon exits: free what environment() made. */
  close(): void;
}

export type ProbeFactory = (spec: ReadySpec, process: { name: string; group: string }) => Probe;
