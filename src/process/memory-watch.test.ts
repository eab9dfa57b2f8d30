import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fakes.js';
import { exceededMessage, formatSize, memoryWatch, MEMORY_SAMPLE_MS, nextSampleAt } from './memory-watch.js';
import type { ProbeRun } from './probe.js';
import type { RestartCause } from './machine.js';

const MB = 1024 * 1024;
const run = (pid: number): ProbeRun => ({ pid, env: {}, cwd: null, watchOutput: () => () => undefined });

function setup(limit = 512 * MB) {
  const clock = new FakeClock();
  const rss = new Map<number, number>();
  const reads: number[] = [];
  const restarts: { cause: RestartCause; message: string }[] = [];
  const watch = memoryWatch(limit, 'web', {
    clock,
    treeRss: (pid) => {
      reads.push(clock.now());
      return rss.get(pid);
    },
  });
  const restart = (cause: RestartCause, message: string): void => {
    restarts.push({ cause, message });
  };
  return { clock, rss, reads, restarts, watch, restart };
}

describe('formatSize and the max_memory message', () => {
  it('MB above 10 MB, KB above 10 KB, bytes below', () => {
    expect(formatSize(612 * MB)).toBe('612 MB');
    expect(formatSize(10 * MB)).toBe('10 MB');
    expect(formatSize(10 * MB - 1)).toBe('10240 KB');
    expect(formatSize(10 * 1024)).toBe('10 KB');
    expect(formatSize(9000)).toBe('9000 B');
  });

  it('is the issue\'s line, with decimals only when rounding would make the two look equal', () => {
    expect(exceededMessage('web', 612 * MB, 512 * MB)).toBe('web exceeded max_memory (612 MB > 512 MB): restarting');
    expect(exceededMessage('web', 512.4 * MB, 512 * MB)).toBe('web exceeded max_memory (512.4 MB > 512.0 MB): restarting');
    expect(exceededMessage('web', 512 * MB + 1, 512 * MB)).toBe('web exceeded max_memory (536870913 B > 536870912 B): restarting');
  });
});

describe('memoryWatch', () => {
  it('samples every 500 ms, and restarts once above the limit', () => {
    const { clock, rss, reads, restarts, watch, restart } = setup();
    expect(watch.during).toBe('alive');
    const t0 = clock.now();
    rss.set(7, 100 * MB);
    watch.start(run(7), restart);
    expect(reads).toEqual([]);
    clock.advance(3 * MEMORY_SAMPLE_MS);
    expect(reads).toEqual([t0 + 500, t0 + 1000, t0 + 1500]);
    expect(watch.lastRssBytes).toBe(100 * MB);
    rss.set(7, 512 * MB); // at the limit is not above it
    clock.advance(MEMORY_SAMPLE_MS);
    expect(restarts).toEqual([]);
    rss.set(7, 612 * MB);
    clock.advance(MEMORY_SAMPLE_MS);
    expect(restarts).toEqual([{ cause: 'max_memory', message: 'web exceeded max_memory (612 MB > 512 MB): restarting' }]);
    expect(watch.lastRssBytes).toBe(612 * MB);
    // No second request, and no more reads, for that run.
    clock.advance(10 * MEMORY_SAMPLE_MS);
    expect(restarts).toHaveLength(1);
    expect(reads).toHaveLength(5);
  });

  it('stops reading when stopped (also twice), and a gone pid is no reason to restart', () => {
    const { clock, rss, reads, restarts, watch, restart } = setup();
    rss.set(7, 100 * MB);
    const stop = watch.start(run(7), restart);
    clock.advance(MEMORY_SAMPLE_MS);
    stop();
    stop();
    expect(watch.lastRssBytes).toBe(0);
    clock.advance(10 * MEMORY_SAMPLE_MS);
    expect(reads).toHaveLength(1);

    watch.start(run(8), restart); // pid 8 does not exist (anymore)
    clock.advance(10 * MEMORY_SAMPLE_MS);
    expect(reads).toHaveLength(2);
    expect(restarts).toEqual([]);
  });

  it('every watch samples on the same 500 ms grid, whenever its run started (one wake-up for all)', () => {
    const { clock, rss, reads, watch, restart } = setup();
    const other = memoryWatch(512 * MB, 'db', { clock, treeRss: (pid) => { reads.push(clock.now()); return rss.get(pid); } });
    rss.set(7, MB);
    rss.set(8, MB);
    const t0 = clock.now(); // on the grid
    clock.advance(130);
    watch.start(run(7), restart);
    clock.advance(240);
    other.start(run(8), restart);
    clock.advance(1000);
    expect(reads).toEqual([t0 + 500, t0 + 500, t0 + 1000, t0 + 1000]);
    expect(nextSampleAt(t0)).toBe(t0 + 500);
    expect(nextSampleAt(t0 + 499)).toBe(t0 + 500);
  });

  it('a late stop of an earlier run leaves the next run alone', () => {
    const { clock, rss, reads, watch, restart } = setup();
    rss.set(7, 100 * MB);
    rss.set(9, 200 * MB);
    const stopFirst = watch.start(run(7), restart);
    watch.start(run(9), restart);
    clock.advance(MEMORY_SAMPLE_MS);
    stopFirst();
    expect(watch.lastRssBytes).toBe(200 * MB);
    clock.advance(MEMORY_SAMPLE_MS);
    expect(reads).toHaveLength(2);
  });
});
