import { describe, expect, it } from 'vitest';
import type { PassThrough } from 'node:stream';
import { FakeClock, FakeSpawner } from '../../test/support/fakes.js';
import { fakeDaemonConfig, groupOf, programConfig } from '../../test/support/supervisor-harness.js';
import type { LoadResult } from '../config/load.js';
import type { GroupConfig, ProcessConfig } from '../config/schema.js';
import { SupervisorError, type FaultName } from '../errors.js';
import type { ChildLogs } from '../logging/child-output.js';
import type { FileFacts } from '../process/command.js';
import { API_VERSION, SUPERVISOR_VERSION } from '../version.js';
import { SupervisorControl } from './control.js';
import { formatStopTime } from './process-info.js';
import { Supervisor } from './supervisor.js';

const EXECUTABLE: FileFacts = { isDirectory: false, mode: 0o755, executable: true };

/** The fake filesystem: /bin/* are programs (but /bin/nosuch*), /bin/plain is not executable, the rest is missing. */
function stat(file: string): FileFacts | undefined {
  if (file === '/bin/plain') return { isDirectory: false, mode: 0o644, executable: false };
  if (file === '/bin') return { isDirectory: true, mode: 0o755, executable: true };
  return file.startsWith('/bin/') && !file.includes('nosuch') ? EXECUTABLE : undefined;
}

/** One program in its own group; startsecs 1 s unless overridden. */
function program(name: string, overrides: Partial<ProcessConfig> = {}): GroupConfig {
  return groupOf([programConfig({ name, command: `/bin/${name}`, startMs: 1000, autostart: false, ...overrides })]);
}

interface FakeLogs {
  readonly cleared: string[];
  readonly closed: string[];
}

function setup(groups: readonly GroupConfig[]) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner();
  const log: string[] = [];
  const config = fakeDaemonConfig(groups);
  const supervisor = new Supervisor(config, {
    spawner, clock, stat,
    log: (level, message) => log.push(`${level} ${message}`),
    daemonEnv: { PATH: '/bin' }, serverUrl: null,
    outputFor: () => ({ attach: () => undefined }),
    isRoot: true, gidOf: () => undefined,
  });
  const logs: FakeLogs = { cleared: [], closed: [] };
  const host = {
    next: { ok: true, config, warnings: [], infos: [] } as LoadResult,
    shutdowns: 0,
    restarts: 0,
  };
  const control = new SupervisorControl({
    supervisor, clock,
    config: () => config,
    reload: () => host.next,
    logsOf: (runner): ChildLogs => ({
      stdoutPath: `/logs/${runner.config.name}.out`, stderrPath: '',
      attach: () => undefined, reopen: () => undefined, watch: () => () => undefined, bytesRead: () => 0,
      clear: () => { logs.cleared.push(runner.config.name); },
      close: async () => { logs.closed.push(runner.config.name); await Promise.resolve(); },
    }),
    mainLogfile: () => null,
    clearMainLog: () => undefined,
    requestShutdown: () => { host.shutdowns += 1; },
    requestRestart: () => { host.restarts += 1; },
  });
  const child = (file: string) => {
    const found = spawner.children.filter((c) => c.spec.file === file).at(-1);
    if (found === undefined) throw new Error(`${file} was not spawned`);
    return found;
  };
  const runner = (name: string) => {
    const found = supervisor.runners().find((r) => r.config.name === name);
    if (found === undefined) throw new Error(`no runner ${name}`);
    return found;
  };
  return { clock, spawner, log, supervisor, control, host, logs, child, runner, config };
}

/** Lets exit promises and event waiters run. */
const settle = async (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The SupervisorError a call fails with, whether it throws or rejects. */
async function failure(work: () => Promise<unknown>): Promise<{ fault: FaultName; message: string }> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof SupervisorError)) throw error;
    return { fault: error.fault, message: error.faultString };
  }
  throw new Error('expected a SupervisorError');
}

/** Tracks whether a promise has settled yet. */
function track<T>(promise: Promise<T>): { readonly done: boolean; readonly promise: Promise<T> } {
  const state = { done: false, promise };
  promise.then(() => { state.done = true; }, () => { state.done = true; });
  return state;
}

