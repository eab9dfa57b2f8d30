// supervisord's make_allfunc: run one operation per process and report each outcome as
// {name, group, status, description}. supervisord lists first the outcomes known at once
// (failures, and successes with wait=false), then those it had to wait for, each part in the
// order it was given; when several waited ones finish it lists them as they finish, which varies
// from run to run for `stop`. We keep the two parts and list each in the given order (the waited
// part sorted by `waitedOrder` first, when given), so the same command prints the same lines
// every time.

import type { ProcessResult } from '../api/control-api.js';
import { FAULTS, SupervisorError } from '../errors.js';
import type { ProcessRunner } from '../process/runner.js';

interface Outcome {
  readonly runner: ProcessRunner;
  readonly result: ProcessResult;
  /** Settled before the first turn of the event loop: a fault or answer that needed no waiting. */
  readonly atOnce: boolean;
}

export async function runForEach(
  runners: readonly ProcessRunner[], operation: (runner: ProcessRunner) => Promise<unknown>,
  waitedOrder?: (a: ProcessRunner, b: ProcessRunner) => number,
): Promise<ProcessResult[]> {
  // Anything that waits for a child or a timer settles after this immediate has run.
  let atOnce = true;
  const firstTurn = setImmediate(() => {
    atOnce = false;
  });
  try {
    const outcomes = await Promise.all(runners.map(async (runner): Promise<Outcome> => {
      const { name, group } = runner.config;
      try {
        await operation(runner);
        return { runner, result: { name, group, status: FAULTS.SUCCESS.code, description: 'OK' }, atOnce };
      } catch (error) {
        if (!(error instanceof SupervisorError)) throw error;
        return { runner, result: { name, group, status: error.faultCode, description: error.faultString }, atOnce };
      }
    }));
    const waited = outcomes.filter((o) => !o.atOnce);
    // Array.prototype.sort is stable: ties keep the given order.
    if (waitedOrder !== undefined) waited.sort((a, b) => waitedOrder(a.runner, b.runner));
    return [...outcomes.filter((o) => o.atOnce), ...waited].map((o) => o.result);
  } finally {
    clearImmediate(firstTurn);
  }
}
