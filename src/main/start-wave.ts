// When the daemon's start has really started its programs: startAutostart() asks for every start
// at once, but the spawns themselves are queued (process/spawn-queue.ts) and done over the next
// event-loop turns (1000 programs: about 1.3 s). The first wave is what is STARTING without a pid
// right after it: a program waiting for its depends_on is still STOPPED and is not waited for
// (that can take minutes). A spawn that fails leaves STARTING too (BACKOFF): it counts as done.

import type { ProcessState } from '../process/state.js';

export interface WaveMember {
  readonly snapshot: { readonly state: ProcessState; readonly pid: number };
}

const spawnPending = (r: WaveMember): boolean => r.snapshot.state === 'STARTING' && r.snapshot.pid === 0;

/** The members whose spawn has been asked for and not yet done. */
export function pendingSpawns<T extends WaveMember>(members: readonly T[]): T[] {
  return members.filter(spawnPending);
}

/** How often the wave is looked at: a few checks per spawn turn, never a busy loop. */
const POLL_MS = 10;

/**
 * Resolves once none of `wave` is STARTING without a pid any more, or after `timeoutMs` (a queue
 * slowed by a loaded machine must not hold the daemon's READY=1 back for ever).
 */
export async function spawnsDone(wave: readonly WaveMember[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (wave.some(spawnPending) && performance.now() < deadline) {
    await new Promise((resolve) => {
      setTimeout(resolve, POLL_MS);
    });
  }
}
