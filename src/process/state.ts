// Process states and their groupings, mirroring supervisor/states.py (ProcessStates and the
// STOPPED_STATES / RUNNING_STATES / SIGNALLABLE_STATES tuples). The numeric codes are part of
// the XML-RPC surface (getProcessInfo.state) and of PROCESS_STATE_* events, so they must match.

export type ProcessState =
  | 'STOPPED'
  | 'STARTING'
  | 'RUNNING'
  | 'BACKOFF'
  | 'STOPPING'
  | 'EXITED'
  | 'FATAL'
  | 'UNKNOWN';

export const STATE_CODES = {
  STOPPED: 0,
  STARTING: 10,
  RUNNING: 20,
  BACKOFF: 30,
  STOPPING: 40,
  EXITED: 100,
  FATAL: 200,
  UNKNOWN: 1000,
} as const satisfies Readonly<Record<ProcessState, number>>;

export type ProcessStateCode = (typeof STATE_CODES)[ProcessState];

/** Not running and not about to be: `supervisorctl status` exits 3 for these. */
export const STOPPED_STATES: readonly ProcessState[] = ['STOPPED', 'EXITED', 'FATAL', 'UNKNOWN'];

/** "Started" from the operator's point of view: startProcess answers ALREADY_STARTED. */
export const RUNNING_STATES: readonly ProcessState[] = ['RUNNING', 'BACKOFF', 'STARTING'];

/** States in which a pid exists and may be signalled (STOPPING allowed since 4.2.2). */
export const SIGNALLABLE_STATES: readonly ProcessState[] = ['RUNNING', 'STARTING', 'STOPPING'];

const NAMES_BY_CODE: ReadonlyMap<number, ProcessState> = new Map(
  (Object.entries(STATE_CODES) as [ProcessState, number][]).map(([name, code]) => [code, name]),
);

/** getProcessStateDescription(): the name for a numeric code, or undefined if unknown. */
export function stateFromCode(code: number): ProcessState | undefined {
  return NAMES_BY_CODE.get(code);
}

export function isStoppedState(state: ProcessState): boolean {
  return STOPPED_STATES.includes(state);
}

export function isRunningState(state: ProcessState): boolean {
  return RUNNING_STATES.includes(state);
}

export function isSignallableState(state: ProcessState): boolean {
  return SIGNALLABLE_STATES.includes(state);
}
