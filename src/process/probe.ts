// The readiness probe of a program with `ready=` (tssupervisor extension): what the runner asks
// to learn when a started process really serves. The implementations are in probes/, one per kind.

import type { ReadySpec } from '../config/schema.js';

/** One try of a polled probe (tcp:, http://, exec:): passed, or why not, in words for an operator
 *  (`connect ECONNREFUSED 127.0.0.1:6380`): a health check shows the last reason in status. */
export type CheckOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export const PASSED: CheckOutcome = { ok: true };
export const failed = (reason: string): CheckOutcome => ({ ok: false, reason });

export interface ProbeRun {
  readonly pid: number;
  readonly env: Readonly<Record<string, string>>;   // the child's environment
  readonly cwd: string | null;                      // the program's directory
  /** Output of this run, chunk by chunk (stdout and stderr), for log: probes. The chunk is only
   *  valid during the call (a shared read buffer): copy what you keep. Returns unsubscribe. */
  readonly watchOutput: (fn: (chunk: Buffer, channel?: 'stdout' | 'stderr') => void) => () => void;
}
export interface Probe {
  /** `tcp:127.0.0.1:6380`, `http://…`, `exec:…`, `notify`, `log:…`. */
  readonly description: string;
  /** Extra environment for the child, asked just before each spawn (notify: NOTIFY_SOCKET). */
  environment(): Readonly<Record<string, string>>;
  /** Starts probing one run; calls ready() at most once; the returned function stops it all
   *  (timers, sockets, child processes of exec probes). Never throws; never blocks the loop.
   *  failed(reason), at most once and never after ready(), says this run's probe can never pass
   *  (a notify probe without the native addon or its socket, a pattern that is not a RegExp):
   *  the caller need not wait for ready_timeout. Both are called from a later event-loop turn. */
  start(run: ProbeRun, ready: () => void, failed?: (reason: string) => void): () => void;
  /** The process's group is removed or the daemon exits: free what environment() made. */
  close(): void;
}
export type ProbeFactory = (spec: ReadySpec, process: { name: string; group: string }) => Probe;

/** The text form of a spec, for messages (config/ready-spec.ts, where `ready=` is read). */
export { describeReady } from '../config/ready-spec.js';
