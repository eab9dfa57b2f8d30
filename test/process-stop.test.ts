// Stopping real children: stopsignal, stopwaitsecs + SIGKILL escalation, stopping BACKOFF and
// STARTING processes, stopasgroup / killasgroup with a real grandchild (reference §2.3, §2.6).
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fileChannel, fixture, groupOf, programConfig, startSupervisor, type Harness, type Transition } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { goneWithin, isGone, killQuietly, waitForFile, waitGone, waitUntil } from './support/wait.js';

const of = (h: Harness, name: string): Transition[] => h.transitions.filter((t) => t.name === name);
const states = (h: Harness, name: string): string[] => of(h, name).map((t) => t.to);

/** spawn-grandchild.mjs writes `<grandchild pid>`, ignore-sigterm-family.mjs `<pid> <grandchild pid>`. */
async function familyPids(pidfile: string, withChild: boolean): Promise<{ child: number; grandchild: number }> {
  const text = await waitForFile(pidfile, withChild ? /^\d+ \d+$/u : /^\d+$/u);
  const pids = text.split(' ').map(Number);
  const grandchild = pids.at(-1) ?? 0;
  // Whatever a test leaves behind on purpose (or by failing) is killed afterwards.
  onTestFinished(() => {
    killQuietly(grandchild);
  });
  return { child: withChild ? pids[0] ?? 0 : 0, grandchild };
}

describe('stop', () => {
  it('a normal child stops with SIGTERM and ends STOPPED', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'x', command: fixture('sleep-forever.mjs') })])]);
    await h.waitForState('x', 'RUNNING');
    const pid = h.runner('x').snapshot.pid;
    h.runner('x').stop();
    expect(h.runner('x').snapshot.state).toBe('STOPPING');
    await h.waitForState('x', 'STOPPED');
    expect(states(h, 'x')).toEqual(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED']);
    expect(h.logs).toContain(`DEBUG killing x (pid ${pid}) with signal SIGTERM`);
    // `waiting for x to stop` is for a stop request that waits (stopProcess), not the runner's own.
    expect(h.logs.filter((l) => l.includes('waiting for'))).toEqual([]);
    expect(h.logs).toContain('WARN stopped: x (terminated by SIGTERM)');
    expect(h.runner('x').snapshot).toMatchObject({ pid: 0, exitStatus: -1, lastSignal: 'TERM', exitDescription: 'terminated by SIGTERM' });
    expect(isGone(pid)).toBe(true);
  });

  it('stopsignal=INT is the signal the child receives', async () => {
    const file = join(tempDir(), 'signals.txt');
    const h = startSupervisor([groupOf([programConfig({ name: 'x', command: fixture('signal-log.mjs', file), stopSignal: 'INT' })])]);
    await waitForFile(file, /^READY \d+$/mu);
    await h.waitForState('x', 'RUNNING');
    const pid = h.runner('x').snapshot.pid;
    h.runner('x').stop();
    await h.waitForState('x', 'STOPPED');
    const received = (await waitForFile(file, /SIG/u)).split('\n').filter((l) => l.includes('SIG')).map((l) => l.split(' ')[1]);
    expect(received).toEqual(['SIGINT']);
    expect(h.logs).toContain(`DEBUG killing x (pid ${pid}) with signal SIGINT`);
    // The fixture exits 0 on the signal: an exit code listed in exitcodes logs at INFO.
    expect(h.logs).toContain('INFO stopped: x (exit status 0)');
  });

  it('a child ignoring SIGTERM is SIGKILLed stopwaitsecs later and ends STOPPED', async () => {
    const out = join(tempDir(), 'out.log');
    const h = startSupervisor([groupOf([programConfig({
      name: 'stubborn', command: fixture('ignore-sigterm.mjs'), stopWaitMs: 500, stdout: fileChannel(out),
    })])]);
    await waitForFile(out, /^READY \d+$/mu);
    await h.waitForState('stubborn', 'RUNNING');
    const pid = h.runner('stubborn').snapshot.pid;
    const stopAt = Date.now();
    h.runner('stubborn').stop();
    await h.waitForState('stubborn', 'STOPPED', 5000);
    const killLine = `WARN killing 'stubborn' (${pid}) with SIGKILL`;
    const killAt = h.logEntries.find((e) => e.line === killLine)?.at;
    expect(killAt, h.logs.join('\n')).toBeDefined();
    const waited = (killAt ?? 0) - stopAt;
    expect(waited).toBeGreaterThanOrEqual(500 - 50);
    expect(waited).toBeLessThanOrEqual(500 + 250);
    expect(h.logs).toContain(`DEBUG killing stubborn (pid ${pid}) with signal SIGKILL`);
    expect(h.logs).toContain('WARN stopped: stubborn (terminated by SIGKILL)');
    expect(states(h, 'stubborn')).toEqual(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED']);
    expect(h.runner('stubborn').snapshot.lastSignal).toBe('KILL');
    expect(await waitForFile(out, /ignored SIGTERM/u)).toContain('ignored SIGTERM');
  });

  it('stopping a BACKOFF process goes straight to STOPPED without a signal, and it is not retried', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'flap', command: '/bin/true', startMs: 500, startRetries: 3 })])]);
    await h.waitForState('flap', 'BACKOFF');
    h.runner('flap').stop();
    expect(h.runner('flap').snapshot.state).toBe('STOPPED');
    expect(of(h, 'flap').at(-1)).toMatchObject({ from: 'BACKOFF', to: 'STOPPED' });
    expect(h.logs).toContain('DEBUG Attempted to kill flap, which is in BACKOFF state.');
    expect(h.logs.filter((l) => l.includes('killing'))).toEqual([]);
    expect(h.runner('flap').snapshot.lastSignal).toBeNull();
    // The retry was due 1 s after the BACKOFF entry: watch 1.5 s for it.
    await expect(h.supervisor.events.waitFor('stateChanged', (c) => c.process.name === 'flap', 1500)).rejects.toThrow(/timed out/);
    expect(h.logs.filter((l) => l.startsWith("INFO spawned: 'flap'"))).toHaveLength(1);
  });

  it('stop while STARTING signals the child and never reaches RUNNING', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'slow', command: fixture('sleep-forever.mjs'), startMs: 300 })])]);
    // The spawn runs in the next event-loop turn (spawn-queue.ts); STARTING all along.
    expect(h.runner('slow').snapshot.state).toBe('STARTING');
    const pid = await waitUntil(() => h.runner('slow').snapshot.pid || undefined, 5000, 'slow spawned');
    expect(h.runner('slow').snapshot.state).toBe('STARTING');
    h.runner('slow').stop();
    await h.waitForState('slow', 'STOPPED');
    expect(h.logs).toContain(`DEBUG killing slow (pid ${pid}) with signal SIGTERM`);
    expect(h.logs).toContain('WARN stopped: slow (terminated by SIGTERM)');
    // Outlast the startsecs deadline (300 ms): it must not turn RUNNING or restart.
    await expect(h.supervisor.events.waitFor('stateChanged', (c) => c.process.name === 'slow', 500)).rejects.toThrow(/timed out/);
    expect(states(h, 'slow')).toEqual(['STARTING', 'STOPPING', 'STOPPED']);
  });
});

