import { describe, expect, it } from 'vitest';
import { FakeClock, FakeSpawner } from '../../test/support/fakes.js';
import { programConfig } from '../../test/support/supervisor-harness.js';
import { ProcessRunner } from './runner.js';

function setup(overrides: Partial<Parameters<typeof programConfig>[0]> = {}, environment = (): Record<string, string> => ({ PATH: '/bin' })) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner();
  const logs: string[] = [];
  const daemon = { shuttingDown: false };
  const runner = new ProcessRunner(programConfig({ name: 'web', command: '/bin/web --flag', startMs: 1000, ...overrides }), {
    spawner, clock,
    stat: (file: string) => (file.startsWith('/nonexistent') ? undefined : { isDirectory: false, mode: 0o755, executable: true }),
    log: (level, message) => logs.push(`${level} ${message}`),
    onStateChange: () => undefined,
    environment,
    output: { attach: () => undefined },
    shuttingDown: () => daemon.shuttingDown,
    isRoot: true,
    gidOf: () => undefined,
  });
  return { clock, spawner, logs, runner, daemon };
}

/** Lets the exit promise's continuation run. */
const settle = async (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ProcessRunner performs the machine effects on its seams', () => {
  it("takes a late kill failure (kill's `failed`) as the run's signalFailed, ignores ESRCH and one of an earlier run", async () => {
    const { clock, spawner, runner, logs } = setup({ autorestart: 'true', startMs: 0 });
    const soon: { pid: number; fail: (error: NodeJS.ErrnoException) => void }[] = [];
    // A spawner that reports kill failures later, as the native one does.
    Object.assign(spawner, {
      kill: (pid: number, _signal: string, _group: boolean, fail: (error: NodeJS.ErrnoException) => void) => { soon.push({ pid, fail }); },
    });
    const failure = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`kill ${code}`), { code });
    runner.start();
    clock.advance(1);
    runner.stop();
    expect(soon.map((k) => k.pid)).toEqual([100]);
    expect(spawner.signals).toEqual([]);
    soon[0]?.fail(failure('ESRCH'));
    expect(runner.snapshot.state).toBe('STOPPING');
    // The run ends and a new one starts before the first stop's failure comes in: no news for it.
    spawner.children[0]?.exit({ code: null, signal: 'SIGTERM' });
    await settle();
    runner.start();
    clock.advance(1);
    expect(runner.snapshot).toMatchObject({ state: 'RUNNING', pid: 101 });
    soon[0]?.fail(failure('EPERM'));
    expect(runner.snapshot.state).toBe('RUNNING');
    runner.stop();
    soon[1]?.fail(failure('EPERM'));
    expect(runner.snapshot.state).toBe('UNKNOWN');
    expect(logs).toContain('critical unknown problem killing web (101):kill EPERM');
  });

  it('spawns, becomes RUNNING exactly after startsecs by timer, and respawns at once on an unexpected exit', async () => {
    const { clock, spawner, runner } = setup({ autorestart: 'unexpected' });
    runner.start();
    expect(spawner.children.map((c) => c.spec.argv)).toEqual([['/bin/web', '--flag']]);
    clock.advance(1000);
    expect(runner.snapshot.state).toBe('STARTING');
    clock.advance(1);
    expect(runner.snapshot.state).toBe('RUNNING');
    spawner.children[0]?.exit({ code: 3, signal: null });
    await settle();
    expect(spawner.children).toHaveLength(2);
    expect(runner.snapshot.state).toBe('STARTING');
  });

  it('marks a spawn that answers a start as asked for, and a restart on its own as not', async () => {
    const { clock, spawner, runner } = setup({ autorestart: 'unexpected', startMs: 0 });
    runner.start();
    clock.advance(1);
    spawner.children[0]?.exit({ code: 3, signal: null });
    await settle();
    expect(spawner.children.map((c) => c.asked)).toEqual([true, false]);
  });

  it('asks for the environment at each spawn, and finds the command on that PATH', async () => {
    let path = '/bin';
    const { clock, spawner, runner } = setup({ command: 'web', autorestart: 'unexpected', startMs: 0 }, () => ({ PATH: path, MARK: path }));
    runner.start();
    clock.advance(1);
    path = '/usr/bin';
    spawner.children[0]?.exit({ code: 3, signal: null });
    await settle();
    expect(spawner.children.map((c) => [c.spec.file, c.spec.env['MARK']])).toEqual([['/bin/web', '/bin'], ['/usr/bin/web', '/usr/bin']]);
  });

  it('never restarts a FATAL process, however long we wait', async () => {
    const { clock, spawner, runner } = setup({ startRetries: 1 });
    runner.start();
    spawner.children[0]?.exit({ code: 1, signal: null });
    await settle();
    clock.advance(1000);
    spawner.children[1]?.exit({ code: 1, signal: null });
    await settle();
    expect(runner.snapshot.state).toBe('FATAL');
    clock.advance(24 * 3600 * 1000);
    expect(spawner.children).toHaveLength(2);
  });

  it('stops with the stop signal, reports every 2 s when asked, and SIGKILLs the group after stopwaitsecs', async () => {
    const { clock, spawner, runner, logs } = setup({ stopSignal: 'INT', stopWaitMs: 5000, killAsGroup: true, startMs: 0 });
    runner.start();
    runner.stop();
    runner.reportStopping();
    expect(spawner.signals).toEqual([{ pid: 100, signal: 'INT', group: false }]);
    clock.advance(4999);
    expect(logs.filter((l) => l === 'info waiting for web to stop')).toHaveLength(3);
    clock.advance(1);
    expect(spawner.signals[1]).toEqual({ pid: 100, signal: 'KILL', group: true });
    expect(logs).toContain("warn killing 'web' (100) with SIGKILL");
    spawner.children[0]?.exit({ code: null, signal: 'SIGKILL' });
    await settle();
    expect(runner.snapshot.state).toBe('STOPPED');
    expect(logs.at(-1)).toBe('warn stopped: web (terminated by SIGKILL)');
  });

  it('a stop nobody waits on (a shutdown, a restart by a watch) does not say `waiting for web to stop`', async () => {
    const { clock, spawner, runner, logs } = setup({ stopWaitMs: 5000, startMs: 0 });
    runner.start();
    runner.stop();
    clock.advance(4999);
    expect(runner.snapshot.state).toBe('STOPPING');
    spawner.children[0]?.exit({ code: null, signal: 'SIGTERM' });
    await settle();
    expect(logs.filter((l) => l.includes('waiting for'))).toEqual([]);
  });

  it('turns a missing directory into a spawn error without spawning', () => {
    const { spawner, runner, logs } = setup({ directory: '/nonexistent' });
    runner.start();
    expect(spawner.children).toHaveLength(0);
    expect(runner.snapshot.state).toBe('BACKOFF');
    expect(logs).toContain('info spawnerr: couldn\'t chdir to /nonexistent: ENOENT');
  });

  it('does not start a spawn that was stopped while it waited for its turn', () => {
    const { spawner, runner, logs } = setup();
    spawner.queued = true;
    runner.start();
    runner.stop();
    expect(runner.snapshot.state).toBe('STOPPING');
    spawner.runQueued();
    expect(spawner.children).toHaveLength(0);
    expect(runner.snapshot.state).toBe('STOPPED');
    expect(logs).toContain('info stopped: web (before it was spawned)');
  });

  it('drops a queued spawn when the daemon starts shutting down before its turn', () => {
    const { spawner, runner, logs, daemon } = setup();
    spawner.queued = true;
    runner.start();
    daemon.shuttingDown = true;
    spawner.runQueued();
    expect(spawner.children).toHaveLength(0);
    expect(runner.snapshot.state).toBe('STOPPED');
    expect(logs).toContain('info stopped: web (before it was spawned)');
  });

  it('turns the errno of a refused spawn into supervisord\'s spawnerr', () => {
    const { spawner, runner, logs } = setup();
    spawner.spawn = (request) => {
      request.settle({ kind: 'failed', code: 'EMFILE' });
    };
    runner.start();
    expect(runner.snapshot.state).toBe('BACKOFF');
    expect(runner.snapshot.spawnErr).toBe("too many open files to spawn 'web' (EMFILE)");
    expect(logs).toContain("info spawnerr: too many open files to spawn 'web' (EMFILE)");
  });
});
