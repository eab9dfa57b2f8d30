// supervisord's make_allfunc: run one operation per process and report each outcome as
// {name, group, status, description}, in the order the outcomes arrive (failures that happen at
// once come before operations that had to wait, as in supervisord).

import type { ProcessResult } from '../api/control-api.js';
import { FAULTS, SupervisorError } from '../errors.js';
import type { ProcessRunner } from '../process/runner.js';

export async function runForEach(
  runners: readonly ProcessRunner[], operation: (runner: ProcessRunner) => Promise<unknown>,
): Promise<ProcessResult[]> {
  const results: ProcessResult[] = [];
  await Promise.all(runners.map(async (runner) => {
    const { name, group } = runner.config;
    try {
      await operation(runner);
      results.push({ name, group, status: FAULTS.SUCCESS.code, description: 'OK' });
    } catch (error) {
      if (!(error instanceof SupervisorError)) throw error;
      results.push({ name, group, status: error.faultCode, description: error.faultString });
    }
  }));
  return results;
}
