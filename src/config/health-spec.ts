// The keys that keep a running process healthy (tssupervisor extensions; supervisord ignores
// them): `healthcheck=` and its timings, `max_memory`, `backoff`, `backoff_max` and
// `fatal_retry_after`. Pure: text in, a value or a ValueProblem out.

import type { BackoffPolicy, HealthSpec } from './schema.js';
import { readySpec } from './ready-spec.js';
import { ValueProblem } from './value-problem.js';

/**
 * `healthcheck=`: the polled kinds of `ready=` only. notify and log: tell once that a process
 * started; neither can be asked again whether it is still well.
 */
export function healthSpec(text: string): HealthSpec {
  const spec = readySpec(text);
  if (spec.kind === 'notify' || spec.kind === 'log') {
    throw new ValueProblem(`'${text.trim()}' can only say a process started (use tcp:HOST:PORT, http://HOST:PORT/PATH, https://... or exec:COMMAND)`);
  }
  return spec;
}

/**
 * A duration in seconds, in ms. Fractions are allowed (`0.5`): a check every half second is a
 * reasonable thing to want, and these keys are ours, so supervisord's whole-seconds habit need
 * not bind them. `min` is in seconds.
 */
export function seconds(min: number): (text: string) => number {
  return (text) => {
    if (!/^\s*\d+(?:\.\d+)?\s*$/u.test(text)) throw new ValueProblem('not a number of seconds (e.g. 10 or 0.5)');
    const n = Number(text);
    if (n < min) throw new ValueProblem(`must be at least ${min} seconds`);
    return Math.round(n * 1000);
  };
}

export function backoffPolicy(text: string): BackoffPolicy {
  const lower = text.trim().toLowerCase();
  if (lower === 'linear' || lower === 'exponential') return lower;
  throw new ValueProblem('not a backoff policy (linear or exponential)');
}
