import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../test/support/wait.js';
import type { Reaped } from './native-reaper.js';
import { startOrphanReaper } from './orphan-reaper.js';
import { parseStat } from './proc-stat.js';

describe('/proc reading for the orphan reaper', () => {
  it('takes the ppid after the last parenthesis, whatever the command name holds', () => {
    expect(parseStat('4242 (sleep) S 1 4242 4242 0 -1 4194304')?.ppid).toBe(1);
    expect(parseStat('77 (a) b (c) R 12 77 77 0 -1')?.ppid).toBe(12);
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('the orphan reaper', () => {
  it("looks again, without another SIGCHLD, at a pid reap() called busy (a child the native spawner was still handing over)", async () => {
    const answers: (Reaped | 'busy' | null)[] = ['busy', { pid: 4242, status: 3 << 8 }];
    const asked: number[] = [];
    const reaped: string[] = [];
    const reaper = startOrphanReaper({
      children: () => [4242],
      reap: (pid) => {
        asked.push(pid);
        return answers.shift() ?? null;
      },
      onReaped: (pid, how) => reaped.push(`${pid} ${how}`),
      minIntervalMs: 5,
    });
    try {
      await waitUntil(() => (reaped.length > 0 ? true : undefined), 2_000, 'the orphan reaped on the second look');
      expect(reaped).toEqual(['4242 exit status 3']);
      expect(asked).toEqual([4242, 4242]);
    } finally {
      reaper.stop();
    }
  });
});
