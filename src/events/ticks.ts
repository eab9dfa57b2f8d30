// TICK_5 / TICK_60 / TICK_3600: supervisord's tick() sends one when the period's timeslice rolls
// over, `when` being the new slice's start in whole seconds. It checks once per loop turn (at
// least every second); here a timer fires at each 5-second boundary, where any of the three can roll.

import type { Clock, Cancel } from '../process/clock.js';
import type { EngineEvent } from './types.js';

const PERIODS = [
  { seconds: 5, name: 'TICK_5' },
  { seconds: 60, name: 'TICK_60' },
  { seconds: 3600, name: 'TICK_3600' },
] as const;

/** supervisord.timeslice(): the start of the `period`-second slice holding `whenSeconds`. */
export function timeslice(period: number, whenSeconds: number): number {
  return Math.trunc(whenSeconds - (whenSeconds % period));
}

/** The tick events due at `nowMs` given the last slices seen (updated in place). */
export function dueTicks(last: Map<number, number>, nowMs: number): EngineEvent[] {
  const now = nowMs / 1000;
  const due: EngineEvent[] = [];
  for (const { seconds, name } of PERIODS) {
    const slice = timeslice(seconds, now);
    const previous = last.get(seconds);
    last.set(seconds, slice);
    // The first look only records where we are, as supervisord's "we just started up".
    if (previous !== undefined && previous !== slice) due.push({ name, at: nowMs, when: slice });
  }
  return due;
}

/** Publishes ticks from now on; returns the stop function. */
export function startTicks(clock: Clock, publish: (event: EngineEvent) => void): Cancel {
  const last = new Map<number, number>();
  dueTicks(last, clock.now());
  let cancel: Cancel = () => undefined;
  const arm = (): void => {
    const next = (timeslice(5, clock.now() / 1000) + 5) * 1000;
    cancel = clock.setTimer(next, () => {
      for (const event of dueTicks(last, clock.now())) publish(event);
      arm();
    });
  };
  arm();
  return () => {
    cancel();
  };
}
