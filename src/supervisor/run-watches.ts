// The watches of a process's runs, from its config (see process/run-watch.ts): nothing for a
// program that asks for none, so supervisord's configs cost no timer, no probe, no /proc read.

import type { ProcessConfig } from '../config/schema.js';
import type { Clock } from '../process/clock.js';
import { healthWatch } from '../process/health.js';
import { createCheck } from '../process/probes/index.js';
import type { RunWatch } from '../process/run-watch.js';

export interface RunWatchDeps {
  readonly clock: Clock;
}

// healthcheck= (process/health.ts) and max_memory (process/memory-watch.ts) are added here.
export function runWatchesFor(process: ProcessConfig, deps: RunWatchDeps): readonly RunWatch[] {
  const watches: RunWatch[] = [];
  if (process.health !== null) watches.push(healthWatch(process.health, process.name, { clock: deps.clock, check: createCheck(process.health.probe) }));
  return watches;
}
