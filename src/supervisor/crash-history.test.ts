import { describe, expect, it } from 'vitest';
import type { RunEnd } from '../process/machine.js';
import { CrashHistory, HISTORY_SIZE, processEnd } from './crash-history.js';

const end = (pid: number, overrides: Partial<RunEnd> = {}): RunEnd => ({
  pid, startedAt: 1_700_000_000_250, endedAt: 1_700_000_003_900, exitCode: 1, signal: null, description: 'exit status 1',
  expected: false, stoppedFor: null, stateAfter: 'BACKOFF', ...overrides,
});

describe('crash history store', () => {
  it('keeps the newest HISTORY_SIZE ends, newest first', () => {
    const history = new CrashHistory();
    for (let pid = 1; pid <= HISTORY_SIZE + 1; pid++) history.record(end(pid), null);
    expect(history.entries().map((e) => e.end.pid)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  });

  it('reads a run\'s lines when asked: what came after the exit is there', () => {
    const lines = { stdout: ['a'], stderr: [] as string[] };
    const history = new CrashHistory();
    history.record(end(1), { lines: (channel) => lines[channel], whenClosed: (fn) => { fn(); } });
    lines.stderr = ['late'];
    expect(history.entries()[0]).toMatchObject({ stdout: ['a'], stderr: ['late'] });
  });

  it('gives the API an XML-RPC-friendly struct: seconds, ms, no nulls', () => {
    const entry = { end: end(7, { exitCode: null, signal: 'KILL', description: 'terminated by SIGKILL', stoppedFor: 'max_memory', stateAfter: 'STOPPED' }), stdout: [], stderr: ['x'] };
    expect(processEnd('web', 'grp', entry)).toEqual({
      name: 'web', group: 'grp', pid: 7, start: 1_700_000_000, stop: 1_700_000_003, duration_ms: 3650, exitstatus: -1, signal: 'KILL',
      description: 'terminated by SIGKILL', expected: false, stopped_for: 'max_memory', statename: 'STOPPED', stdout: [], stderr: ['x'],
    });
    expect(processEnd('a', 'a', { end: end(1), stdout: [], stderr: [] })).toMatchObject({ exitstatus: 1, signal: '', stopped_for: '' });
  });
});
