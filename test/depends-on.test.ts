// depends_on with real children: autostart follows the graph (each process spawned only after
// its dependency's `success:` line), independent branches come up side by side, `start X` starts
// what X needs first, a FATAL dependency leaves its dependents unstarted with a log line, and
// shutdown stops dependents before what they depend on.
import { describe, expect, it } from 'vitest';
import type { GroupConfig, ProcessConfig } from '../src/config/schema.js';
import { systemClock } from '../src/process/clock.js';
import { SupervisorControl } from '../src/supervisor/control.js';
import { groupOf, programConfig, startSupervisor, type Harness } from './support/supervisor-harness.js';

/** A program in its own group that counts as started after `startMs`. */
function sleeper(name: string, overrides: Partial<ProcessConfig> = {}): GroupConfig {
  return groupOf([programConfig({ name, command: '/bin/sleep 3600', startMs: 200, ...overrides })], name, overrides.priority ?? 999);
}

/** Index of the first log line containing `text`; fails if there is none. */
function lineIndex(h: Harness, text: string): number {
  const i = h.logs.findIndex((l) => l.includes(text));
  if (i === -1) throw new Error(`no log line with ${JSON.stringify(text)}; log:\n${h.logs.join('\n')}`);
  return i;
}

const spawned = (name: string): string => `spawned: '${name}' with pid`;
const success = (name: string): string => `success: ${name} entered RUNNING state`;

/** The control API over a harness, as the daemon's XML-RPC and tssupervisorctl reach it. */
function control(h: Harness): SupervisorControl {
  return new SupervisorControl({
    supervisor: h.supervisor, clock: systemClock,
    config: () => h.config,
    reload: () => { throw new Error('not used'); },
    logsOf: () => undefined, mainLogfile: () => null, clearMainLog: () => undefined,
    requestShutdown: () => undefined, requestRestart: () => undefined,
  });
}

