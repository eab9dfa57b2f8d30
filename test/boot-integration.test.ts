// What the package ships for starting at boot, each run for real: the systemd unit through
// `systemd-analyze verify` (which fails on nothing but a missing binary, so any complaint on
// stderr fails the test), the init.d script's start/status/restart/reload/stop against a real
// daemon from this checkout, and the Dockerfile's ENTRYPOINT as PID 1 of a fresh pid namespace
// (docker itself is not here: that is as close as a test gets to `docker run`).
import { execa } from 'execa';
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CTL_BIN, DAEMON_BIN, ROOT } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { pidFromFile, readText, startDaemon, until } from './support/daemon-process.js';
import { tempDir, writeTree } from './support/tmp.js';
import { childrenOf, isGone, killQuietly, waitGone } from './support/wait.js';

const PACKAGING = join(ROOT, 'packaging');
const UNIT = join(PACKAGING, 'tssupervisord.service');
const INIT = join(PACKAGING, 'tssupervisord.init');
// Node on the PATH, as the bins' `#!/usr/bin/env -S node …` needs.
const PATH = `${dirname(process.execPath)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;

async function verify(unit: string): Promise<{ exitCode: number | undefined; stderr: string }> {
  const { exitCode, stderr } = await execa('systemd-analyze', ['verify', unit], { reject: false, timeout: 20_000 });
  return { exitCode, stderr };
}

describe('the systemd unit (packaging/tssupervisord.service)', () => {
  it('passes systemd-analyze verify without a single complaint; a broken copy does not', async () => {
    const dir = tempDir();
    copyFileSync(UNIT, join(dir, 'tssupervisord.service'));
    expect(await verify(join(dir, 'tssupervisord.service'))).toEqual({ exitCode: 0, stderr: '' });
    // The check can fail: an unknown key and a bad type are warnings only (exit 0) on stderr.
    writeFileSync(join(dir, 'broken.service'), readFileSync(UNIT, 'utf8').replace('Type=notify', 'Type=notifyy\nKilMode=mixed'));
    const broken = await verify(join(dir, 'broken.service'));
    expect(broken.stderr).toMatch(/Failed to parse service type.*notifyy/u);
    expect(broken.stderr).toMatch(/Unknown key 'KilMode'/u);
  }, 30_000);

  it('says what the README promises: notify, a HUP reload, SIGTERM to the daemon alone, the daemon in the foreground', () => {
    const unit = readFileSync(UNIT, 'utf8');
    for (const line of ['Type=notify', 'ExecStart=/usr/bin/env tssupervisord -n -c /etc/tssupervisord.conf', 'ExecReload=/bin/kill -HUP $MAINPID', 'KillMode=mixed', 'Restart=on-failure', 'WantedBy=multi-user.target']) {
      expect(unit.split('\n')).toContain(line);
    }
  });
});

describe('the init.d script (packaging/tssupervisord.init)', () => {
  // The init script passes its own PIDFILE with -j, whatever the config's pidfile says.
  const conf = (dir: string): string => `${controlledDaemonHeader(dir)}
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
`;

  it('is POSIX sh, with chkconfig and LSB headers', async () => {
    expect((await execa('sh', ['-n', INIT], { reject: false })).exitCode).toBe(0);
    const text = readFileSync(INIT, 'utf8');
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toMatch(/^# chkconfig: 345 83 04$/mu);
    expect(text).toMatch(/^# description: /mu);
    expect(text).toMatch(/^### BEGIN INIT INFO\n(# .*\n)*### END INIT INFO$/mu);
    expect(text).toMatch(/^# Provides: +tssupervisord$/mu);
  });

  it('start, status (0), restart (a new pid), reload, stop, status (3); a killed daemon is "dead" (1)', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': conf(dir) });
    const pidfile = join(dir, 'init.pid');
    const env = { DAEMON: DAEMON_BIN, CONFIG: join(dir, 'sup.conf'), PIDFILE: pidfile, STOP_TIMEOUT: '20', PATH };
    const init = async (action: string): Promise<{ code: number | undefined; out: string }> => {
      const r = await execa(INIT, [action], { env, cwd: dir, reject: false, timeout: 30_000, all: true });
      return { code: r.exitCode, out: r.all };
    };
    onTestFinished(() => {
      // A test failed half-way: nothing it started may outlive it.
      const pid = pidFromFile(pidfile);
      if (pid === undefined) return;
      for (const kid of childrenOf(pid)) killQuietly(kid.pid);
      killQuietly(pid);
    });
    const ctlStatus = async (): Promise<string> => (await execa(process.execPath, [CTL_BIN, '-c', join(dir, 'sup.conf'), 'status'], { reject: false, timeout: 15_000 })).stdout;

    expect(await init('status')).toEqual({ code: 3, out: 'tssupervisord is stopped' });
    const started = await init('start');
    expect(started.code).toBe(0);
    const first = pidFromFile(pidfile) ?? 0;
    expect(started.out).toBe(`Starting tssupervisord: OK (pid ${first})`);
    expect(await init('status')).toEqual({ code: 0, out: `tssupervisord (pid ${first}) is running` });
    expect(await init('start')).toEqual({ code: 0, out: `tssupervisord is already running (pid ${first})` });
    expect(await waitRunning(ctlStatus)).toMatch(/^sleeper +RUNNING +pid \d+/u);

    const restarted = await init('restart');
    expect(restarted.code).toBe(0);
    const second = pidFromFile(pidfile) ?? 0;
    expect(second).not.toBe(first);
    expect(isGone(first)).toBe(true);
    expect(restarted.out).toBe(`Stopping tssupervisord (pid ${first}): OK\nStarting tssupervisord: OK (pid ${second})`);

    expect(await init('reload')).toEqual({ code: 0, out: `Reloading tssupervisord (pid ${second}): OK` });
    await until('the reload', () => (/received SIGHUP indicating restart request/u.test(readText(join(dir, 'sup.log'))) ? true : undefined));
    expect(await waitRunning(ctlStatus)).toMatch(/^sleeper +RUNNING/u);

    expect(await init('stop')).toEqual({ code: 0, out: `Stopping tssupervisord (pid ${second}): OK` });
    expect(isGone(second)).toBe(true);
    expect(await init('status')).toEqual({ code: 3, out: 'tssupervisord is stopped' });
    expect(await init('stop')).toEqual({ code: 0, out: 'tssupervisord is not running' });
    expect(await init('reload')).toEqual({ code: 7, out: 'tssupervisord is not running' });

    // SIGKILLed: the pid file stays, and status says so (LSB: 1). The next start stops the
    // orphaned sleeper it left (the daemon's children record) and replaces the stale pid file.
    expect((await init('start')).code).toBe(0);
    const third = pidFromFile(pidfile) ?? 0;
    await waitRunning(ctlStatus);
    process.kill(third, 'SIGKILL');
    await waitGone(third);
    expect(await init('status')).toEqual({ code: 1, out: `tssupervisord is dead but its pid file ${pidfile} exists` });
    expect((await init('start')).code).toBe(0);
    expect(await init('stop')).toMatchObject({ code: 0 });
    expect(readText(join(dir, 'sup.log'))).toMatch(/stopped: sleeper \(pid \d+\) of the previous daemon/u);
    expect((await init('bogus')).code).toBe(2);

    // A start that fails says why and FAILED, exit 1; nothing is left running.
    writeTree(dir, { 'sup.conf': `${conf(dir)}\n[program:broken]\n` });
    const failed = await init('start');
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^Starting tssupervisord: [^]*\[program:broken\][^]*\nFAILED$/u);
    expect(await init('status')).toMatchObject({ code: 3 });
  }, 90_000);
});

async function waitRunning(status: () => Promise<string>): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const out = await status();
    if (/RUNNING/u.test(out) || Date.now() > deadline) return out;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the Dockerfile example (packaging/Dockerfile)', () => {
  it('its ENTRYPOINT runs the daemon as PID 1 on the shipped config, answering tssupervisorctl, and SIGTERM (docker stop) ends it with 0', async () => {
    const dockerfile = readFileSync(join(PACKAGING, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/mu.exec(dockerfile)?.[1] ?? 'null') as string[];
    expect(entrypoint).toEqual(['tssupervisord', '-n', '-c', '/etc/tssupervisord.conf']);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/mu);
    const dir = tempDir();
    // The image's layout in a folder: /etc/tssupervisord.conf as shipped (its /run and /var/log
    // paths moved into the folder, as the Dockerfile moves the log to stdout), the bins on PATH.
    const shipped = readFileSync(join(PACKAGING, 'tssupervisord.conf'), 'utf8');
    writeTree(dir, {
      'etc/tssupervisord.conf': shipped.replaceAll('/run/', `${dir}/`).replaceAll('/var/log', dir).replaceAll('/etc/tssupervisord.d/', `${dir}/etc/tssupervisord.d/`),
      'etc/tssupervisord.d/app.conf': '[program:app]\ncommand=/bin/sleep 1000\nstartsecs=0\n',
      'bin/.keep': '',
    });
    symlinkSync(DAEMON_BIN, join(dir, 'bin/tssupervisord'));
    const argv = entrypoint.map((arg) => (arg === '/etc/tssupervisord.conf' ? join(dir, 'etc/tssupervisord.conf') : arg));
    const d = startDaemon([], dir, join(dir, 'tssupervisord.log'), {
      command: ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', 'env', `PATH=${dir}/bin:${PATH}`, ...argv],
    });
    await d.waitForLog(/supervisord started with pid 1$/u);
    const daemon = await until('the daemon inside the namespace', () => childrenOf(d.child.pid ?? 0)[0]?.pid);
    onTestFinished(() => {
      killQuietly(daemon);
    });
    const status = async (): Promise<string> => (await execa(process.execPath, [CTL_BIN, '-c', join(dir, 'etc/tssupervisord.conf'), 'status'], { reject: false, timeout: 15_000 })).stdout;
    expect(await waitRunning(status)).toMatch(/^app +RUNNING +pid \d+/u);
    expect(readText(join(dir, 'tssupervisord.log'))).not.toMatch(/WARN running as PID 1/u);
    process.kill(daemon, 'SIGTERM');
    expect(await d.exited()).toBe(0);
  }, 30_000);
});
