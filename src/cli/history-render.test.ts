import { describe, expect, it } from 'vitest';
import type { ProcessEnd } from '../api/control-api.js';
import { formatRan, historyLines } from './history-render.js';

/** Epoch seconds of a local time (the render shows local time, like status's stop times). */
const local = (h: number, m: number, s: number): number => Math.floor(new Date(2026, 11, 2, h, m, s).getTime() / 1000);

function end(overrides: Partial<ProcessEnd>): ProcessEnd {
  return {
    name: 'web', group: 'web', pid: 4242, start: local(2, 3, 18), stop: local(2, 3, 19), duration_ms: 350, exitstatus: 1, signal: '',
    description: 'exit status 1', expected: false, stopped_for: '', statename: 'BACKOFF', stdout: [], stderr: [], ...overrides,
  };
}

describe('history rendering', () => {
  it('puts each end on one line, newest first, its last lines under it', () => {
    expect(historyLines('web', [
      end({ stdout: ['listening on 8080'], stderr: ['Error: listen EADDRINUSE'] }),
      end({
        pid: 17, stop: local(1, 0, 0), duration_ms: 3_723_000, exitstatus: -1, signal: 'KILL', description: 'terminated by SIGKILL',
        stopped_for: 'unhealthy', statename: 'STOPPED',
      }),
      end({ pid: 9, stop: local(0, 30, 5), duration_ms: 12_340, exitstatus: 0, description: 'exit status 0', expected: true, stopped_for: 'stopped', statename: 'STOPPED' }),
    ])).toEqual([
      'web: last 3 ends, newest first',
      '2026-12-02 02:03:19  ran 0.35 s    pid 4242: exit status 1 (not expected) -> BACKOFF',
      '    stdout| listening on 8080',
      '    stderr| Error: listen EADDRINUSE',
      '2026-12-02 01:00:00  ran 1h02m03s  pid 17: terminated by SIGKILL (not expected), restarted: unhealthy (health check failed) -> STOPPED',
      '    (no output)',
      '2026-12-02 00:30:05  ran 12.3 s    pid 9: exit status 0 (expected), stopped on request -> STOPPED',
      '    (no output)',
    ]);
  });

  it('says when a process has not ended yet', () => {
    expect(historyLines('grp:a', [])).toEqual(['grp:a: no ends since the daemon started']);
  });

  it('names the other reasons a daemon stops a run', () => {
    expect(historyLines('m', [end({ stopped_for: 'max_memory' })])[1]).toContain(', restarted: above max_memory -> ');
    expect(historyLines('m', [end({ stopped_for: 'not ready' })])[1]).toContain(', stopped: not ready within ready_timeout -> ');
  });

  it('shows short runs to the hundredth, long ones in h/m/s', () => {
    expect([formatRan(0), formatRan(9_994), formatRan(59_900), formatRan(61_000), formatRan(90_061_000)])
      .toEqual(['0.00 s', '9.99 s', '59.9 s', '1m01s', '1d01h01m']);
  });
});
