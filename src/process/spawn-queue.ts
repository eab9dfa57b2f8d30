// Spawns spread over event-loop turns. A spawn blocks the daemon's only thread: libuv forks and
// then waits until the child has exec'd (2-7 ms, growing with the daemon's RSS and fd table).
// Started straight from an exit handler, a crash loop of a few hundred programs asks for more
// spawn time than a second has: libuv then never leaves its signal-pipe loop (it keeps reading
// while SIGCHLD messages arrive faster than 32 per pass), so timers, sockets and SIGTERM wait
// for tens of seconds and closed children's pipes are not even read. Queued, at most `budgetMs`
// of spawning runs per turn; signals, exits, timers and control requests are served in between,
// and a crash loop is slowed to what the daemon can keep up with.

export interface TurnScheduler {
  /** Runs `fn` in a later event-loop turn, after pending I/O (setImmediate). */
  readonly later: (fn: () => void) => void;
  /** Monotonic milliseconds. */
  readonly now: () => number;
}

export const immediateScheduler: TurnScheduler = {
  later: (fn) => {
    setImmediate(fn);
  },
  now: () => performance.now(),
};

/**
 * Spawning time allowed per event-loop turn: keeps the loop's lag well under 50 ms. Each spawn
 * brings its own later work (its exit, its pipes' EOF, state changes and log lines) into later
 * turns, so the cheaper a spawn, the more of that a budget lets in: once the child no longer
 * copied the daemon's descriptor table, 8 ms let the soak's 1000 crash-looping programs spawn
 * 30-37k times a minute instead of 22k, and its lag p99 rose to 50-68 ms; 4 ms: 31-44 ms.
 */
export const SPAWN_BUDGET_MS = 4;

export class SpawnQueue {
  private readonly jobs: (() => void)[] = [];
  private scheduled = false;
  private readonly budgetMs: number;
  private readonly scheduler: TurnScheduler;

  constructor(budgetMs: number = SPAWN_BUDGET_MS, scheduler: TurnScheduler = immediateScheduler) {
    this.budgetMs = budgetMs;
    this.scheduler = scheduler;
  }

  get pending(): number {
    return this.jobs.length;
  }

  /** Runs `job` in a later turn, in the order pushed. */
  push(job: () => void): void {
    this.jobs.push(job);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduler.later(() => {
      this.scheduled = false;
      this.runTurn();
    });
  }

  /**
   * At least one job, then more while the next one, if it costs what the last one did, still
   * fits in the turn's budget; the rest wait for the next turn.
   */
  private runTurn(): void {
    const start = this.scheduler.now();
    try {
      for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
        const before = this.scheduler.now();
        job();
        const after = this.scheduler.now();
        if (after - start + (after - before) > this.budgetMs) break;
      }
    } finally {
      if (this.jobs.length > 0) this.schedule();
    }
  }
}
