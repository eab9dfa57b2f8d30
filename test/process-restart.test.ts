// Backoff schedule, startretries, autorestart/exitcodes and startsecs=0 with real children
// (reference §2.3–§2.5, log texts §5.3).
import { describe, expect, it } from 'vitest';
import type { AutoRestart } from '../src/config/schema.js';
import { fixture, groupOf, programConfig, startSupervisor, type Harness, type Transition } from './support/supervisor-harness.js';
import { waitUntil } from './support/wait.js';

const of = (h: Harness, name: string): Transition[] => h.transitions.filter((t) => t.name === name);
const startsOf = (h: Harness, name: string): number[] => of(h, name).filter((t) => t.to === 'STARTING').map((t) => t.at);
const spawnedLines = (h: Harness, name: string): string[] => h.logs.filter((l) => l.startsWith(`INFO spawned: '${name}' with pid `));

/** Measurement window: resolves if `name` changes state within `windowMs`, rejects if it stays put. */
async function expectNoStateChange(h: Harness, name: string, windowMs: number): Promise<void> {
  await expect(h.supervisor.events.waitFor('stateChanged', (c) => c.process.name === name, windowMs)).rejects.toThrow(/timed out/);
}

describe('backoff and startretries', () => {
  it('retries 1 s, 2 s, 3 s apart, ends FATAL, stays FATAL, and a manual start spawns again', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'quick', command: '/bin/true', startMs: 500, startRetries: 3 })])]);
    await h.waitForState('quick', 'FATAL', 15_000);
    const starts = startsOf(h, 'quick');
    expect(starts).toHaveLength(4);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? Number.NaN));
    gaps.forEach((gap, i) => {
      const want = (i + 1) * 1000;
      expect(gap, `gap ${i + 1} (all: ${gaps.join(', ')})`).toBeGreaterThanOrEqual(want - 50);
      expect(gap, `gap ${i + 1} (all: ${gaps.join(', ')})`).toBeLessThanOrEqual(want + 250);
    });
    expect(of(h, 'quick').map((t) => t.to)).toEqual(['STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL']);
    expect(h.logs).toContain('INFO gave up: quick entered FATAL state, too many start retries too quickly');
    expect(h.runner('quick').snapshot.spawnErr).toBe('Exited too quickly (process log may have details)');

    // FATAL is final: nothing happens on its own (the last backoff was 3 s; watch 1.5 s more).
    await expectNoStateChange(h, 'quick', 1500);
    expect(h.runner('quick').snapshot.state).toBe('FATAL');
    expect(spawnedLines(h, 'quick')).toHaveLength(4);

    // …but a manual start spawns again, counting backoff from scratch (give_up reset it).
    h.runner('quick').start();
    expect(h.runner('quick').snapshot.state).toBe('STARTING');
    await waitUntil(() => (spawnedLines(h, 'quick').length === 5 ? true : undefined), 5000, 'a fifth spawn');
    await h.waitForState('quick', 'BACKOFF');
    expect(of(h, 'quick').filter((t) => t.to === 'STARTING').at(-1)?.from).toBe('FATAL');
    expect(h.runner('quick').snapshot.backoff).toBe(1);
  }, 20_000);

  it('startretries=0: exactly one spawn, then FATAL', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'once', command: '/bin/true', startMs: 500, startRetries: 0 })])]);
    await h.waitForState('once', 'FATAL');
    expect(of(h, 'once').map((t) => t.to)).toEqual(['STARTING', 'BACKOFF', 'FATAL']);
    expect(spawnedLines(h, 'once')).toHaveLength(1);
    expect(h.logs).toContain('WARN exited: once (exit status 0; not expected)');
    expect(h.logs).toContain('INFO gave up: once entered FATAL state, too many start retries too quickly');
  });
});

