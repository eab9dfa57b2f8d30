// max_memory: the resident memory of a run's whole process tree, sampled from the spawn until the
// run is stopping or gone; above the limit the run is restarted (stopsignal, then start again).
// Sampling every 500 ms keeps the reaction within a second of the crossing with room to spare;
// programs without max_memory get no watch at all (supervisor/run-watches.ts).

import type { Cancel, Clock } from './clock.js';
import type { RunWatch } from './run-watch.js';

export const MEMORY_SAMPLE_MS = 500;

/** The next point of the 500 ms grid after `now`. Every watch samples on the same grid, so a
 *  hundred watched programs wake the daemon twice a second, not two hundred times: a wake-up
 *  costs more than the sample (100 watched programs: 1.7-2.7% of a core on the grid, 4.3-6.2%
 *  spread out, on a shared 2-core VM). */
export function nextSampleAt(now: number): number {
  return (Math.floor(now / MEMORY_SAMPLE_MS) + 1) * MEMORY_SAMPLE_MS;
}

export interface MemoryWatchDeps {
  readonly clock: Clock;
  /** Resident bytes of a pid and its descendants (host/proc-tree.ts); undefined once it is gone. */
  readonly treeRss: (pid: number) => number | undefined;
}

export interface MemoryWatch extends RunWatch {
  /** The current run's last sample in bytes (for metrics); 0 before the first and between runs. */
  readonly lastRssBytes: number;
}

const KB = 1024;
const MB = 1024 * KB;

/** A size as operators read it: MB above 10 MB, KB above 10 KB, else bytes (1024-based, as
 *  config sizes are). `decimals` is for telling two close sizes apart. */
export function formatSize(bytes: number, decimals = 0): string {
  if (bytes >= 10 * MB) return `${(bytes / MB).toFixed(decimals)} MB`;
  if (bytes >= 10 * KB) return `${(bytes / KB).toFixed(decimals)} KB`;
  return `${bytes} B`;
}

/** `web exceeded max_memory (612 MB > 512 MB): restarting`, with as many decimals as it takes
 *  for the sample not to read as the limit: `512.4 MB > 512.0 MB`, never `512 MB > 512 MB`. */
export function exceededMessage(name: string, rssBytes: number, limitBytes: number): string {
  const sizes = [0, 1, 2].map((d) => [formatSize(rssBytes, d), formatSize(limitBytes, d)] as const)
    .find(([rss, limit]) => rss !== limit) ?? [`${rssBytes} B`, `${limitBytes} B`];
  return `${name} exceeded max_memory (${sizes[0]} > ${sizes[1]}): restarting`;
}

export function memoryWatch(limitBytes: number, name: string, deps: MemoryWatchDeps): MemoryWatch {
  let lastRssBytes = 0;
  // The run being sampled: a stop from an earlier run must not touch a later one's sample.
  let current: object | null = null;
  return {
    during: 'alive',
    get lastRssBytes() {
      return lastRssBytes;
    },
    start(run, restart) {
      const token = {};
      current = token;
      lastRssBytes = 0;
      let cancel: Cancel | null = null;
      const sample = (): void => {
        cancel = null;
        if (current !== token) return;
        const rss = deps.treeRss(run.pid);
        // Gone: its exit is on the way and ends the run (and this watch).
        if (rss === undefined) return;
        lastRssBytes = rss;
        if (rss > limitBytes) {
          // Once per run: the restart stops it, and its stop ends this watch.
          restart('max_memory', exceededMessage(name, rss, limitBytes));
          return;
        }
        cancel = deps.clock.setTimer(nextSampleAt(deps.clock.now()), sample);
      };
      cancel = deps.clock.setTimer(nextSampleAt(deps.clock.now()), sample);
      return () => {
        cancel?.();
        cancel = null;
        if (current !== token) return;
        current = null;
        lastRssBytes = 0;
      };
    },
  };
}
