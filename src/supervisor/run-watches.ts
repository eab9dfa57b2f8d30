// The watches of a process's runs, from its config (see process/run-watch.ts): nothing for a
// program that asks for none, so supervisord's configs cost no timer, no probe, no /proc read.

import type { ProcessConfig } from '../config/schema.js';
import { treeRss } from '../host/proc-tree.js';
import type { Clock } from '../process/clock.js';
import { healthWatch } from '../process/health.js';
import { memoryWatch } from '../process/memory-watch.js';
import { createCheck } from '../process/probes/index.js';
import type { RunWatch } from '../process/run-watch.js';

export interface RunWatchDeps {
  readonly clock: Clock;
  /** max_memory's sample of a process tree; default /proc (host/proc-tree.ts). */
  readonly treeRss?: (pid: number) => number | undefined;
}

/** What most processes have: one frozen empty list for all of them, not an array each. */
const NO_WATCHES: readonly RunWatch[] = Object.freeze([]);

export function runWatchesFor(process: ProcessConfig, deps: RunWatchDeps): readonly RunWatch[] {
  if (process.health === null && process.maxMemoryBytes <= 0) return NO_WATCHES;
  const watches: RunWatch[] = [];
  if (process.health !== null) watches.push(healthWatch(process.health, process.name, { clock: deps.clock, check: createCheck(process.health.probe) }));
  if (process.maxMemoryBytes > 0) {
    watches.push(memoryWatch(process.maxMemoryBytes, process.name, { clock: deps.clock, treeRss: deps.treeRss ?? ((pid) => treeRss(pid)) }));
  }
  return watches;
}
