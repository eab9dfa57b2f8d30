// healthcheck= (tssupervisor extension): while a process is RUNNING, one try of its check every
// healthcheck_interval; `retries` failed tries in a row restart it (the machine's `restart`
// event). The counting is pure (tally); healthWatch schedules the tries on the runner's Clock
// and keeps what status shows (`unhealthy 2/3: connect ECONNREFUSED 127.0.0.1:6380`).
//
// Timing follows Docker's habit: the first try one interval after RUNNING (a process that just
// became RUNNING was checked by ready= or startsecs a moment ago), tries never overlap, and the
// next starts one interval after the previous one started, or right after a try that took longer.

import type { HealthStatus } from '../api/health-status.js';
import type { HealthConfig } from '../config/schema.js';
import type { Cancel, Clock } from './clock.js';
import { failed, type CheckOutcome, type ProbeRun } from './probe.js';
import type { Check } from './probes/index.js';
import type { RunWatch } from './run-watch.js';

export type { HealthStatus } from '../api/health-status.js';

export interface Tally {
  readonly failures: number;
  readonly lastError: string | null;
}

export const FRESH: Tally = { failures: 0, lastError: null };

/**
 * One try's outcome counted: a pass resets the count; a failure counts unless it ended within
 * `startPeriodMs` of RUNNING (`sinceRunningMs`); `restart` once the count reaches `retries`.
 */
export function tally(prev: Tally, outcome: CheckOutcome, sinceRunningMs: number, config: Pick<HealthConfig, 'retries' | 'startPeriodMs'>): { tally: Tally; restart: boolean } {
  if (outcome.ok) return { tally: { failures: 0, lastError: prev.lastError }, restart: false };
  const counts = sinceRunningMs >= config.startPeriodMs;
  const failures = counts ? prev.failures + 1 : prev.failures;
  return { tally: { failures, lastError: outcome.reason }, restart: failures >= config.retries };
}

/** The main-log line of a restart: `unhealthy: NAME (3/3: REASON): restarting`. */
export function unhealthyMessage(name: string, failures: number, retries: number, reason: string): string {
  return `unhealthy: ${name} (${failures}/${retries}: ${reason}): restarting`;
}

/** The status description's tail while failing: `unhealthy 2/3: REASON`; null when not failing. */
export function healthSuffix(status: HealthStatus | null): string | null {
  if (status === null || status.failures === 0) return null;
  return `unhealthy ${status.failures}/${status.retries}: ${status.lastError ?? 'unknown error'}`;
}

/**
 * Tries are due on a grid of SLOT_MS: the checks of many programs then start in the same turn
 * of the event loop, and the daemon wakes once for them all instead of once per program (with
 * 100 programs checked every second, the wake-ups were most of the cost). A try is at most that
 * much later than its interval says, nothing next to the shortest interval (0.1 s is allowed,
 * but 10 s is the default).
 */
export const SLOT_MS = 50;
const slot = (at: number): number => Math.ceil(at / SLOT_MS) * SLOT_MS;

export interface HealthWatch extends RunWatch {
  readonly during: 'running';
  status(): HealthStatus;
  /** Failed tries since the watch was made, in every run, start_period's included (for /metrics). */
  failedTries(): number;
}

export interface HealthWatchDeps {
  readonly clock: Clock;
  readonly check: Check;
}

/** The watches made here, so healthOf can tell them from the others (max_memory's). */
const made = new WeakSet<RunWatch>();

export function healthWatch(config: HealthConfig, name: string, deps: HealthWatchDeps): HealthWatch {
  const { clock, check } = deps;
  const watch = healthWatchOf(config, name, clock, check);
  made.add(watch);
  return watch;
}

function healthWatchOf(config: HealthConfig, name: string, clock: Clock, check: Check): HealthWatch {
  let watching = false;
  let runningAt = 0;
  let count = FRESH;
  let passed = false;
  let lastCheckAt = 0;
  let failedTries = 0;
  return {
    during: 'running',
    failedTries: () => failedTries,
    status(): HealthStatus {
      const { failures, lastError } = count;
      let state: HealthStatus['state'] = 'unchecked';
      if (watching && failures > 0) state = 'unhealthy';
      else if (watching && clock.now() - runningAt < config.startPeriodMs) state = 'starting';
      else if (watching && (passed || lastError !== null)) state = 'healthy';
      return { state, failures: watching ? failures : 0, retries: config.retries, lastError, lastCheckAt };
    },
    start(run: ProbeRun, restart) {
      let stopped = false;
      let timer: Cancel | null = null;
      // One per run, not per try (a try's own timeout is the check's business): a stop aborts the
      // try in flight, if any. AbortControllers showed up in the profile of 100 checks a second.
      const stopping = new AbortController();
      watching = true;
      runningAt = clock.now();
      count = { failures: 0, lastError: null };
      passed = false;
      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        watching = false;
        timer?.();
        timer = null;
        stopping.abort();
      };
      const tryOnce = (): void => {
        timer = null;
        if (stopped) return;
        const started = clock.now();
        // A check that throws is a failed try, not a watch that silently stops trying.
        check(run, config.timeoutMs, stopping.signal).catch((error: unknown) => failed(String(error))).then((outcome) => {
          // A try that ends after the stop (it was aborted) counts for nothing.
          if (stopped) return;
          const now = clock.now();
          lastCheckAt = now;
          if (!outcome.ok) failedTries++;
          const next = tally(count, outcome, now - runningAt, config);
          count = next.tally;
          passed = outcome.ok;
          if (next.restart) {
            // The run is over as far as this watch goes; the runner stops it when STOPPING.
            const reason = outcome.ok ? '' : outcome.reason;
            stop();
            restart('unhealthy', unhealthyMessage(name, count.failures, config.retries, reason));
            return;
          }
          timer = clock.setTimer(slot(Math.max(started + config.intervalMs, now)), tryOnce);
        }, () => undefined);
      };
      timer = clock.setTimer(slot(runningAt + config.intervalMs), tryOnce);
      return stop;
    },
  };
}

/** The health check among a process's watches, if it has one (for status). */
export function healthOf(watches: readonly RunWatch[]): HealthStatus | null {
  const watch = watches.find((w) => made.has(w));
  return watch === undefined ? null : (watch as HealthWatch).status();
}

/** The failed tries of the health check among a process's watches; null without one. */
export function healthFailuresOf(watches: readonly RunWatch[]): number | null {
  const watch = watches.find((w) => made.has(w));
  return watch === undefined ? null : (watch as HealthWatch).failedTries();
}
