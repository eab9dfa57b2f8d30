// The daemon under a Type=notify unit: systemd's NOTIFY_SOCKET hears READY=1 once the daemon's
// control socket listens and its autostart programs' starts are asked for, RELOADING=1 … READY=1
// around SIGHUP, STOPPING=1 at SIGTERM, all from the daemon's own pid; no child inherits
// NOTIFY_SOCKET or the other variables systemd hands the main process, while a ready=notify
// program still gets (and passes on) a socket of its own. The receiver is a real unix datagram
// socket (the addon's), as systemd's is.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadNativeAddon, type NativeAddon } from '../src/host/native-addon.js';
import { ROOT } from './support/bins.js';
import { readText, startDaemon, until } from './support/daemon-process.js';
import { FIXTURES, fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

const PYTHON = '/usr/bin/python3';
const SYSTEMD_VARS = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES'];

function addon(): Required<NativeAddon> {
  const loaded = loadNativeAddon();
  if ('missing' in loaded || loaded.notifySend === undefined || loaded.openNotifySocket === undefined) {
    throw new Error(`the native addon with notifySend is needed: ${'missing' in loaded ? loaded.missing : 'an old build'}`);
  }
  return loaded as Required<NativeAddon>;
}

interface Datagram {
  readonly text: string;
  readonly pid: number;
  /** Whether the daemon's control socket existed when the datagram arrived. */
  readonly socketListening: boolean;
  /** The daemon's log as it was then. */
  readonly log: string;
}

/** A stand-in for systemd's notify socket at `path`: every datagram, in order. */
function receiver(path: string, controlSocket: string, logfile: string): Datagram[] {
  const got: Datagram[] = [];
  const { openNotifySocket, closeNotifySocket } = addon();
  const opened = openNotifySocket(path, 0o600, (data, pid) => {
    got.push({ text: data.toString(), pid, socketListening: existsSync(controlSocket), log: readText(logfile) });
  });
  if (!('handle' in opened)) throw new Error(`cannot open ${path}: errno ${opened.errno}`);
  onTestFinished(() => {
    closeNotifySocket(opened.handle);
  });
  return got;
}

function config(dir: string): string {
  return `[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}

[unix_http_server]
file=${dir}/ctl.sock

[program:env]
command=${fixture('print-env.mjs', ...SYSTEMD_VARS)}
startsecs=0
stdout_logfile=${dir}/env.log

[program:notified]
command=${PYTHON} ${FIXTURES}notify-after.py 1000
ready=notify
startsecs=0

[program:waits]
command=/bin/sleep 1000
depends_on=notified
startsecs=0
`;
}

/** The systemd variables as a unit would give them; LISTEN_PID/WATCHDOG_PID name the daemon's launcher. */
const systemdEnv = (socket: string): Record<string, string> => ({
  NOTIFY_SOCKET: socket, WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid), LISTEN_FDS: '1', LISTEN_PID: String(process.pid), LISTEN_FDNAMES: 'x',
});

