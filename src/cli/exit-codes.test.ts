import { describe, expect, it } from 'vitest';
import { exitStatusAfterResult, LSB_INIT, LSB_STATUS } from './exit-codes.js';

describe('supervisorctl exit statuses', () => {
  it('has the LSB tables of supervisorctl.py', () => {
    expect(LSB_INIT).toEqual({ SUCCESS: 0, GENERIC: 1, INVALID_ARGS: 2, UNIMPLEMENTED_FEATURE: 3, INSUFFICIENT_PRIVILEGES: 4, NOT_INSTALLED: 5, NOT_RUNNING: 7 });
    expect(LSB_STATUS).toEqual({ NOT_RUNNING: 3, UNKNOWN: 4 });
  });

  it('applies set_exitstatus_from_xmlrpc_fault per result', () => {
    expect(exitStatusAfterResult(0, 80)).toBe(0); // SUCCESS leaves it
    expect(exitStatusAfterResult(1, 80)).toBe(1);
    expect(exitStatusAfterResult(0, 60, 60)).toBe(0); // the ignored fault (ALREADY_STARTED for start)
    expect(exitStatusAfterResult(0, 60)).toBe(1);
    expect(exitStatusAfterResult(0, 50)).toBe(7); // SPAWN_ERROR
    expect(exitStatusAfterResult(0, 40)).toBe(7); // ABNORMAL_TERMINATION
    expect(exitStatusAfterResult(0, 70)).toBe(7); // NOT_RUNNING
    expect(exitStatusAfterResult(7, 70, 70)).toBe(7);
    expect(exitStatusAfterResult(7, 10)).toBe(1); // the last non-ignored result wins
  });
});