describe('depends_on', () => {
  it('autostart spawns a chain A <- B <- C in order, each after its dependency is RUNNING, against priority', async () => {
    // Priorities alone would start c first and a last.
    const h = startSupervisor([
      sleeper('c', { priority: 1, dependsOn: ['b'] }), sleeper('b', { priority: 2, dependsOn: ['a'] }), sleeper('a', { priority: 3 }),
    ]);
    await h.waitForState('c', 'RUNNING');
    expect(lineIndex(h, spawned('b'))).toBeGreaterThan(lineIndex(h, success('a')));
    expect(lineIndex(h, spawned('c'))).toBeGreaterThan(lineIndex(h, success('b')));
    expect(h.transitions.filter((t) => t.to === 'STARTING').map((t) => t.name)).toEqual(['a', 'b', 'c']);
    // Every subscriber hears a dependency's RUNNING before its dependent's STARTING.
    const seen = h.transitions.map((t) => `${t.name} ${t.to}`);
    expect(seen.indexOf('b STARTING')).toBeGreaterThan(seen.indexOf('a RUNNING'));
    expect(seen.indexOf('c STARTING')).toBeGreaterThan(seen.indexOf('b RUNNING'));
  });

  it('starts independent branches in parallel: a slow root does not hold up the other branch', async () => {
    // In priority order the slow branch comes first: slow (1.5 s startsecs) <- slowdep, fast <- fastdep.
    const h = startSupervisor([
      sleeper('slow', { priority: 1, startMs: 1500 }), sleeper('slowdep', { priority: 2, dependsOn: ['slow'] }),
      sleeper('fast', { priority: 3, startMs: 100 }), sleeper('fastdep', { priority: 4, dependsOn: ['fast'], startMs: 100 }),
    ]);
    await h.waitForState('fastdep', 'RUNNING');
    // The whole fast branch is up while slow is still in its startsecs, and slowdep still waits.
    expect(h.runner('slow').snapshot.state).toBe('STARTING');
    expect(h.runner('slowdep').snapshot.state).toBe('STOPPED');
    expect(h.supervisor.waitingFor(h.runner('slowdep'))).toEqual(['slow']);
    expect(h.transitions.find((t) => t.name === 'fast' && t.to === 'STARTING')?.at)
      .toBeLessThan((h.transitions.find((t) => t.name === 'slow' && t.to === 'STARTING')?.at ?? 0) + 100);
    await h.waitForState('slowdep', 'RUNNING');
    expect(lineIndex(h, spawned('slowdep'))).toBeGreaterThan(lineIndex(h, success('slow')));
  });

  it('shows a waiting process as `waiting for NAME` in its status description', async () => {
    const h = startSupervisor([sleeper('db', { startMs: 800 }), sleeper('app', { dependsOn: ['db'] })]);
    await h.waitForState('db', 'STARTING');
    const info = await control(h).getProcessInfo('app');
    expect([info.statename, info.description]).toEqual(['STOPPED', 'waiting for db']);
    await h.waitForState('app', 'RUNNING');
    expect((await control(h).getProcessInfo('app')).description).toMatch(/^pid \d+, uptime /u);
  });

  it('`start C` with everything stopped starts A, then B, then C, says so, and returns once C is RUNNING', async () => {
    const h = startSupervisor([
      sleeper('a', { autostart: false }), sleeper('b', { autostart: false, dependsOn: ['a'] }),
      sleeper('c', { autostart: false, dependsOn: ['b'] }),
    ]);
    expect(await control(h).startProcess('c', true)).toBe(true);
    expect(h.runner('c').snapshot.state).toBe('RUNNING');
    expect(h.logs).toContain('INFO starting a first: b depends on it');
    expect(h.logs).toContain('INFO starting b first: c depends on it');
    expect(lineIndex(h, spawned('b'))).toBeGreaterThan(lineIndex(h, success('a')));
    expect(lineIndex(h, spawned('c'))).toBeGreaterThan(lineIndex(h, success('b')));
    // A dependency already running is not started again, nor logged.
    await control(h).stopProcess('c', true);
    const before = h.logs.length;
    await control(h).startProcess('c', true);
    expect(h.logs.slice(before).filter((l) => l.includes('first:'))).toEqual([]);
  });

  it('`start all` starts dependencies before their dependents without faulting them as already started', async () => {
    const h = startSupervisor([
      sleeper('app', { autostart: false, priority: 1, dependsOn: ['db'] }), sleeper('db', { autostart: false, priority: 2 }),
    ]);
    const results = await control(h).startAllProcesses(true);
    expect(results.map((r) => [r.name, r.description]).sort()).toEqual([['app', 'OK'], ['db', 'OK']]);
    expect(lineIndex(h, spawned('app'))).toBeGreaterThan(lineIndex(h, success('db')));
  });

  it('a FATAL dependency leaves its dependents (and theirs) unstarted, saying why', async () => {
    const h = startSupervisor([
      groupOf([programConfig({ name: 'broken', command: "/bin/sh -c 'exit 1'", startMs: 200, startRetries: 0 })], 'broken'),
      sleeper('app', { dependsOn: ['broken'] }), sleeper('proxy', { dependsOn: ['app'] }),
    ]);
    await h.waitForState('broken', 'FATAL');
    await h.waitForLog(/not starting proxy/u);
    expect(h.logs).toContain('WARN not starting app: it depends on broken, which is FATAL');
    expect(h.logs).toContain('WARN not starting proxy: it depends on app, which is STOPPED');
    expect([h.runner('app').snapshot.state, h.runner('app').snapshot.laststart]).toEqual(['STOPPED', 0]);
    expect(h.supervisor.waitingFor(h.runner('app'))).toEqual([]);
    // start with wait: the dependency fails again, and the dependent's start is a spawn error.
    await expect(control(h).startProcess('app', true)).rejects.toMatchObject({ fault: 'SPAWN_ERROR' });
    expect(h.runner('app').snapshot.laststart).toBe(0);
  });

  it('an operator stopping the dependency a process waits for ends the wait, saying why', async () => {
    const h = startSupervisor([sleeper('db', { startMs: 2000 }), sleeper('app', { dependsOn: ['db'] })]);
    await h.waitForState('db', 'STARTING');
    await control(h).stopProcess('db', true);
    await h.waitForLog(/not starting app/u);
    expect(h.logs).toContain('WARN not starting app: it depends on db, which is STOPPED');
  });

  it('stopping a process that waits for its dependency cancels its start, and its dependents\' starts', async () => {
    const h = startSupervisor([
      sleeper('db', { startMs: 600 }), sleeper('app', { dependsOn: ['db'] }), sleeper('proxy', { dependsOn: ['app'] }),
    ]);
    await h.waitForState('db', 'STARTING');
    expect(await control(h).stopProcess('app', true)).toBe(true);
    expect(h.logs).toContain('INFO not starting app: stopped by request while waiting');
    expect(h.logs).toContain('WARN not starting proxy: it depends on app, which is STOPPED');
    await h.waitForState('db', 'RUNNING');
    expect(h.runner('app').snapshot.laststart).toBe(0);
    expect(h.supervisor.isWaiting(h.runner('proxy'))).toBe(false);
  });

  it('a group added later (update) that depends on a running program starts; one whose dependency is stopped and removed stays unstarted', async () => {
    const h = startSupervisor([sleeper('db'), sleeper('slow', { startMs: 2000 })]);
    await h.waitForState('db', 'RUNNING');
    h.supervisor.startAutostart(h.supervisor.addGroup(sleeper('app', { dependsOn: ['db'] })));
    await h.waitForState('app', 'RUNNING');
    h.supervisor.startAutostart(h.supervisor.addGroup(sleeper('worker', { dependsOn: ['slow'] })));
    expect(h.supervisor.waitingFor(h.runner('worker'))).toEqual(['slow']);
    await control(h).stopProcess('slow', true);
    h.supervisor.removeGroup('slow');
    expect(h.supervisor.isWaiting(h.runner('worker'))).toBe(false);
    expect(h.logs).toContain('WARN not starting worker: it depends on slow, which is STOPPED');
  });

  it('getAllConfigInfo lists depends_on as written', async () => {
    const h = startSupervisor([sleeper('db'), sleeper('app', { dependsOn: ['db', 'web:*'] })], { autostart: false });
    const infos = await control(h).getAllConfigInfo();
    expect(infos.map((i) => [i['name'], i['depends_on']])).toEqual([['app', 'db, web:*'], ['db', '']]);
    // ready= and ready_timeout= too ('' when the program has no probe).
    expect(infos.map((i) => [i['ready'], i['ready_timeout']])).toEqual([['', 60], ['', 60]]);
  });

  it('stopping a dependency does not stop what depends on it', async () => {
    const h = startSupervisor([sleeper('db'), sleeper('app', { dependsOn: ['db'] })]);
    await h.waitForState('app', 'RUNNING');
    await control(h).stopProcess('db', true);
    expect(h.runner('app').snapshot.state).toBe('RUNNING');
  });

  it('shutdown stops C, then B, then A, each stopped before the next is told, against reverse priority', async () => {
    // Reverse priority alone would stop a first.
    const h = startSupervisor([
      sleeper('c', { priority: 1, dependsOn: ['b'] }), sleeper('b', { priority: 2, dependsOn: ['a'] }), sleeper('a', { priority: 3 }),
    ]);
    await h.waitForState('c', 'RUNNING');
    const from = h.transitions.length;
    await h.supervisor.shutdown();
    expect(h.transitions.slice(from).map((t) => `${t.name} ${t.to}`)).toEqual([
      'c STOPPING', 'c STOPPED', 'b STOPPING', 'b STOPPED', 'a STOPPING', 'a STOPPED',
    ]);
  });

  it('stopAllProcesses stops dependents first, unrelated processes right away', async () => {
    const h = startSupervisor([
      sleeper('db', { priority: 5 }), sleeper('app', { priority: 1, dependsOn: ['db'] }), sleeper('other', { priority: 3 }),
    ]);
    await Promise.all(['db', 'app', 'other'].map((n) => h.waitForState(n, 'RUNNING')));
    const from = h.transitions.length;
    const results = await control(h).stopAllProcesses(true);
    expect(results.every((r) => r.description === 'OK')).toBe(true);
    const stops = h.transitions.slice(from).map((t) => `${t.name} ${t.to}`);
    expect(stops.indexOf('db STOPPING')).toBeGreaterThan(stops.indexOf('app STOPPED'));
    expect(stops.indexOf('other STOPPING')).toBeLessThan(stops.indexOf('app STOPPED'));
  });
});