describe('stopasgroup and killasgroup', () => {
  it('stopasgroup=true: the stop signal takes the child and its grandchild', async () => {
    const pidfile = join(tempDir(), 'pids');
    const h = startSupervisor([groupOf([programConfig({
      name: 'fam', command: fixture('spawn-grandchild.mjs', pidfile), stopAsGroup: true,
    })])]);
    const { grandchild } = await familyPids(pidfile, false);
    await h.waitForState('fam', 'RUNNING');
    const pid = h.runner('fam').snapshot.pid;
    expect(isGone(grandchild)).toBe(false);
    h.runner('fam').stop();
    await h.waitForState('fam', 'STOPPED');
    expect(h.logs).toContain(`DEBUG killing fam (pid ${pid}) process group with signal SIGTERM`);
    await waitGone(pid);
    await waitGone(grandchild);
  });

  it('stopasgroup=false: the grandchild survives the stop', async () => {
    const pidfile = join(tempDir(), 'pids');
    const h = startSupervisor([groupOf([programConfig({
      name: 'fam', command: fixture('spawn-grandchild.mjs', pidfile), stopAsGroup: false,
    })])]);
    const { grandchild } = await familyPids(pidfile, false);
    await h.waitForState('fam', 'RUNNING');
    const pid = h.runner('fam').snapshot.pid;
    h.runner('fam').stop();
    await h.waitForState('fam', 'STOPPED');
    expect(h.logs).toContain(`DEBUG killing fam (pid ${pid}) with signal SIGTERM`);
    await waitGone(pid);
    expect(await goneWithin(grandchild, 300)).toBe(false);
  });

  it('killasgroup=true: the SIGKILL escalation takes the SIGTERM-ignoring child and grandchild', async () => {
    const pidfile = join(tempDir(), 'pids');
    const h = startSupervisor([groupOf([programConfig({
      name: 'fam', command: fixture('ignore-sigterm-family.mjs', pidfile), stopWaitMs: 300, stopAsGroup: false, killAsGroup: true,
    })])]);
    const { child, grandchild } = await familyPids(pidfile, true);
    await h.waitForState('fam', 'RUNNING');
    expect(h.runner('fam').snapshot.pid).toBe(child);
    h.runner('fam').stop();
    await h.waitForState('fam', 'STOPPED', 5000);
    expect(h.logs).toContain(`DEBUG killing fam (pid ${child}) with signal SIGTERM`);
    expect(h.logs).toContain(`WARN killing 'fam' (${child}) with SIGKILL`);
    expect(h.logs).toContain(`DEBUG killing fam (pid ${child}) process group with signal SIGKILL`);
    expect(h.logs).toContain('WARN stopped: fam (terminated by SIGKILL)');
    await waitGone(child);
    await waitGone(grandchild);
  });

  it('killasgroup=false: the SIGKILL escalation reaches only the child', async () => {
    const pidfile = join(tempDir(), 'pids');
    const h = startSupervisor([groupOf([programConfig({
      name: 'fam', command: fixture('ignore-sigterm-family.mjs', pidfile), stopWaitMs: 300, stopAsGroup: false, killAsGroup: false,
    })])]);
    const { child, grandchild } = await familyPids(pidfile, true);
    await h.waitForState('fam', 'RUNNING');
    h.runner('fam').stop();
    await h.waitForState('fam', 'STOPPED', 5000);
    expect(h.logs).toContain(`DEBUG killing fam (pid ${child}) with signal SIGKILL`);
    await waitGone(child);
    expect(await goneWithin(grandchild, 300)).toBe(false);
  });
});
