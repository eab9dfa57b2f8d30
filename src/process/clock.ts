// Time for runners: wall-clock ms for the machine's arithmetic, and timers at absolute times.
// Tests substitute a FakeClock to prove what does (not) happen without waiting.

export type Cancel = () => void;

export interface Clock {
  now(): number;
  /** Calls `fn` once at (or just after) the absolute epoch-ms time `at`. */
  setTimer(at: number, fn: () => void): Cancel;
}

/** setTimeout's longest delay (2^31 - 1 ms, ~24.8 days); a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    let handle: NodeJS.Timeout;
    // startsecs=9999999 or stopwaitsecs in the years is valid config: wait in steps, never early.
    const arm = (): void => {
      const delay = Math.max(0, at - Date.now());
      handle = delay > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, delay);
    };
    arm();
    return () => {
      clearTimeout(handle);
    };
  },
};
