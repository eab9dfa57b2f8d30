// Time for runners: wall-clock ms for the machine's arithmetic, and timers at absolute times.
// Tests substitute a FakeClock to prove what does (not) happen without waiting.

export type Cancel = () => void;

export interface Clock {
  now(): number;
  /** Calls `fn` once at (or just after) the absolute epoch-ms time `at`. */
  setTimer(at: number, fn: () => void): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    const handle = setTimeout(fn, Math.max(0, at - Date.now()));
    return () => {
      clearTimeout(handle);
    };
  },
};
