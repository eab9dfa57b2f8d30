// What watches a run while it is up, beside the machine: a health check (while RUNNING), the
// max_memory sampler (from the spawn to the exit). The runner starts each watch when its phase
// begins and stops it when the phase ends (or the pid changes); a watch that finds the run must
// be restarted says so, and the machine does the rest (see the `restart` event).

import type { RestartCause } from './machine.js';
import type { ProbeRun } from './probe.js';

export type RestartRequest = (cause: RestartCause, message: string) => void;

export interface RunWatch {
  /** 'alive': from the spawn until the run is stopping or gone; 'running': while RUNNING. */
  readonly during: 'alive' | 'running';
  /** Starts watching one run; the returned function stops it all (timers, sockets, children) and
   *  may be called more than once. Never throws. restart() may be called at most once per run. */
  start(run: ProbeRun, restart: RestartRequest): () => void;
}
