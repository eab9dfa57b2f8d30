import { describe, expect, it } from 'vitest';
import { describeWaitStatus } from './native-reaper.js';

const names = (signo: number): string => (signo === 9 ? 'SIGKILL' : `signal ${signo}`);

describe('describeWaitStatus', () => {
  it('decodes Linux raw wait statuses as supervisord words them', () => {
    expect(describeWaitStatus(3 << 8, names)).toBe('exit status 3');
    expect(describeWaitStatus(0, names)).toBe('exit status 0');
    expect(describeWaitStatus(9, names)).toBe('terminated by SIGKILL');
    // A core dump sets 0x80; the signal is still the low 7 bits.
    expect(describeWaitStatus(0x80 | 11, names)).toBe('terminated by signal 11');
  });
});