describe('SupervisorControl: names', () => {
  it('answers BAD_NAME for unknown processes and groups, and for g:* where one process is meant', async () => {
    const { control } = setup([program('web'), groupOf([programConfig({ name: 'a', command: '/bin/a' })], 'workers')]);
    expect(await failure(() => control.getProcessInfo('nosuch'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: nosuch' });
    expect(await failure(() => control.getProcessInfo('workers:*'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: workers:*' });
    expect(await failure(() => control.getProcessInfo('workers'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: workers' });
    expect(await failure(() => control.getProcessInfo('workers:nosuch'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: workers:nosuch' });
    expect(await failure(() => control.startProcess('nosuch:*'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: nosuch:*' });
    expect(await failure(() => control.stopProcess('nosuch'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: nosuch' });
    expect(await failure(() => control.signalProcess('nosuch', 'HUP'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: nosuch' });
    expect(await failure(() => control.startProcessGroup('nosuch'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: nosuch' });
    expect(await failure(() => control.removeProcessGroup('nosuch'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: nosuch' });
    expect(await failure(() => control.clearProcessLogs('nosuch'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: nosuch' });
    expect((await control.getProcessInfo('workers:a')).name).toBe('a');
  });

  it('reports versions, identification and the daemon state', async () => {
    const { control } = setup([]);
    expect(await control.getAPIVersion()).toBe(API_VERSION);
    expect(await control.getSupervisorVersion()).toBe(SUPERVISOR_VERSION);
    expect(await control.getIdentification()).toBe('test-ident');
    expect(await control.getState()).toEqual({ statecode: 1, statename: 'RUNNING' });
    expect(await control.getPID()).toBe(process.pid);
  });

  it('never throws synchronously: every failure is a rejected promise', () => {
    const { control, supervisor } = setup([program('web')]);
    void supervisor.shutdown();
    const calls: (() => Promise<unknown>)[] = [
      () => control.getProcessInfo('nosuch'), () => control.getAllProcessInfo(), () => control.startProcessGroup('nosuch'),
      () => control.stopAllProcesses(), () => control.reloadConfig(), () => control.addProcessGroup('x'),
      () => control.removeProcessGroup('x'), () => control.clearProcessLogs('x'), () => control.sendProcessStdin('x', 'y'),
      () => control.readProcessStdoutLog('x', 0, 0), () => control.tailProcessStderrLog('x', 0, 0), () => control.shutdown(),
      () => control.getAllConfigInfo(), () => control.clearAllProcessLogs(), () => control.signalAllProcesses('HUP'),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => { promise = call(); }).not.toThrow();
      void promise?.catch(() => undefined);
    }
  });
});

describe('SupervisorControl: startProcess', () => {
  it('refuses a missing command with NO_FILE and a non-executable one with NOT_EXECUTABLE, spawning nothing', async () => {
    const { control, spawner, runner } = setup([
      program('missing', { command: '/nonexistent/cmd' }),
      program('plain', { command: '/bin/plain --x' }),
      program('dir', { command: '/bin' }),
      program('bare', { command: 'nosuchprogram' }),
    ]);
    expect(await failure(() => control.startProcess('missing'))).toEqual({ fault: 'NO_FILE', message: "NO_FILE: can't find command '/nonexistent/cmd'" });
    expect(await failure(() => control.startProcess('plain'))).toEqual({ fault: 'NOT_EXECUTABLE', message: "NOT_EXECUTABLE: command at '/bin/plain' is not executable" });
    expect(await failure(() => control.startProcess('dir'))).toEqual({ fault: 'NOT_EXECUTABLE', message: "NOT_EXECUTABLE: command at '/bin' is a directory" });
    expect(await failure(() => control.startProcess('bare'))).toEqual({ fault: 'NO_FILE', message: "NO_FILE: can't find command 'nosuchprogram'" });
    expect(spawner.children).toEqual([]);
    expect(runner('missing').snapshot.state).toBe('STOPPED');
    expect(runner('missing').snapshot.laststart).toBe(0);
  });

  it('resolves a bare command on PATH like the runner does', async () => {
    const { control, spawner } = setup([program('ls', { command: 'ls -l' })]);
    expect(await control.startProcess('ls', false)).toBe(true);
    expect(spawner.children[0]?.spec.file).toBe('/bin/ls');
  });

  it('with wait=false returns true at once, the process STARTING', async () => {
    const { control, runner, spawner } = setup([program('web')]);
    expect(await control.startProcess('web', false)).toBe(true);
    expect(runner('web').snapshot.state).toBe('STARTING');
    expect(spawner.children).toHaveLength(1);
  });

  it('refuses a process in a running state with ALREADY_STARTED', async () => {
    const { control, clock, spawner } = setup([program('web')]);
    await control.startProcess('web', false);
    expect(await failure(() => control.startProcess('web'))).toEqual({ fault: 'ALREADY_STARTED', message: 'ALREADY_STARTED: web' });
    clock.advance(1001);
    expect(await failure(() => control.startProcess('web', false))).toEqual({ fault: 'ALREADY_STARTED', message: 'ALREADY_STARTED: web' });
    expect(spawner.children).toHaveLength(1);
  });

  it('with wait=true resolves true only once the process has stayed up past startsecs', async () => {
    const { control, clock, runner } = setup([program('web')]);
    const start = track(control.startProcess('web', true));
    await settle();
    expect(start.done).toBe(false);
    clock.advance(1000);
    await settle();
    expect(start.done).toBe(false);
    expect(runner('web').snapshot.state).toBe('STARTING');
    clock.advance(1);
    expect(await start.promise).toBe(true);
    expect(runner('web').snapshot.state).toBe('RUNNING');
  });

  it('with startsecs=0 resolves at once: the process is RUNNING when spawned', async () => {
    const { control, runner } = setup([program('web', { startMs: 0 })]);
    expect(await control.startProcess('web')).toBe(true);
    expect(runner('web').snapshot.state).toBe('RUNNING');
  });

  it('with wait=true fails with SPAWN_ERROR when the child exits too quickly', async () => {
    const { control, child, runner } = setup([program('quick')]);
    const start = track(control.startProcess('quick', true));
    await settle();
    child('/bin/quick').exit({ code: 0, signal: null });
    expect(await failure(() => start.promise)).toEqual({ fault: 'SPAWN_ERROR', message: 'SPAWN_ERROR: quick' });
    expect(runner('quick').snapshot.state).toBe('BACKOFF');
  });

  it('fails with SPAWN_ERROR at once when the spawn itself fails', async () => {
    const { control, spawner, runner } = setup([program('web', { directory: '/nonexistent', startRetries: 0 })]);
    expect(await failure(() => control.startProcess('web', false))).toEqual({ fault: 'SPAWN_ERROR', message: 'SPAWN_ERROR: web' });
    expect(spawner.children).toEqual([]);
    expect(runner('web').snapshot.state).toBe('FATAL');
  });

  it('with wait=true fails with ABNORMAL_TERMINATION when the process leaves STARTING without a spawn error', async () => {
    // Stopped while starting.
    const stopped = setup([program('web')]);
    const start = track(stopped.control.startProcess('web', true));
    await settle();
    await stopped.control.stopProcess('web', false);
    expect(await failure(() => start.promise)).toEqual({ fault: 'ABNORMAL_TERMINATION', message: 'ABNORMAL_TERMINATION: web' });

    // Exited with an expected code after startsecs but before the RUNNING tick.
    const exited = setup([program('job', { autorestart: 'false' })]);
    const job = track(exited.control.startProcess('job', true));
    await settle();
    exited.clock.advance(1000);
    exited.child('/bin/job').exit({ code: 0, signal: null });
    expect(await failure(() => job.promise)).toEqual({ fault: 'ABNORMAL_TERMINATION', message: 'ABNORMAL_TERMINATION: job' });
    expect(exited.runner('job').snapshot.state).toBe('EXITED');
  });

  it('refuses work in UNKNOWN state with FAILED', async () => {
    const { control, spawner, runner } = setup([program('web', { startMs: 0 })]);
    await control.startProcess('web');
    spawner.kill = () => {
      throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
    };
    runner('web').stop();
    expect(runner('web').snapshot.state).toBe('UNKNOWN');
    expect(await failure(() => control.startProcess('web'))).toEqual({ fault: 'FAILED', message: 'FAILED: web is in an unknown process state' });
  });

  it('delegates g:* to the group', async () => {
    const { control, runner, spawner } = setup([
      groupOf([programConfig({ name: 'a', command: '/bin/a', autostart: false }), programConfig({ name: 'b', command: '/bin/b', autostart: false })], 'workers'),
      program('other'),
    ]);
    expect(await control.startProcess('workers:*', false)).toBe(true);
    expect(runner('a').snapshot.state).toBe('STARTING');
    expect(runner('b').snapshot.state).toBe('STARTING');
    expect(runner('other').snapshot.state).toBe('STOPPED');
    expect(spawner.children.map((c) => c.spec.file)).toEqual(['/bin/a', '/bin/b']);
    expect(await control.stopProcess('workers:', false)).toBe(true);
    expect(runner('a').snapshot.state).toBe('STOPPING');
    expect(await control.signalProcess('workers:*', 'USR1')).toBe(true);
    expect(spawner.signals.filter((s) => s.signal === 'USR1')).toHaveLength(2);
  });
});

describe('SupervisorControl: group and all operations', () => {
  it('startAllProcesses reports one struct per process not yet running: OK, or the fault', async () => {
    const { control, clock, child, spawner } = setup([
      program('web'), program('quick', { startRetries: 0 }), program('bad', { command: '/nonexistent' }), program('running', { startMs: 0 }),
    ]);
    await control.startProcess('running');
    const all = track(control.startAllProcesses(true));
    await settle();
    child('/bin/quick').exit({ code: 1, signal: null });
    await settle();
    expect(all.done).toBe(false);
    clock.advance(1001);
    const results = await all.promise;
    // In the order the outcomes arrive, as supervisord: the immediate failure, the quick exit, the wait.
    expect(results).toEqual([
      { name: 'bad', group: 'bad', status: 20, description: "NO_FILE: can't find command '/nonexistent'" },
      { name: 'quick', group: 'quick', status: 50, description: 'SPAWN_ERROR: quick' },
      { name: 'web', group: 'web', status: 80, description: 'OK' },
    ]);
    expect(spawner.children.map((c) => c.spec.file).sort()).toEqual(['/bin/quick', '/bin/running', '/bin/web']);
  });

  it('startProcessGroup / stopProcessGroup act on the group\'s processes in priority order', async () => {
    const { control, spawner } = setup([
      groupOf([
        programConfig({ name: 'b', command: '/bin/b', autostart: false, priority: 1 }),
        programConfig({ name: 'a', command: '/bin/a', autostart: false, priority: 2 }),
      ], 'workers'),
    ]);
    const started = await control.startProcessGroup('workers', false);
    expect(started).toEqual([
      { name: 'b', group: 'workers', status: 80, description: 'OK' },
      { name: 'a', group: 'workers', status: 80, description: 'OK' },
    ]);
    expect(spawner.children.map((c) => c.spec.file)).toEqual(['/bin/b', '/bin/a']);
    expect(await control.startProcessGroup('workers', false)).toEqual([]);
    const stopped = await control.stopProcessGroup('workers', false);
    expect(stopped.map((r) => [r.name, r.status])).toEqual([['b', 80], ['a', 80]]);
    expect(spawner.signals.map((s) => s.signal)).toEqual(['TERM', 'TERM']);
  });

  it('a shutdown tells equal-priority processes of a group in reverse config order, as stop_all (sort, then reverse)', async () => {
    const { control, spawner, supervisor } = setup([
      groupOf([
        programConfig({ name: 'x_00', command: '/bin/x', autostart: false }),
        programConfig({ name: 'x_01', command: '/bin/x', autostart: false }),
        programConfig({ name: 'y', command: '/bin/y', autostart: false, priority: 5 }),
      ], 'x'),
    ]);
    await control.startProcessGroup('x', false);
    const pidOf = (file: string, nth: number): number | undefined => spawner.children.filter((c) => c.spec.file === file)[nth]?.pid;
    const group = supervisor.groups[0];
    if (group === undefined) throw new Error('no group');
    void supervisor.stopGroup(group);
    expect(spawner.signals.map((s) => s.pid)).toEqual([pidOf('/bin/x', 1), pidOf('/bin/x', 0), pidOf('/bin/y', 0)]);
  });

  it('stopAllProcesses with wait resolves once every process is STOPPED', async () => {
    const { control, spawner, runner } = setup([program('a', { startMs: 0 }), program('b', { startMs: 0 }), program('idle')]);
    await control.startProcess('a');
    await control.startProcess('b');
    const stop = track(control.stopAllProcesses(true));
    await settle();
    spawner.children[0]?.exit({ code: null, signal: 'SIGTERM' });
    await settle();
    expect(stop.done).toBe(false);
    spawner.children[1]?.exit({ code: null, signal: 'SIGTERM' });
    const results = await stop.promise;
    expect(results.map((r) => [r.name, r.status]).sort()).toEqual([['a', 80], ['b', 80]]);
    expect(runner('a').snapshot.state).toBe('STOPPED');
    expect(runner('b').snapshot.state).toBe('STOPPED');
  });
});

describe('SupervisorControl: stopProcess and signalProcess', () => {
  it('answers NOT_RUNNING for a process that is not running', async () => {
    const { control } = setup([program('web')]);
    expect(await failure(() => control.stopProcess('web'))).toEqual({ fault: 'NOT_RUNNING', message: 'NOT_RUNNING: web' });
  });

  it('with wait=true resolves once the process is STOPPED', async () => {
    const { control, clock, spawner, runner } = setup([program('web', { stopSignal: 'INT' })]);
    await control.startProcess('web', false);
    clock.advance(1001);
    const stop = track(control.stopProcess('web', true));
    expect(spawner.signals).toEqual([{ pid: 100, signal: 'INT', group: false }]);
    await settle();
    expect(stop.done).toBe(false);
    expect(runner('web').snapshot.state).toBe('STOPPING');
    spawner.children[0]?.exit({ code: null, signal: 'SIGINT' });
    expect(await stop.promise).toBe(true);
    expect(runner('web').snapshot.state).toBe('STOPPED');
  });

  it('with wait=false returns while STOPPING', async () => {
    const { control, runner } = setup([program('web', { startMs: 0 })]);
    await control.startProcess('web');
    expect(await control.stopProcess('web', false)).toBe(true);
    expect(runner('web').snapshot.state).toBe('STOPPING');
  });

  it('signals by name or number, refusing a bad signal with BAD_SIGNAL and a stopped process with NOT_RUNNING', async () => {
    const { control, spawner } = setup([program('web', { startMs: 0 }), program('idle')]);
    await control.startProcess('web');
    expect(await control.signalProcess('web', 'HUP')).toBe(true);
    expect(await control.signalProcess('web', 'SIGUSR1')).toBe(true);
    expect(await control.signalProcess('web', '2')).toBe(true);
    expect(spawner.signals).toEqual([
      { pid: 100, signal: 'HUP', group: false },
      { pid: 100, signal: 'USR1', group: false },
      { pid: 100, signal: 'INT', group: false },
    ]);
    expect(await failure(() => control.signalProcess('web', 'BOGUS'))).toEqual({ fault: 'BAD_SIGNAL', message: 'BAD_SIGNAL: BOGUS' });
    expect(await failure(() => control.signalProcess('web', '999'))).toEqual({ fault: 'BAD_SIGNAL', message: 'BAD_SIGNAL: 999' });
    expect(await failure(() => control.signalProcess('idle', 'HUP'))).toEqual({ fault: 'NOT_RUNNING', message: 'NOT_RUNNING: idle' });
    // The signal is checked before the state, as supervisord.
    expect(await failure(() => control.signalProcess('idle', 'BOGUS'))).toEqual({ fault: 'BAD_SIGNAL', message: 'BAD_SIGNAL: BOGUS' });
  });

  it('signalAllProcesses reports the signallable processes only', async () => {
    const { control } = setup([program('web', { startMs: 0 }), program('idle')]);
    await control.startProcess('web');
    expect(await control.signalAllProcesses('HUP')).toEqual([{ name: 'web', group: 'web', status: 80, description: 'OK' }]);
    expect(await control.signalAllProcesses('BOGUS')).toEqual([{ name: 'web', group: 'web', status: 11, description: 'BAD_SIGNAL: BOGUS' }]);
  });
});

describe('what the main log says while processes stop', () => {
  it('a stop that waits says `waiting for a to stop` at once and every 2 s, never `to die`', async () => {
    const { control, clock, log, child } = setup([program('a', { startMs: 0, stopWaitMs: 10_000 })]);
    await control.startProcess('a');
    const stop = track(control.stopProcess('a'));
    clock.advance(4000);
    child('/bin/a').exit({ code: null, signal: 'SIGTERM' });
    await stop.promise;
    clock.advance(10_000);
    expect(log.filter((l) => l.includes('waiting for'))).toEqual(Array.from({ length: 3 }, () => 'info waiting for a to stop'));
  });

  it('a stop that does not wait says nothing while it stops', async () => {
    const { control, clock, log } = setup([program('a', { startMs: 0, stopWaitMs: 10_000 })]);
    await control.startProcess('a');
    await control.stopProcess('a', false);
    clock.advance(5000);
    expect(log.filter((l) => l.includes('waiting for'))).toEqual([]);
  });

  it('a shutdown says `waiting for a, b, c to die` at once and every 3 s, naming every group\'s unstopped processes', async () => {
    const { control, clock, log, child, supervisor } = setup([
      groupOf([programConfig({ name: 'a', command: '/bin/a', autostart: false, startMs: 0, stopWaitMs: 60_000 })], 'a', 1),
      groupOf([
        programConfig({ name: 'b', command: '/bin/b', autostart: false, startMs: 0, stopWaitMs: 60_000 }),
        programConfig({ name: 'c', command: '/bin/c', autostart: false, startMs: 0, stopWaitMs: 60_000 }),
      ], 'bc', 1000),
      program('idle'),
    ]);
    for (const name of ['a', 'bc:b', 'bc:c']) await control.startProcess(name);
    const done = track(supervisor.shutdown());
    await settle();
    const reports = (): string[] => log.filter((l) => l.includes('waiting for'));
    // bc is told first (its priority value is higher); a, not told yet, is named too.
    expect(reports()).toEqual(['info waiting for a, b, c to die']);
    expect(log.filter((l) => l.startsWith('blather '))).toEqual(['blather a state: RUNNING', 'blather b state: STOPPING', 'blather c state: STOPPING']);
    clock.advance(2999);
    expect(reports()).toHaveLength(1);
    child('/bin/c').exit({ code: null, signal: 'SIGTERM' });
    await settle();
    clock.advance(1);
    expect(reports().at(-1)).toBe('info waiting for a, b to die');
    child('/bin/b').exit({ code: null, signal: 'SIGTERM' });
    await settle();
    await settle();
    clock.advance(3000);
    expect(reports().at(-1)).toBe('info waiting for a to die');
    child('/bin/a').exit({ code: null, signal: 'SIGTERM' });
    await done.promise;
    clock.advance(30_000);
    expect(reports()).toEqual(['info waiting for a, b, c to die', 'info waiting for a, b to die', 'info waiting for a to die']);
    expect(log.some((l) => l.includes('to stop'))).toBe(false);
  });

  it('a shutdown with nothing running says nothing', async () => {
    const { log, supervisor } = setup([program('idle')]);
    await supervisor.shutdown();
    expect(log.filter((l) => l.includes('waiting for'))).toEqual([]);
  });
});

describe('SupervisorControl: getProcessInfo', () => {
  it('describes RUNNING as pid and uptime', async () => {
    const { control, clock } = setup([program('web')]);
    await control.startProcess('web', false);
    clock.advance(5000);
    const info = await control.getProcessInfo('web');
    expect(info).toEqual({
      name: 'web', group: 'web', description: 'pid 100, uptime 0:00:05', start: 1000, stop: 0, now: 1005,
      state: 20, statename: 'RUNNING', spawnerr: '', exitstatus: 0, logfile: '/logs/web.out',
      stdout_logfile: '/logs/web.out', stderr_logfile: '', pid: 100,
    });
  });

  it('describes FATAL by its spawn error, and a never-started STOPPED process as Not started', async () => {
    const { control } = setup([program('web', { directory: '/nonexistent', startRetries: 0 }), program('idle')]);
    await failure(() => control.startProcess('web', false));
    expect(await control.getProcessInfo('web')).toMatchObject({
      statename: 'FATAL', state: 200, description: "couldn't chdir to /nonexistent: ENOENT", spawnerr: "couldn't chdir to /nonexistent: ENOENT", pid: 0,
    });
    expect(await control.getProcessInfo('idle')).toMatchObject({ statename: 'STOPPED', state: 0, description: 'Not started', start: 0, stop: 0 });
  });

  it('describes a stopped process by its stop time and keeps its exit status', async () => {
    const { control, clock, spawner } = setup([program('web', { exitCodes: [0, 3], autorestart: 'false' })]);
    await control.startProcess('web', false);
    clock.advance(61_000);
    spawner.children[0]?.exit({ code: 3, signal: null });
    await settle();
    const info = await control.getProcessInfo('web');
    expect(info).toMatchObject({ statename: 'EXITED', state: 100, exitstatus: 3, start: 1000, stop: 1061, pid: 0, spawnerr: '' });
    expect(info.description).toBe(formatStopTime(new Date(1061 * 1000)));
    expect(info.description).toMatch(/^[A-Z][a-z]{2} \d{2} \d{2}:\d{2} [AP]M$/u);
  });

  it('lists every process in lexical order: groups by name, then processes by name', async () => {
    const { control } = setup([
      groupOf([programConfig({ name: 'z', command: '/bin/z' })], 'zeta', 1),
      groupOf([programConfig({ name: 'b', command: '/bin/b', priority: 1 }), programConfig({ name: 'a', command: '/bin/a', priority: 2 })], 'alpha', 999),
      groupOf([programConfig({ name: 'm', command: '/bin/m' })], 'mid', 500),
    ]);
    const all = await control.getAllProcessInfo();
    expect(all.map((p) => `${p.group}:${p.name}`)).toEqual(['alpha:a', 'alpha:b', 'mid:m', 'zeta:z']);
  });
});

describe('SupervisorControl: reload, add and remove groups', () => {
  it('reloadConfig reports added, changed and removed groups', async () => {
    const { control, host, config } = setup([program('web'), program('old'), program('same')]);
    host.next = {
      ok: true, warnings: [], infos: [],
      config: { ...config, groups: [program('web', { command: '/bin/web --new' }), program('same'), program('extra')] },
    };
    expect(await control.reloadConfig()).toEqual([[['extra'], ['web'], ['old']]]);
  });

  it('reloadConfig answers CANT_REREAD with the config problems', async () => {
    const { control, host } = setup([program('web')]);
    host.next = {
      ok: false, warnings: [],
      issues: [
        { file: '/etc/test.conf', line: 3, section: 'program:x', key: 'startsecs', value: 'abc', message: 'not an integer' },
        { file: '/etc/test.conf', line: 0, section: null, key: null, value: null, message: 'no programs' },
      ],
    };
    expect(await failure(() => control.reloadConfig())).toEqual({
      fault: 'CANT_REREAD',
      message: "CANT_REREAD: /etc/test.conf:3 [program:x] startsecs='abc': not an integer\n/etc/test.conf: no programs",
    });
  });

  it('addProcessGroup adds a group of the reread config and starts its autostart programs', async () => {
    const { control, host, config, runner, supervisor } = setup([program('web')]);
    expect(await failure(() => control.addProcessGroup('extra'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: extra' });
    expect(await failure(() => control.addProcessGroup('web'))).toEqual({ fault: 'ALREADY_ADDED', message: 'ALREADY_ADDED: web' });
    host.next = {
      ok: true, warnings: [], infos: [],
      config: {
        ...config,
        groups: [program('web'), groupOf([
          programConfig({ name: 'auto', command: '/bin/auto', autostart: true }),
          programConfig({ name: 'manual', command: '/bin/manual', autostart: false }),
        ], 'extra')],
      },
    };
    await control.reloadConfig();
    expect(await control.addProcessGroup('extra')).toBe(true);
    expect(supervisor.groups.map((g) => g.config.name).sort()).toEqual(['extra', 'web']);
    expect(runner('auto').snapshot.state).toBe('STARTING');
    expect(runner('manual').snapshot.state).toBe('STOPPED');
    expect(await failure(() => control.addProcessGroup('extra'))).toEqual({ fault: 'ALREADY_ADDED', message: 'ALREADY_ADDED: extra' });
    expect((await control.getAllConfigInfo()).map((c) => [c['name'], c['inuse']])).toEqual([['auto', true], ['manual', true], ['web', true]]);
  });

  it('removeProcessGroup refuses a group with a running process (STILL_RUNNING), then removes it and closes its logs', async () => {
    const { control, spawner, supervisor, logs } = setup([program('web', { startMs: 0 }), program('other')]);
    await control.startProcess('web');
    expect(await failure(() => control.removeProcessGroup('web'))).toEqual({ fault: 'STILL_RUNNING', message: 'STILL_RUNNING: web' });
    const stop = control.stopProcess('web');
    spawner.children[0]?.exit({ code: null, signal: 'SIGTERM' });
    await stop;
    expect(await control.removeProcessGroup('web')).toBe(true);
    expect(supervisor.groups.map((g) => g.config.name)).toEqual(['other']);
    expect(logs.closed).toEqual(['web']);
    expect(await failure(() => control.getProcessInfo('web'))).toEqual({ fault: 'BAD_NAME', message: 'BAD_NAME: web' });
  });
});

describe('SupervisorControl: shutdown state, stdin, logs', () => {
  it('refuses work with SHUTDOWN_STATE once the supervisor is shutting down', async () => {
    const { control, supervisor, host } = setup([program('web')]);
    expect(await control.shutdown()).toBe(true);
    expect(host.shutdowns).toBe(1);
    void supervisor.shutdown();
    expect(await control.getState()).toEqual({ statecode: -1, statename: 'SHUTDOWN' });
    for (const work of [
      () => control.getProcessInfo('web'), () => control.startProcess('web'), () => control.stopProcess('web'),
      () => control.getAllProcessInfo(), () => control.startAllProcesses(), () => control.reloadConfig(),
      () => control.shutdown(), () => control.restart(), () => control.signalProcess('web', 'HUP'),
    ]) {
      expect(await failure(work)).toEqual({ fault: 'SHUTDOWN_STATE', message: 'SHUTDOWN_STATE' });
    }
    expect(host.shutdowns).toBe(1);
  });

  it('restart asks the host to restart', async () => {
    const { control, host } = setup([]);
    expect(await control.restart()).toBe(true);
    expect(host.restarts).toBe(1);
  });

  it('sendProcessStdin writes to a running child and refuses a stopped one with NOT_RUNNING', async () => {
    const { control, runner } = setup([program('web', { startMs: 0 }), program('idle')]);
    expect(await failure(() => control.sendProcessStdin('idle', 'x'))).toEqual({ fault: 'NOT_RUNNING', message: 'NOT_RUNNING: idle' });
    await control.startProcess('web');
    // The fake spawner's stdin is a PassThrough.
    const stdin = runner('web').stdin as PassThrough | null;
    const chunks: Buffer[] = [];
    stdin?.on('data', (chunk: Buffer) => chunks.push(chunk));
    expect(await control.sendProcessStdin('web', 'h\u00e9llo\n')).toBe(true);
    await settle();
    expect(Buffer.concat(chunks).toString('utf8')).toBe('h\u00e9llo\n');
    await control.stopProcess('web', false);
    expect(await failure(() => control.sendProcessStdin('web', 'x'))).toEqual({ fault: 'NOT_RUNNING', message: 'NOT_RUNNING: web' });
  });

  it('clears process logs; without a log file reads are NO_FILE and tails are empty; no main log is NO_FILE', async () => {
    const { control, logs } = setup([program('web'), program('other')]);
    expect(await control.clearProcessLogs('web')).toBe(true);
    expect(logs.cleared).toEqual(['web']);
    expect((await control.clearAllProcessLogs()).map((r) => [r.name, r.status])).toEqual([['other', 80], ['web', 80]]);
    expect(await failure(() => control.readProcessStderrLog('web', 0, 0))).toEqual({ fault: 'NO_FILE', message: 'NO_FILE: none' });
    expect(await control.tailProcessStderrLog('web', 0, 100)).toEqual(['', 0, false]);
    expect(await failure(() => control.readLog(0, 0))).toEqual({ fault: 'NO_FILE', message: 'NO_FILE' });
    expect(await failure(() => control.clearLog())).toEqual({ fault: 'NO_FILE', message: 'NO_FILE' });
  });
});
