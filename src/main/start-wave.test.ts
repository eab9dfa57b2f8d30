import { describe, expect, it } from 'vitest';
import type { ProcessState } from '../process/state.js';
import { pendingSpawns, spawnsDone } from './start-wave.js';

const member = (state: ProcessState, pid: number): { snapshot: { state: ProcessState; pid: number } } => ({ snapshot: { state, pid } });

describe('the first wave of spawns', () => {
  it('is what is STARTING without a pid: not a spawned one, not one waiting STOPPED for its depends_on', () => {
    const queued = member('STARTING', 0);
    expect(pendingSpawns([queued, member('STARTING', 42), member('STOPPED', 0), member('BACKOFF', 0), member('RUNNING', 7)])).toEqual([queued]);
  });

  it('is done once each got a pid or left STARTING (a failed spawn), or at the deadline', async () => {
    const a = member('STARTING', 0);
    const b = member('STARTING', 0);
    setTimeout(() => {
      a.snapshot.pid = 10;
    }, 20);
    setTimeout(() => {
      b.snapshot.state = 'BACKOFF';
    }, 40);
    const t0 = performance.now();
    await spawnsDone([a, b], 5000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect(performance.now() - t0).toBeLessThan(1000);
    const stuck = member('STARTING', 0);
    const t1 = performance.now();
    await spawnsDone([stuck], 50);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(45);
  });
});
