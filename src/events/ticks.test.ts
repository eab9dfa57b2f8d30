import { describe, expect, it } from 'vitest';
import type { Clock } from '../process/clock.js';
import { dueTicks, startTicks, Ticker, timeslice } from './ticks.js';
import type { EngineEvent } from './types.js';

describe('ticks (supervisord.tick)', () => {
  it('says nothing at the first look, then one event per period whose slice rolled over', () => {
    const last = new Map<number, number>();
    expect(dueTicks(last, 3_599_000)).toEqual([]);
    expect(dueTicks(last, 3_599_500)).toEqual([]);
    expect(dueTicks(last, 3_600_200).map((e) => [e.name, 'when' in e ? e.when : null])).toEqual([
      ['TICK_5', 3600], ['TICK_60', 3600], ['TICK_3600', 3600],
    ]);
    expect(dueTicks(last, 3_605_000).map((e) => e.name)).toEqual(['TICK_5']);
    expect(timeslice(5, 12.9)).toBe(10);
  });

  it('arms a timer at each 5 s boundary and publishes what is due', () => {
    let now = 1_000_001_000;
    const timers: { at: number; fn: () => void }[] = [];
    const clock: Clock = { now: () => now, setTimer: (at, fn) => { timers.push({ at, fn }); return () => undefined; } };
    const seen: EngineEvent[] = [];
    startTicks(clock, (e) => seen.push(e));
    expect(timers.map((t) => t.at)).toEqual([1_000_005_000]);
    now = 1_000_005_000;
    timers[0]?.fn();
    expect(seen).toEqual([{ name: 'TICK_5', at: now, when: 1_000_005 }]);
    expect(timers[1]?.at).toBe(1_000_010_000);
  });
});

describe('Ticker', () => {
  it('runs a timer only between want(true) and want(false)/stop(), recording the slices afresh on restart', () => {
    let now = 1_000_001_000;
    const timers: { at: number; fn: () => void; live: boolean }[] = [];
    const clock: Clock = {
      now: () => now,
      setTimer: (at, fn) => {
        const t = { at, fn, live: true };
        timers.push(t);
        return () => { t.live = false; };
      },
    };
    const seen: string[] = [];
    const ticker = new Ticker(clock, (e) => seen.push(e.name));
    ticker.want(false);
    expect(timers).toEqual([]);
    ticker.want(true);
    ticker.want(true);
    expect(timers.filter((t) => t.live).map((t) => t.at)).toEqual([1_000_005_000]);
    ticker.want(false);
    expect(ticker.running).toBe(false);
    expect(timers.filter((t) => t.live)).toEqual([]);
    now = 1_000_019_000;
    ticker.want(true);
    now = 1_000_020_000;
    const due = timers.filter((t) => t.live);
    expect(due.map((t) => t.at)).toEqual([1_000_020_000]);
    for (const t of due) {
      t.live = false;
      t.fn();
    }
    expect(seen).toEqual(['TICK_5', 'TICK_60']);
    expect(timers.filter((t) => t.live).map((t) => t.at)).toEqual([1_000_025_000]);
    ticker.stop();
    expect(timers.filter((t) => t.live)).toEqual([]);
  });
});