describe('autorestart and exitcodes after an exit from RUNNING', () => {
  const cases: { autorestart: AutoRestart; exitcodes: string; code: string; expected: boolean; restarts: boolean }[] = [
    { autorestart: 'true', exitcodes: '0', code: '0', expected: true, restarts: true },
    { autorestart: 'true', exitcodes: '0', code: '3', expected: false, restarts: true },
    { autorestart: 'false', exitcodes: '0', code: '3', expected: false, restarts: false },
    { autorestart: 'false', exitcodes: '0', code: '0', expected: true, restarts: false },
    { autorestart: 'unexpected', exitcodes: '0', code: '0', expected: true, restarts: false },
    { autorestart: 'unexpected', exitcodes: '0', code: '3', expected: false, restarts: true },
    { autorestart: 'unexpected', exitcodes: '0,3', code: '3', expected: true, restarts: false },
  ];

  for (const { autorestart, exitcodes, code, expected, restarts } of cases) {
    it(`autorestart=${autorestart} exitcodes=${exitcodes}, exit ${code}: ${expected ? '' : 'not '}expected, ${restarts ? 'restarts' : 'stays EXITED'}`, async () => {
      const exitCodes = exitcodes.split(',').map(Number);
      const h = startSupervisor([groupOf([programConfig({
        name: 'x', command: fixture('exit-with.mjs', code, 400), startMs: 100, autorestart, exitCodes,
      })])]);
      await h.waitForState('x', 'EXITED');
      const exited = of(h, 'x').find((t) => t.to === 'EXITED');
      expect(exited?.from).toBe('RUNNING');
      expect(exited?.expected).toBe(expected);
      expect(h.logs).toContain(expected
        ? `INFO exited: x (exit status ${code}; expected)`
        : `WARN exited: x (exit status ${code}; not expected)`);
      if (restarts) {
        await waitUntil(() => (spawnedLines(h, 'x').length === 2 ? true : undefined), 5000, 'a second spawn');
        expect(of(h, 'x').map((t) => t.to).slice(0, 4)).toEqual(['STARTING', 'RUNNING', 'EXITED', 'STARTING']);
      } else {
        await expectNoStateChange(h, 'x', 300);
        const s = h.runner('x').snapshot;
        expect(s.state).toBe('EXITED');
        expect(s.exitStatus).toBe(Number(code));
        expect(s.spawnErr).toBe(expected ? null : `Bad exit code ${code}`);
        expect(spawnedLines(h, 'x')).toHaveLength(1);
      }
    });
  }

  it('autorestart=unexpected restarts after a signal death, even with the code listed', async () => {
    const h = startSupervisor([groupOf([programConfig({
      name: 'x', command: fixture('sleep-forever.mjs'), startMs: 100, autorestart: 'unexpected', exitCodes: [0, 1, 255],
    })])]);
    await h.waitForState('x', 'RUNNING');
    const firstPid = h.runner('x').snapshot.pid;
    process.kill(firstPid, 'SIGKILL');
    await waitUntil(() => (spawnedLines(h, 'x').length === 2 ? true : undefined), 5000, 'a second spawn');
    const exited = of(h, 'x').find((t) => t.to === 'EXITED');
    expect(exited?.expected).toBe(false);
    expect(h.logs).toContain('WARN exited: x (terminated by SIGKILL; not expected)');
    expect(of(h, 'x').map((t) => t.to).slice(0, 4)).toEqual(['STARTING', 'RUNNING', 'EXITED', 'STARTING']);
    expect(h.runner('x').snapshot.pid).not.toBe(firstPid);
  });
});

describe('startsecs=0', () => {
  it('is RUNNING as soon as the child is spawned', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'now', command: fixture('sleep-forever.mjs'), startMs: 0 })])], { autostart: false });
    h.runner('now').start();
    await h.waitForState('now', 'RUNNING');
    expect(of(h, 'now').map((t) => t.to)).toEqual(['STARTING', 'RUNNING']);
    expect(h.logs).toContain('INFO success: now entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)');
    await h.supervisor.shutdown();
    expect(h.runner('now').snapshot.state).toBe('STOPPED');
  });

  it('an immediate exit is an exit from RUNNING (EXITED, expected), never BACKOFF', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'blip', command: '/bin/true', startMs: 0, autorestart: 'false' })])]);
    await h.waitForState('blip', 'EXITED');
    expect(of(h, 'blip').map((t) => t.to)).toEqual(['STARTING', 'RUNNING', 'EXITED']);
    expect(of(h, 'blip').at(-1)?.expected).toBe(true);
    expect(h.logs).toContain('INFO exited: blip (exit status 0; expected)');
  });
});
