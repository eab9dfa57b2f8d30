// The loop of the polled probes (tcp:, http://, exec:): one try at a time, each with its own
// timeout, until one passes. A try starts `intervalMs` after the previous one started (or at once
// when that one took longer), so a failing try that answers at once (a refused loopback connect)
// costs one try per interval, never a busy loop, and a slow one is never overlapped by the next.

/** One try: true when it passed. It must settle, and release all it holds, once `signal` aborts. */
export type Attempt = (signal: AbortSignal) => Promise<boolean>;

export interface PollTiming {
  readonly intervalMs: number;
  readonly tryTimeoutMs: number;
}

/** Tries at once (in a later turn) and then every interval; ready() once one try passes. Returns stop. */
export function poll(attempt: Attempt, timing: PollTiming, ready: () => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: AbortController | undefined;
  const tryOnce = (): void => {
    if (stopped) return;
    const started = performance.now();
    const controller = new AbortController();
    current = controller;
    timer = setTimeout(() => { controller.abort(); }, timing.tryTimeoutMs);
    // An attempt that throws counts as a failed try: nothing reaches the caller.
    attempt(controller.signal).catch(() => false).then((passed) => {
      clearTimeout(timer);
      current = undefined;
      // A try that settles late (it was aborted by stop) must not call ready().
      if (stopped) return;
      if (passed) {
        stopped = true;
        ready();
        return;
      }
      timer = setTimeout(tryOnce, Math.max(0, started + timing.intervalMs - performance.now()));
    }, () => undefined);
  };
  timer = setTimeout(tryOnce, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
    current?.abort();
  };
}
