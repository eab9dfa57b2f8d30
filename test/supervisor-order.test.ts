// Groups and ordering with real children: numprocs, autostart in ascending priority, shutdown
// group by group in descending priority, each group fully stopped before the next (reference §1.7).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileChannel, fixture, groupOf, programConfig, startSupervisor } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { isGone, waitForFile } from './support/wait.js';

/** The `<epoch ms> SIGxxx` line signal-log.mjs appends when signalled. */
function signalledAt(text: string): number {
  const line = text.split('\n').find((l) => / SIG[A-Z0-9]+$/u.test(l));
  return Number(line?.split(' ')[0] ?? Number.NaN);
}

describe('numprocs', () => {
  it('three processes of one program all reach RUNNING with distinct pids', async () => {
    const procs = [0, 1, 2].map((n) => programConfig({
      name: `multi_0${n}`, programName: 'multi', processNum: n, numprocs: 3, command: '/bin/sleep 3600',
    }));
    const h = startSupervisor([groupOf(procs, 'multi')]);
    const names = procs.map((p) => p.name);
    await Promise.all(names.map((n) => h.waitForState(n, 'RUNNING')));
    const pids = names.map((n) => h.runner(n).snapshot.pid);
    expect(new Set(pids).size).toBe(3);
    for (const pid of pids) expect(isGone(pid)).toBe(false);
    expect(h.supervisor.groups.map((g) => [g.config.name, g.runners.map((r) => r.config.name)])).toEqual([['multi', names]]);
    expect(h.runner('multi_01').config.group).toBe('multi');
  });
});

describe('priority', () => {
  it('autostart spawns groups in ascending priority, ties by name', async () => {
    const sleeper = (name: string): ReturnType<typeof programConfig> => programConfig({ name, command: '/bin/sleep 3600' });
    const h = startSupervisor([
      groupOf([sleeper('alpha')], 'alpha', 300),
      groupOf([sleeper('delta')], 'delta', 200),
      groupOf([sleeper('beta')], 'beta', 200),
      groupOf([sleeper('gamma')], 'gamma', 100),
    ]);
    expect(h.transitions.filter((t) => t.to === 'STARTING').map((t) => t.name)).toEqual(['gamma', 'beta', 'delta', 'alpha']);
    await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map((n) => h.waitForState(n, 'RUNNING')));
  });

  it('shutdown stops groups in descending priority, each fully stopped before the next is signalled', async () => {
    const dir = tempDir();
    const lateOut = join(dir, 'late.out');
    const midFile = join(dir, 'mid.signals');
    const earlyFile = join(dir, 'early.signals');
    const h = startSupervisor([
      groupOf([programConfig({ name: 'early', command: fixture('signal-log.mjs', earlyFile) })], 'early', 100),
      groupOf([programConfig({
        name: 'late', command: fixture('ignore-sigterm.mjs'), stopWaitMs: 1000, stdout: fileChannel(lateOut),
      })], 'late', 900),
      groupOf([programConfig({ name: 'mid', command: fixture('signal-log.mjs', midFile) })], 'mid', 500),
    ]);
    await Promise.all([waitForFile(lateOut, /^READY/mu), waitForFile(midFile, /^READY/mu), waitForFile(earlyFile, /^READY/mu)]);
    await Promise.all(['early', 'mid', 'late'].map((n) => h.waitForState(n, 'RUNNING')));
    const from = h.transitions.length;

    await h.supervisor.shutdown();

    const stops = h.transitions.slice(from);
    expect(stops.map((t) => `${t.name} ${t.to}`)).toEqual([
      'late STOPPING', 'late STOPPED', 'mid STOPPING', 'mid STOPPED', 'early STOPPING', 'early STOPPED',
    ]);
    const at = (name: string, to: string): number => stops.find((t) => t.name === name && t.to === to)?.at ?? Number.NaN;
    // late ignored SIGTERM and needed the SIGKILL escalation a second later…
    expect(at('late', 'STOPPED') - at('late', 'STOPPING')).toBeGreaterThanOrEqual(950);
    expect(h.logs).toContain('WARN stopped: late (terminated by SIGKILL)');
    // …and only then did the next group's process receive its signal (the child's own clock).
    expect(signalledAt(await waitForFile(midFile, / SIGTERM$/mu))).toBeGreaterThanOrEqual(at('late', 'STOPPED'));
    expect(signalledAt(await waitForFile(earlyFile, / SIGTERM$/mu))).toBeGreaterThanOrEqual(at('mid', 'STOPPED'));
    expect(h.supervisor.runners().map((r) => r.snapshot.state)).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
  });

  it('within a group, shutdown signals the highest priority value first', async () => {
    const procs = [1, 3, 2].map((p) => programConfig({ name: `p${p}`, command: '/bin/sleep 3600', priority: p }));
    const h = startSupervisor([groupOf(procs, 'g')]);
    await Promise.all(procs.map((p) => h.waitForState(p.name, 'RUNNING')));
    const from = h.transitions.length;
    await h.supervisor.shutdown();
    expect(h.transitions.slice(from).filter((t) => t.to === 'STOPPING').map((t) => t.name)).toEqual(['p3', 'p2', 'p1']);
  });

  it('shutdown turns BACKOFF processes FATAL without retrying them', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'flap', command: '/bin/true', startMs: 500, startRetries: 5 })])]);
    await h.waitForState('flap', 'BACKOFF');
    await h.supervisor.shutdown();
    expect(h.runner('flap').snapshot.state).toBe('FATAL');
    expect(h.transitions.map((t) => t.to)).toEqual(['STARTING', 'BACKOFF', 'FATAL']);
    expect(h.logs.some((l) => l.startsWith('INFO gave up:'))).toBe(false);
  });
});
