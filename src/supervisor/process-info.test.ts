import { describe, expect, it } from 'vitest';
import { initialSnapshot, type ProcessSnapshot } from '../process/machine.js';
import { formatStopTime, formatUptime, processInfo } from './process-info.js';

describe('formatUptime (Python timedelta text)', () => {
  it('writes H:MM:SS under a day', () => {
    expect(formatUptime(0)).toBe('0:00:00');
    expect(formatUptime(5)).toBe('0:00:05');
    expect(formatUptime(364)).toBe('0:06:04');
    expect(formatUptime(3600)).toBe('1:00:00');
    expect(formatUptime(86399)).toBe('23:59:59');
  });

  it('prefixes whole days, singular and plural', () => {
    expect(formatUptime(86400)).toBe('1 day, 0:00:00');
    expect(formatUptime(86400 + 2 * 3600 + 3 * 60 + 4)).toBe('1 day, 2:03:04');
    expect(formatUptime(5 * 86400 + 7 * 3600 + 18 * 60 + 14)).toBe('5 days, 7:18:14');
    expect(formatUptime(400 * 86400)).toBe('400 days, 0:00:00');
  });

  it('truncates fractions and clamps negatives to zero', () => {
    expect(formatUptime(59.999)).toBe('0:00:59');
    expect(formatUptime(-10)).toBe('0:00:00');
  });
});

describe('formatStopTime (strftime %b %d %I:%M %p, local time)', () => {
  it('writes month, zero-padded day, 12-hour time and AM/PM', () => {
    expect(formatStopTime(new Date(2024, 10, 25, 9, 1))).toBe('Nov 25 09:01 AM');
    expect(formatStopTime(new Date(2023, 0, 5, 0, 7))).toBe('Jan 05 12:07 AM');
    expect(formatStopTime(new Date(2023, 5, 30, 12, 30))).toBe('Jun 30 12:30 PM');
    expect(formatStopTime(new Date(2023, 11, 31, 23, 59, 59))).toBe('Dec 31 11:59 PM');
    expect(formatStopTime(new Date(2023, 8, 9, 13, 0))).toBe('Sep 09 01:00 PM');
  });
});

function info(snapshot: Partial<ProcessSnapshot>, nowMs: number, name = 'web') {
  return processInfo({
    name, group: 'g', snapshot: { ...initialSnapshot(), ...snapshot }, stdoutLogfile: '/logs/out', stderrLogfile: '/logs/err', nowMs,
  });
}

