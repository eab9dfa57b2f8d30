import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { failed, PASSED } from '../probe.js';
import { NUDGE_GAP_MS, poll, type Attempt } from './poll.js';

// Fake timers and a fake performance clock: the schedule is checked exactly, with no real waits.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the fake clock on by `ms` (no real waiting), running the timers and promise callbacks it releases. */
const elapse = async (ms: number): Promise<void> => { await vi.advanceTimersByTimeAsync(ms); };

/** An attempt that records each try and answers as told (true: passed). */
function recorder(answer: (n: number, signal: AbortSignal) => Promise<boolean>): { attempt: Attempt; tries: number[]; aborted: number[] } {
  const tries: number[] = [];
  const aborted: number[] = [];
  return {
    tries, aborted,
    attempt: async (signal) => {
      const n = tries.push(performance.now());
      signal.addEventListener('abort', () => { aborted.push(n); });
      return (await answer(n, signal)) ? PASSED : failed(`try ${n} failed`);
    },
  };
}

describe('poll', () => {
  it('tries in a later turn, then once per interval (counted from each try\'s start), until one passes', async () => {
    const r = recorder(async (n) => Promise.resolve(n === 4));
    let ready = 0;
    poll(r.attempt, { intervalMs: 40, tryTimeoutMs: 1000 }, () => { ready++; });
    expect(r.tries).toHaveLength(0);
    await elapse(300);
    expect(r.tries).toHaveLength(4);
    expect(ready).toBe(1);
    const gaps = r.tries.slice(1).map((t, i) => t - (r.tries[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(39);
  });

  it('aborts a try at its timeout and starts the next one', async () => {
    const r = recorder(async (_n, signal) => new Promise((resolve) => {
      signal.addEventListener('abort', () => { resolve(false); });
    }));
    const stop = poll(r.attempt, { intervalMs: 10, tryTimeoutMs: 50 }, () => undefined);
    await elapse(180);
    stop();
    expect(r.tries.length).toBeGreaterThanOrEqual(2);
    expect(r.aborted.length).toBe(r.tries.length);
    // One try at a time: each started after the previous was aborted, 50 ms later.
    const gaps = r.tries.slice(1).map((t, i) => t - (r.tries[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(49);
  });

  it('stop aborts the try in flight, and a try that passes after the stop never calls ready()', async () => {
    let pass: ((passed: boolean) => void) | undefined;
    const r = recorder(async () => new Promise((resolve) => { pass = resolve; }));
    let ready = 0;
    const stop = poll(r.attempt, { intervalMs: 10, tryTimeoutMs: 1000 }, () => { ready++; });
    await elapse(20);
    stop();
    expect(r.aborted).toEqual([1]);
    pass?.(true);
    await elapse(30);
    expect(ready).toBe(0);
    expect(r.tries).toHaveLength(1);
  });

  it('a try that throws is a failed try, not an exception for the caller', async () => {
    const r = recorder(async (n) => {
      if (n < 3) throw new Error('boom');
      return Promise.resolve(true);
    });
    let ready = 0;
    poll(r.attempt, { intervalMs: 5, tryTimeoutMs: 100 }, () => { ready++; });
    await elapse(100);
    expect(r.tries).toHaveLength(3);
    expect(ready).toBe(1);
  });

  it('a nudge brings the next try forward, at most one try per NUDGE_GAP_MS; a nudge during a try makes the next one due at once', async () => {
    const r = recorder(async (n) => new Promise((resolve) => { setTimeout(() => { resolve(n === 4); }, n === 2 ? 30 : 0); }));
    let wake: (() => void) | undefined;
    let unsubscribed = false;
    let ready = 0;
    poll(r.attempt, { intervalMs: 10_000, tryTimeoutMs: 1000 }, () => { ready++; }, (w) => {
      wake = w;
      return () => { unsubscribed = true; };
    });
    await elapse(5);
    expect(r.tries).toHaveLength(1);
    // Many nudges at once: one try, NUDGE_GAP_MS after the first.
    for (let i = 0; i < 10; i++) wake?.();
    await elapse(NUDGE_GAP_MS + 10);
    expect(r.tries).toHaveLength(2);
    expect((r.tries[1] ?? 0) - (r.tries[0] ?? 0)).toBeGreaterThanOrEqual(NUDGE_GAP_MS - 1);
    // Try 2 takes 30 ms; a nudge meanwhile makes try 3 follow it at once, not after 10 s.
    wake?.();
    await elapse(60);
    expect(r.tries).toHaveLength(3);
    wake?.();
    await elapse(NUDGE_GAP_MS + 15);
    expect(r.tries).toHaveLength(4);
    expect(ready).toBe(1);
    expect(unsubscribed).toBe(true);
    // After ready, nudges do nothing.
    wake?.();
    await elapse(NUDGE_GAP_MS + 10);
    expect(r.tries).toHaveLength(4);
  });
});
