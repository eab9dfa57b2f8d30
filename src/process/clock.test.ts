import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, systemClock } from './clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock.setTimer', () => {
  it('waits out a deadline past setTimeout\'s 24.8-day limit instead of firing at once (startsecs=9999999)', () => {
    vi.useFakeTimers({ now: 0 });
    const fired = vi.fn();
    const at = 3 * MAX_TIMER_MS + 5;
    systemClock.setTimer(at, fired);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('can be cancelled in any of those steps', () => {
    vi.useFakeTimers({ now: 0 });
    const fired = vi.fn();
    const cancel = systemClock.setTimer(2 * MAX_TIMER_MS, fired);
    vi.advanceTimersByTime(MAX_TIMER_MS + 10);
    cancel();
    vi.advanceTimersByTime(2 * MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
  });
});
