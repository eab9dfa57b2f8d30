// supervisorctl's exit statuses (supervisorctl.py LSBInitExitStatuses / LSBStatusExitStatuses)
// and its rule for turning one XML-RPC result code into the command's exit status.

import { FAULTS } from '../errors.js';

/** LSB init-script exit statuses: what every command but `status` reports. */
export const LSB_INIT = {
  SUCCESS: 0,
  GENERIC: 1,
  INVALID_ARGS: 2,
  UNIMPLEMENTED_FEATURE: 3,
  INSUFFICIENT_PRIVILEGES: 4,
  NOT_INSTALLED: 5,
  NOT_RUNNING: 7,
} as const;

/** LSB `status` exit statuses. */
export const LSB_STATUS = {
  NOT_RUNNING: 3,
  UNKNOWN: 4,
} as const;

/** Faults that mean "the program is dead": they exit NOT_RUNNING (7). */
export const DEAD_PROGRAM_FAULTS: readonly number[] = [
  FAULTS.SPAWN_ERROR.code,
  FAULTS.ABNORMAL_TERMINATION.code,
  FAULTS.NOT_RUNNING.code,
];

/** ProcessStates.STOPPED, EXITED, FATAL, UNKNOWN: `status` exits 3 when it lists one. */
export const STOPPED_STATES: readonly number[] = [0, 100, 200, 1000];

/** The RUNNING process state (fg only attaches to a RUNNING process). */
export const RUNNING_STATE = 20;

/**
 * Controller.set_exitstatus_from_xmlrpc_fault: SUCCESS and the command's ignored fault leave the
 * status alone, dead-program faults set 7, anything else 1.
 */
export function exitStatusAfterResult(current: number, faultCode: number, ignoredFaultCode: number | null = null): number {
  if (faultCode === ignoredFaultCode || faultCode === FAULTS.SUCCESS.code) return current;
  if (DEAD_PROGRAM_FAULTS.includes(faultCode)) return LSB_INIT.NOT_RUNNING;
  return LSB_INIT.GENERIC;
}
