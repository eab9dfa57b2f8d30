// TICK_5 / TICK_60 / TICK_3600: supervisord's tick() sends one when the period's timeslice rolls
// over, `when` being the new slice's start in whole seconds. It checks once per loop turn (at
// least every second); here a timer fires at each 5-second boundary, where any of the three can roll.
// Only listener pools read ticks, so a Ticker runs its timer only while one subscribes to them: on
// an idle host each wake costs the daemon 1-5 ms of CPU (cold caches after seconds asleep; a bare
// Python or Node timer pays the same), which is most of what an idle supervisor spends.

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

/** Ticks that run only while wanted: switched by want(), ended by stop(). */
export class Ticker {
  private readonly clock: Clock;
  private readonly publish: (event: EngineEvent) => void;
  private cancel: Cancel | null = null;

  constructor(clock: Clock, publish: (event: EngineEvent) => void) {
    this.clock = clock;
    this.publish = publish;
  }

  get running(): boolean {
    return this.cancel !== null;
  }

  /**
   * Starts or stops the timer. A restart records the current slices afresh, which is what running
   * all along would have recorded: the first tick after it is the next boundary's, as supervisord's.
   */
  want(on: boolean): void {
    if (on && this.cancel === null) this.cancel = startTicks(this.clock, this.publish);
    else if (!on) this.stop();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