describe('tssupervisord tells systemd (sd_notify)', () => {
  it('READY=1 once up, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM, from its own pid; children see none of systemd\'s variables', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir) });
    const got = receiver(join(dir, 'notify.sock'), join(dir, 'ctl.sock'), join(dir, 'sup.log'));
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { env: systemdEnv(join(dir, 'notify.sock')) });
    const pid = d.child.pid ?? 0;
    await until('READY=1', () => (got.length > 0 ? true : undefined));
    const [ready] = got;
    expect(ready?.text).toMatch(/^READY=1\nSTATUS=3 processes, 3 autostart, started \(tssupervisorctl status shows their states\)\nMAINPID=\d+$/u);
    expect(ready?.text).toContain(`MAINPID=${pid}`);
    expect(ready?.pid).toBe(pid);
    expect(ready?.socketListening).toBe(true);
    // The first wave is spawned, not merely asked for; what waits for its depends_on is not
    // waited for (notified says READY=1 a second after its start).
    expect(ready?.log).toMatch(/spawned: 'env' with pid \d+/u);
    expect(ready?.log).toMatch(/spawned: 'notified' with pid \d+/u);
    expect(ready?.log).not.toMatch(/spawned: 'waits'/u);
    await d.waitForLog(/spawned: 'waits' with pid \d+/u);
    // The child's environment has none of them; the ready=notify program got its own socket
    // (not ours: nothing but the daemon's datagrams reached us) and passed.
    const env = await until('env.log', () => (/READY \d+/u.test(readText(`${dir}/env.log`)) ? readText(`${dir}/env.log`) : undefined));
    for (const name of SYSTEMD_VARS) expect(env).toContain(`${name}=<unset>\n`);
    await d.waitForLog(/success: notified entered RUNNING state/u);
    expect(got.map((g) => g.pid)).toEqual([pid]);

    d.child.kill('SIGHUP');
    await until('RELOADING=1 and READY=1 again', () => (got.length >= 3 ? true : undefined));
    expect(got[1]?.text).toMatch(/^RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=reloading the config$/u);
    // MONOTONIC_USEC is CLOCK_MONOTONIC, as systemd compares it: about now, in microseconds.
    const usec = Number(/MONOTONIC_USEC=(\d+)/u.exec(got[1]?.text ?? '')?.[1]);
    expect(Math.abs(usec / 1000 - Number(process.hrtime.bigint() / 1_000_000n))).toBeLessThan(10_000);
    expect(got[2]?.text).toMatch(/^READY=1\n/u);
    await d.waitForLog(/success: notified entered RUNNING state/u);

    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
    expect(got.slice(3).map((g) => g.text)).toEqual(['STOPPING=1\nSTATUS=stopping every program']);
    expect(got.every((g) => g.pid === pid)).toBe(true);
  }, 30_000);

  it('a reload refused (a broken config) says so in STATUS and sends no RELOADING=1', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir) });
    const got = receiver(join(dir, 'notify.sock'), join(dir, 'ctl.sock'), join(dir, 'sup.log'));
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { env: systemdEnv(join(dir, 'notify.sock')) });
    await until('READY=1', () => (got.length > 0 ? true : undefined));
    writeTree(dir, { 'sup.conf': `${config(dir)}\n[program:broken]\n` });
    d.child.kill('SIGHUP');
    await until('the refusal', () => (got.length >= 2 ? true : undefined));
    expect(got[1]?.text).toBe('STATUS=reload refused: the config has problems; still running the previous config');
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
    expect(got.map((g) => g.text.split('\n')[0])).toEqual(['READY=1', 'STATUS=reload refused: the config has problems; still running the previous config', 'STOPPING=1']);
  }, 30_000);

  it('without the native addon: one warning that systemd will not hear READY=1, and children still see no NOTIFY_SOCKET', async () => {
    const dir = tempDir();
    // An install whose addon could not be built: the same dist/, no build/ (as pid1-reaper.test.ts).
    const install = join(dir, 'install');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(install, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'));
    writeTree(dir, { 'sup.conf': config(dir) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { bin: join(install, 'bin/tssupervisord.js'), env: systemdEnv(join(dir, 'notify.sock')) });
    await d.waitForLog(/WARN NOTIFY_SOCKET is set but systemd will not hear READY=1 \(.*host\.node could not be loaded .*\): use Type=simple in the unit/u);
    const env = await until('env.log', () => (/READY \d+/u.test(readText(`${dir}/env.log`)) ? readText(`${dir}/env.log`) : undefined));
    for (const name of SYSTEMD_VARS) expect(env).toContain(`${name}=<unset>\n`);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
    expect(readText(`${dir}/sup.log`).match(/NOTIFY_SOCKET is set/gu)).toHaveLength(1);
  }, 30_000);
});

describe('the addon\'s notifySend', () => {
  it('reaches an abstract socket (@name, as sd_notify maps it to a leading NUL) with the exact bytes', async () => {
    const name = `tss-notify-test-${process.pid}-${Date.now()}`;
    // Python's AF_UNIX takes a leading NUL as an abstract name, as the kernel does.
    const py = spawn(PYTHON, ['-c', `import socket,sys
s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)
s.bind('\\0${name}')
print('bound',flush=True)
s.settimeout(10)
sys.stdout.write(repr(s.recv(4096))+'\\n')`], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => {
      py.kill();
    });
    let out = '';
    py.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await until('the receiver bound', () => (out.includes('bound') ? true : undefined));
    expect(addon().notifySend(`@${name}`, 'READY=1\nSTATUS=é')).toBe(0);
    await until('the datagram', () => (out.includes("b'") ? true : undefined));
    expect(out.split('\n')[1]).toBe(String.raw`b'READY=1\nSTATUS=\xc3\xa9'`);
  });

  it('answers an errno instead of throwing: nobody listening, a relative path, a path longer than sun_path', () => {
    const { notifySend } = addon();
    const dir = tempDir();
    expect(notifySend(join(dir, 'none.sock'), 'READY=1')).toBe(2); // ENOENT
    expect(notifySend('@tss-nobody-listens-here', 'READY=1')).toBe(111); // ECONNREFUSED
    expect(notifySend('relative.sock', 'READY=1')).toBe(22); // EINVAL
    expect(notifySend(`/${'x'.repeat(120)}`, 'READY=1')).toBe(36); // ENAMETOOLONG
    expect(notifySend(`@${'x'.repeat(120)}`, 'READY=1')).toBe(36);
  });
});
