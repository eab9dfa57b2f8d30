import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fakes.js';
import type { HealthConfig } from '../config/schema.js';
import { FRESH, healthOf, SLOT_MS, healthSuffix, healthWatch, tally, type Tally } from './health.js';
import { failed, PASSED, type CheckOutcome, type ProbeRun } from './probe.js';
import type { RestartCause } from './machine.js';

const run: ProbeRun = { pid: 42, env: {}, cwd: null, watchOutput: () => () => undefined };
const config = (over: Partial<HealthConfig> = {}): HealthConfig => ({
  probe: { kind: 'tcp', host: '127.0.0.1', port: 1 }, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, ...over,
});
const settle = async (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

describe('tally', () => {
  const c = { retries: 3, startPeriodMs: 5000 };
  it('counts failures in a row, a pass resets them, and the third asks for a restart', () => {
    let t: Tally = FRESH;
    const step = (o: CheckOutcome, at = 10_000): boolean => {
      const next = tally(t, o, at, c);
      t = next.tally;
      return next.restart;
    };
    expect(step(failed('a'))).toBe(false);
    expect(step(failed('b'))).toBe(false);
    expect(t).toEqual({ failures: 2, lastError: 'b' });
    expect(step(PASSED)).toBe(false);
    expect(t).toEqual({ failures: 0, lastError: 'b' });
    expect(step(failed('c'))).toBe(false);
    expect(step(failed('d'))).toBe(false);
    expect(step(failed('e'))).toBe(true);
    expect(t.failures).toBe(3);
  });

  it('failures within the start period do not count, but say why', () => {
    const next = tally(FRESH, failed('refused'), 4999, c);
    expect(next).toEqual({ tally: { failures: 0, lastError: 'refused' }, restart: false });
    expect(tally(FRESH, failed('refused'), 5000, c).tally.failures).toBe(1);
  });

  it('any sequence: the count is the counted failures since the last pass, and restart comes exactly at retries', () => {
    fc.assert(fc.property(fc.array(fc.record({ ok: fc.boolean(), at: fc.nat(10_000) })), fc.integer({ min: 1, max: 5 }), (tries, retries) => {
      let t: Tally = FRESH;
      let expected = 0;
      for (const { ok, at } of tries) {
        const next = tally(t, ok ? PASSED : failed('x'), at, { retries, startPeriodMs: 5000 });
        if (ok) expected = 0;
        else if (at >= 5000) expected++;
        t = next.tally;
        if (t.failures !== expected || next.restart !== (expected >= retries)) return false;
        if (next.restart) return true;
      }
      return true;
    }));
  });
});

describe('healthSuffix', () => {
  it('says nothing while no counted failure, then `unhealthy k/N: reason`', () => {
    expect(healthSuffix(null)).toBeNull();
    expect(healthSuffix({ state: 'healthy', failures: 0, retries: 3, lastError: 'x', lastCheckAt: 1 })).toBeNull();
    expect(healthSuffix({ state: 'unhealthy', failures: 2, retries: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:6380', lastCheckAt: 1 }))
      .toBe('unhealthy 2/3: connect ECONNREFUSED 127.0.0.1:6380');
  });
});

/** A check whose answers the test scripts; each try is recorded with its start time. */
function scripted(clock: FakeClock, answers: (n: number) => CheckOutcome | 'hang'): {
  check: (r: ProbeRun, timeoutMs: number, signal: AbortSignal) => Promise<CheckOutcome>; tries: number[]; aborted: number;
} {
  const state = { tries: [] as number[], aborted: 0 };
  return {
    get tries() { return state.tries; },
    get aborted() { return state.aborted; },
    check: async (_r, _timeoutMs, signal) => {
      const n = state.tries.push(clock.now());
      const answer = answers(n);
      if (answer !== 'hang') return Promise.resolve(answer);
      return new Promise((resolve) => {
        signal.addEventListener('abort', () => { state.aborted++; resolve(failed('aborted')); });
      });
    },
  };
}

describe('healthWatch', () => {
  it('tries one interval after RUNNING, then every interval; restarts after exactly `retries` failures, once', async () => {
    const clock = new FakeClock();
    const s = scripted(clock, (n) => (n <= 2 ? PASSED : failed(`connect ECONNREFUSED 127.0.0.1:${n}`)));
    const watch = healthWatch(config(), 'web', { clock, check: s.check });
    const restarts: [RestartCause, string][] = [];
    const t0 = clock.now();
    watch.start(run, (cause, message) => { restarts.push([cause, message]); });
    expect(watch.status().state).toBe('unchecked');
    clock.advance(999);
    expect(s.tries).toHaveLength(0);
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(s.tries).toEqual([t0 + 1000, t0 + 2000, t0 + 3000, t0 + 4000]);
    expect(watch.status()).toMatchObject({ state: 'unhealthy', failures: 2, retries: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:4' });
    expect(healthOf([watch])).toMatchObject({ failures: 2 });
    expect(restarts).toHaveLength(0);
    clock.advance(1000);
    await settle();
    expect(restarts).toEqual([['unhealthy', 'unhealthy: web (3/3: connect ECONNREFUSED 127.0.0.1:5): restarting']]);
    // Stopped itself: no more tries, and status no longer counts.
    clock.advance(10_000);
    await settle();
    expect(s.tries).toHaveLength(5);
    expect(watch.status()).toMatchObject({ state: 'unchecked', failures: 0 });
  });

  it('a pass between failures resets the count', async () => {
    const clock = new FakeClock();
    const s = scripted(clock, (n) => (n === 3 ? PASSED : failed('no')));
    const watch = healthWatch(config({ retries: 3 }), 'web', { clock, check: s.check });
    let restarts = 0;
    watch.start(run, () => { restarts++; });
    for (let i = 0; i < 4; i++) { clock.advance(1000); await settle(); }
    expect(watch.status().failures).toBe(1);
    expect(watch.status().state).toBe('unhealthy');
    clock.advance(1000); await settle();
    expect(restarts).toBe(0);
    clock.advance(1000); await settle();
    expect(restarts).toBe(1);
    expect(s.tries).toHaveLength(6);
  });

  it('failures within start_period do not count, the state says starting', async () => {
    const clock = new FakeClock();
    const s = scripted(clock, () => failed('not yet'));
    const watch = healthWatch(config({ retries: 2, startPeriodMs: 3500 }), 'web', { clock, check: s.check });
    let restarts = 0;
    watch.start(run, () => { restarts++; });
    for (let i = 0; i < 3; i++) { clock.advance(1000); await settle(); }
    expect(watch.status()).toMatchObject({ state: 'starting', failures: 0, lastError: 'not yet' });
    clock.advance(1000); await settle();
    expect(watch.status().failures).toBe(1);
    clock.advance(1000); await settle();
    expect(restarts).toBe(1);
    expect(s.tries).toHaveLength(5);
  });

  it('never overlaps tries: a slow one delays the next; stop aborts the one in flight, and nothing counts after', async () => {
    const clock = new FakeClock();
    let release: ((o: CheckOutcome) => void) | undefined;
    const tries: number[] = [];
    let aborted = 0;
    const watch = healthWatch(config(), 'web', {
      clock,
      check: async (_r, _t, signal) => {
        tries.push(clock.now());
        // The signal is the run's: a try that settled must not count the stop's abort.
        return new Promise((resolve) => {
          let pending = true;
          release = (o): void => { pending = false; resolve(o); };
          signal.addEventListener('abort', () => { if (pending) aborted++; resolve(failed('aborted')); });
        });
      },
    });
    const t0 = clock.now();
    let restarts = 0;
    const stop = watch.start(run, () => { restarts++; });
    clock.advance(1000);
    clock.advance(2500);
    expect(tries).toEqual([t0 + 1000]);
    release?.(PASSED);
    await settle();
    // It ended 2.5 s after it started: the next try is due at once.
    clock.advance(0);
    expect(tries).toEqual([t0 + 1000, t0 + 3500]);
    stop();
    stop();
    expect(aborted).toBe(1);
    await settle();
    clock.advance(10_000);
    await settle();
    expect(tries).toHaveLength(2);
    expect(restarts).toBe(0);
    expect(watch.status()).toMatchObject({ state: 'unchecked', lastCheckAt: t0 + 3500 });
  });

  it('a new run starts from a fresh count; a check that throws is a failed try', async () => {
    const clock = new FakeClock();
    const watch = healthWatch(config({ retries: 5 }), 'web', { clock, check: async () => Promise.reject(new Error('boom')) });
    const stop = watch.start(run, () => undefined);
    for (let i = 0; i < 2; i++) { clock.advance(1000); await settle(); }
    expect(watch.status()).toMatchObject({ failures: 2, lastError: 'Error: boom' });
    stop();
    watch.start({ ...run, pid: 43 }, () => undefined);
    expect(watch.status()).toMatchObject({ state: 'unchecked', failures: 0, lastError: null });
  });

  it('puts tries on a SLOT_MS grid, so the checks of many programs share a wake-up', async () => {
    const clock = new FakeClock();
    const s = scripted(clock, () => PASSED);
    const watches = [3, 10, 20].map((offset) => {
      clock.advance(offset);
      const watch = healthWatch(config(), 'web', { clock, check: s.check });
      watch.start(run, () => undefined);
      return watch;
    });
    for (let i = 0; i < 3; i++) { clock.advance(1000); await settle(); }
    expect(watches).toHaveLength(3);
    // Started at +3, +13 and +33 ms, all within one slot: each round's three tries share an instant.
    expect(s.tries).toHaveLength(6);
    for (const t of s.tries) expect(t % SLOT_MS).toBe(0);
    expect(new Set(s.tries).size).toBe(2);
  });

  it('healthOf finds only a health watch', () => {
    expect(healthOf([{ during: 'alive', start: () => () => undefined }])).toBeNull();
  });
});
