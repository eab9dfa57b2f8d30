// The memory side of child logs (log-file.ts): how many unwritten bytes they may hold before the
// children's pipes stop being read, and the reusable slabs those bytes are kept in.

/**
 * Queued bytes are copied into slabs of this size, reused from a small free list: a fresh Buffer
 * per pipe read would leave tens of MB of garbage behind a flooding child (see child-output's
 * shared read buffer), and one slab is also one write(2) of many chunks.
 */
const SLAB_BYTES = 1024 * 1024;
const FREE_SLABS_KEPT = 8;
const freeSlabs: Buffer[] = [];

export function takeSlab(atLeast: number): Buffer {
  if (atLeast > SLAB_BYTES) return Buffer.allocUnsafe(atLeast);
  return freeSlabs.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
}

export function giveSlab(slab: Buffer): void {
  if (slab.length === SLAB_BYTES && freeSlabs.length < FREE_SLABS_KEPT) freeSlabs.push(slab);
}

/**
 * How many bytes the child logs may hold before their pipes stop being read: per file and for
 * the whole daemon, so 1000 programs writing to a stuck disk hold `total`, not 1000 × `perFile`.
 */
export class WriteBudget {
  readonly perFile: number;
  readonly total: number;
  #held = 0;
  readonly #waiting = new Set<() => void>();

  constructor(perFile = 4 * 1024 * 1024, total = 32 * 1024 * 1024) {
    this.perFile = perFile;
    this.total = total;
  }

  get held(): number {
    return this.#held;
  }

  take(bytes: number): void {
    this.#held += bytes;
  }

  give(bytes: number): void {
    this.#held -= bytes;
    if (this.#held > this.total / 2) return;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const wake of waiting) wake();
  }

  /** True when a file holding `fileHeld` bytes may be given more now. */
  allows(fileHeld: number): boolean {
    return fileHeld < this.perFile && this.#held < this.total;
  }

  /** Calls `wake` once the daemon-wide hold has fallen to half the total. */
  whenFree(wake: () => void): void {
    this.#waiting.add(wake);
  }
}

export const defaultBudget = new WriteBudget();
