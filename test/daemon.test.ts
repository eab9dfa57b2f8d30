import { execFileSync } from 'node:child_process';
import { readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDaemonCli } from './support/bins.js';
import { isGone, liveChildrenOf, pidFromFile, readText, startDaemon, until } from './support/daemon-process.js';
import { fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

function config(dir: string, programs: string, extra = ''): string {
  return `[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}
${extra}
${programs}`;
}

const sleeper = (name: string, priority = 999): string =>
  `[program:${name}]\ncommand=${fixture('sleep-forever.mjs')}\nstartsecs=0\npriority=${priority}\nstdout_logfile=%(here)s/${name}.log\n`;

describe('tssupervisord in the foreground', () => {
  it('logs supervisord lines to the file and stdout, and an orderly SIGTERM stops every child and exits 0', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir, sleeper('a', 10) + sleeper('b', 20)) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/INFO success: b entered RUNNING state/u);
    await d.waitForLog(/INFO success: a entered RUNNING state/u);
    const kids = liveChildrenOf(d.child.pid ?? 0);
    expect(kids).toHaveLength(2);
    expect(readText(`${dir}/sup.log`)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO supervisord started with pid \d+$/mu);
    expect(readText(`${dir}/sup.log`)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO spawned: 'a' with pid \d+$/mu);
    expect(pidFromFile(`${dir}/sup.pid`)).toBe(d.child.pid);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
    const log = readText(`${dir}/sup.log`);
    expect(log).toContain('WARN received SIGTERM indicating exit request');
    // Reverse priority: b (20) is stopped before a (10).
    expect(log.indexOf('stopped: b (terminated by SIGTERM)')).toBeLessThan(log.indexOf('stopped: a (terminated by SIGTERM)'));
    for (const pid of kids) expect(isGone(pid)).toBe(true);
    expect(pidFromFile(`${dir}/sup.pid`)).toBeUndefined();
    expect(d.stdout()).toContain("INFO spawned: 'a' with pid");
  });

  it('a character device as the main log is never rotated, whatever logfile_maxbytes', async () => {
    const dir = tempDir();
    // Our own null device node (1, 3) in the test's folder: a failing run renames this one, not /dev/null.
    execFileSync('mknod', [`${dir}/null`, 'c', '1', '3']);
    writeTree(dir, {
      'sup.conf': `[supervisord]\nlogfile=${dir}/null\nlogfile_maxbytes=1KB\nlogfile_backups=2\nloglevel=debug\npidfile=${dir}/sup.pid\n
[program:flood]
command=${fixture('flood-stdout.mjs', '16384')}
startsecs=0
autorestart=false
stdout_logfile=NONE
`,
    });
    // The log echoed to stdout (-n) is how we see it: the file is the null device.
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/null`);
    await until('flood to exit', () => (d.stdout().includes('exited: flood (exit status 0; expected)') ? true : undefined));
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
    expect(d.stdout().length).toBeGreaterThan(16_384);
    expect(statSync(`${dir}/null`).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('null'))).toEqual(['null']);
  });

  it('refuses a second daemon on the same pidfile, and replaces a stale one', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir, sleeper('a')), 'sup.pid': '999999\n' });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/Removed stale pidfile .*sup\.pid \(pid 999999 is not running\)/u);
    await d.waitForLog(/success: a entered RUNNING/u);
    const second = await runDaemonCli(['-c', 'sup.conf', '-n'], dir);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain(`Error: Another tssupervisord is already running as pid ${d.child.pid} (pidfile ${dir}/sup.pid)`);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it('SIGHUP reloads a changed config; a broken one is refused and the programs keep running', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir, sleeper('a')) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: a entered RUNNING/u);
    writeFileSync(`${dir}/sup.conf`, config(dir, `${sleeper('a')}[program:b]\ncommand=/bin/cat\nstartsecs=abc\n`));
    d.child.kill('SIGHUP');
    await d.waitForLog(/ERRO reload refused: .*sup\.conf:\d+ \[program:b\] startsecs='abc': not an integer/u);
    const pidOfA = liveChildrenOf(d.child.pid ?? 0);
    expect(pidOfA).toHaveLength(1);
    writeFileSync(`${dir}/sup.conf`, config(dir, sleeper('a') + sleeper('b')));
    d.child.kill('SIGHUP');
    await d.waitForLog(/WARN received SIGHUP indicating restart request/u);
    await d.waitForLog(/success: b entered RUNNING/u);
    await until('a respawned after reload', () => (readText(`${dir}/sup.log`).match(/spawned: 'a'/gu)?.length === 2 ? true : undefined));
    expect(isGone(pidOfA[0] ?? 0)).toBe(true);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it('SIGUSR2 reopens the daemon log and child logs (logrotate with create)', async () => {
    const dir = tempDir();
    const printer = `[program:p]\ncommand=/bin/sh -c "echo first; trap 'echo second' USR1; while true; do sleep 0.05; done"\nstartsecs=0\nstdout_logfile=%(here)s/p.log\n`;
    writeTree(dir, { 'sup.conf': config(dir, printer) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: p entered RUNNING/u);
    await until('first line', () => (readText(`${dir}/p.log`) === 'first\n' ? true : undefined));
    renameSync(`${dir}/sup.log`, `${dir}/sup.log.1`);
    renameSync(`${dir}/p.log`, `${dir}/p.log.1`);
    d.child.kill('SIGUSR2');
    await d.waitForLog(/INFO supervisord logreopen/u);
    const [pid] = liveChildrenOf(d.child.pid ?? 0);
    process.kill(pid ?? 0, 'SIGUSR1');
    await until('second line in the new file', () => (readText(`${dir}/p.log`) === 'second\n' ? true : undefined));
    expect(readText(`${dir}/p.log.1`)).toBe('first\n');
    expect(readText(`${dir}/sup.log.1`)).toContain('received SIGUSR2 indicating log reopen request');
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});

describe('tssupervisord as a daemon', () => {
  it('detaches, writes the pidfile, and stops its children when that pid gets SIGTERM', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir, sleeper('a')) });
    const started = await runDaemonCli(['-c', join(dir, 'sup.conf')], dir);
    expect(started.exitCode).toBe(0);
    const pid = await until('pidfile', () => pidFromFile(`${dir}/sup.pid`));
    await until('a RUNNING', () => (readText(`${dir}/sup.log`).includes('success: a entered RUNNING') ? true : undefined));
    const kids = liveChildrenOf(pid);
    expect(kids).toHaveLength(1);
    process.kill(pid, 'SIGTERM');
    await until('daemon exit', () => (isGone(pid) ? true : undefined));
    expect(kids.every(isGone)).toBe(true);
    expect(pidFromFile(`${dir}/sup.pid`)).toBeUndefined();
  });

  it('reports a config error in the foreground and does not detach', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir, '[program:a]\ncommand=/bin/cat\nstartsecs=abc\n') });
    const result = await runDaemonCli(['-c', 'sup.conf'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("sup.conf:8 [program:a] startsecs='abc': not an integer");
  });
});
