// The loop of the polled probes (tcp:, http://, exec:): one try at a time, each with its own
// timeout, until one passes. A try starts `intervalMs` after the previous one started (or at once
// when that one took longer), so a failing try that answers at once (a refused loopback connect)
// costs one try per interval, never a busy loop, and a slow one is never overlapped by the next.
//
// Polling alone makes a probe late by half an interval on average (50 ms at 100 ms). But a server
// mostly says something when it starts serving (redis' `Ready to accept connections`, an app's
// `listening on …`), so tcp: and http:// probes are also nudged by the child's output: a chunk
// brings the next try forward to now, at most one try per NUDGE_GAP_MS, so a chatty child costs
// at most that many cheap tries while it starts, and a server that logs its listen is seen within
// a millisecond or two of it.

import type { CheckOutcome } from '../probe.js';

/** One try: passed, or why not. It must settle, and release all it holds, once `signal` aborts. */
export type Attempt = (signal: AbortSignal) => Promise<CheckOutcome>;

export interface PollTiming {
  readonly intervalMs: number;
  readonly tryTimeoutMs: number;
}

/** Subscribes `wake` to something that may mean "try now" (the child's output); returns unsubscribe. */
export type Nudges = (wake: () => void) => () => void;

/** The least time between the starts of two tries, however often the child is nudging. */
export const NUDGE_GAP_MS = 5;

/** Tries at once (in a later turn) and then every interval; ready() once one try passes. Returns stop. */
export function poll(attempt: Attempt, timing: PollTiming, ready: () => void, nudges?: Nudges): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: AbortController | undefined;
  // When the last try started, and whether output came while it ran (the next one is then due now).
  let lastStart = -Infinity;
  let nudged = false;
  let unsubscribe: (() => void) | undefined;
  const finish = (): void => {
    stopped = true;
    clearTimeout(timer);
    current?.abort();
    const off = unsubscribe;
    unsubscribe = undefined;
    off?.();
  };
  // When the next try is due (while none runs).
  let dueAt = 0;
  const schedule = (at: number): void => {
    clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(tryOnce, Math.max(0, at - performance.now()));
  };
  const tryOnce = (): void => {
    if (stopped) return;
    nudged = false;
    const started = performance.now();
    lastStart = started;
    const controller = new AbortController();
    current = controller;
    timer = setTimeout(() => { controller.abort(); }, timing.tryTimeoutMs);
    // An attempt that throws counts as a failed try: nothing reaches the caller.
    attempt(controller.signal).then((outcome) => outcome.ok, () => false).then((passed) => {
      clearTimeout(timer);
      current = undefined;
      // A try that settles late (it was aborted by stop) must not call ready().
      if (stopped) return;
      if (passed) {
        finish();
        ready();
        return;
      }
      schedule(started + (nudged ? NUDGE_GAP_MS : timing.intervalMs));
    }, () => undefined);
  };
  const wake = (): void => {
    if (stopped) return;
    if (current !== undefined) nudged = true;
    else if (lastStart + NUDGE_GAP_MS < dueAt) schedule(lastStart + NUDGE_GAP_MS);
  };
  schedule(0);
  if (nudges !== undefined) {
    try {
      unsubscribe = nudges(wake);
    } catch {
      // No nudges: plain polling.
    }
  }
  return finish;
}