describe('processInfo (rpcinterface.py getProcessInfo / _interpretProcessInfo)', () => {
  it('describes RUNNING as pid and uptime from whole-second timestamps', () => {
    // start 1000.999 s truncates to 1000, now 1006.2 s to 1006: supervisord subtracts whole seconds.
    const running = info({ state: 'RUNNING', pid: 42, laststart: 1_000_999 }, 1_006_200);
    expect(running).toEqual({
      name: 'web', group: 'g', description: 'pid 42, uptime 0:00:06', start: 1000, stop: 0, now: 1006,
      state: 20, statename: 'RUNNING', spawnerr: '', exitstatus: 0, logfile: '/logs/out',
      stdout_logfile: '/logs/out', stderr_logfile: '/logs/err', pid: 42,
    });
    expect(info({ state: 'RUNNING', pid: 1, laststart: 0 }, (86400 + 7384) * 1000).description).toBe('pid 1, uptime 1 day, 2:03:04');
  });

  it('clamps a start in the future to uptime 0:00:00', () => {
    expect(info({ state: 'RUNNING', pid: 7, laststart: 2_000_000 }, 1_000_000).description).toBe('pid 7, uptime 0:00:00');
  });

  it('describes FATAL and BACKOFF by the spawn error, or asks to tail', () => {
    expect(info({ state: 'FATAL', spawnErr: "can't find command '/x'" }, 0)).toMatchObject({
      description: "can't find command '/x'", spawnerr: "can't find command '/x'", state: 200, statename: 'FATAL',
    });
    expect(info({ state: 'BACKOFF', spawnErr: 'Exited too quickly (process log may have details)' }, 0).description)
      .toBe('Exited too quickly (process log may have details)');
    expect(info({ state: 'BACKOFF', spawnErr: null }, 0, 'cron').description).toBe('unknown error (try "tail cron")');
    expect(info({ state: 'FATAL', spawnErr: '' }, 0, 'cron').description).toBe('unknown error (try "tail cron")');
  });

  it('describes STOPPED and EXITED by stop time once started, else Not started', () => {
    expect(info({ state: 'STOPPED' }, 5_000)).toMatchObject({ description: 'Not started', start: 0, stop: 0, now: 5, state: 0 });
    const stopMs = new Date(2024, 10, 25, 9, 1, 30).getTime();
    const exited = info({ state: 'EXITED', laststart: stopMs - 60_000, laststop: stopMs, exitStatus: 3 }, stopMs + 1000);
    expect(exited).toMatchObject({ description: 'Nov 25 09:01 AM', exitstatus: 3, state: 100, stop: Math.floor(stopMs / 1000) });
    expect(info({ state: 'STOPPED', laststart: stopMs - 1000, laststop: stopMs }, stopMs).description).toBe('Nov 25 09:01 AM');
  });

  it('leaves the description empty for STARTING, STOPPING and UNKNOWN', () => {
    for (const state of ['STARTING', 'STOPPING', 'UNKNOWN'] as const) {
      expect(info({ state, pid: 3, laststart: 1000 }, 2000).description).toBe('');
    }
    expect(info({ state: 'UNKNOWN' }, 0).state).toBe(1000);
  });

  it('reports exit status 0 when unknown, and caps timestamps at 2^31-1', () => {
    expect(info({ state: 'BACKOFF', exitStatus: null, spawnErr: 'x' }, 0).exitstatus).toBe(0);
    expect(info({ state: 'EXITED', exitStatus: -1 }, 0).exitstatus).toBe(-1);
    const far = info({ state: 'RUNNING', pid: 1, laststart: 3e12 }, 4e12);
    expect(far.start).toBe(2 ** 31 - 1);
    expect(far.now).toBe(2 ** 31 - 1);
  });
});

describe('a process held back by depends_on', () => {
  const input = { name: 'app', group: 'app', stdoutLogfile: '', stderrLogfile: '', nowMs: 1_700_000_000_000 };

  it('says what it waits for, so the stock supervisorctl shows it too', () => {
    expect(processInfo({ ...input, snapshot: initialSnapshot(), waitingFor: ['redisd_6380', 'web:app'] }).description)
      .toBe('waiting for redisd_6380, web:app');
  });

  it('keeps supervisord\'s description when it waits for nothing', () => {
    expect(processInfo({ ...input, snapshot: initialSnapshot(), waitingFor: [] }).description).toBe('Not started');
  });

  it('adds `unhealthy k/N: reason` to a RUNNING description while counted tries fail, and nothing else', () => {
    const snapshot = { ...initialSnapshot(), state: 'RUNNING' as const, pid: 123, laststart: input.nowMs - 600_000 };
    const health = { state: 'unhealthy' as const, failures: 2, retries: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:6380', lastCheckAt: 1 };
    const info = processInfo({ ...input, snapshot, health });
    expect(info.description).toBe('pid 123, uptime 0:10:00, unhealthy 2/3: connect ECONNREFUSED 127.0.0.1:6380');
    expect(Object.keys(info)).not.toContain('health');
    expect(processInfo({ ...input, snapshot, health: { ...health, state: 'healthy', failures: 0 } }).description).toBe('pid 123, uptime 0:10:00');
    expect(processInfo({ ...input, snapshot, health: null }).description).toBe('pid 123, uptime 0:10:00');
  });
});
