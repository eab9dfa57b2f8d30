import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../src/host/native-addon.js';
import { spawnAddonOf } from '../src/host/native-spawner.js';
import { readText, startDaemon, until } from './support/daemon-process.js';
import { FIXTURES, fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

function supervisord(dir: string, extra = ''): string {
  return `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\nchildlogdir=${dir}/auto\n${extra}\n`;
}

async function stop(d: ReturnType<typeof startDaemon>): Promise<void> {
  d.child.kill('SIGTERM');
  expect(await d.exited()).toBe(0);
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/u.exec(readText(`/proc/${pid}/status`))?.[1] ?? 0);
}

describe('child log files', () => {
  it('AUTO logs are named like supervisord\'s, in childlogdir; old ones are cleared at start unless nocleanup', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'auto/old-stdout---supervisor-abcd1234.log': 'old\n',
      'auto/old-stdout---supervisor-abcd1234.log.1': 'older\n',
      'auto/keep-me.log': 'not ours\n',
      'sup.conf': `${supervisord(dir)}[program:hello]\ncommand=/bin/sh -c "echo hi; echo err >&2; exec sleep 100"\nstartsecs=0\n`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: hello entered RUNNING/u);
    const names = (): string[] => readdirSync(`${dir}/auto`).sort();
    await until('AUTO stdout log with output', () => {
      const out = names().find((n) => /^hello-stdout---supervisor-[a-z0-9_]{8}\.log$/u.test(n));
      return out !== undefined && readText(`${dir}/auto/${out}`) === 'hi\n' ? out : undefined;
    });
    expect(names().some((n) => /^hello-stderr---supervisor-[a-z0-9_]{8}\.log$/u.test(n))).toBe(true);
    expect(names()).not.toContain('old-stdout---supervisor-abcd1234.log');
    expect(names()).not.toContain('old-stdout---supervisor-abcd1234.log.1');
    expect(names()).toContain('keep-me.log');
    await stop(d);
  });

  it('rotates at maxbytes with supervisord naming, losing no byte; NONE drains so the child never blocks', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'auto/.keep': '',
      'sup.conf': `${supervisord(dir)}
[program:flood]
command=${fixture('flood-stdout.mjs', 2_000_000, 100)}
startsecs=0
autorestart=false
stdout_logfile=%(here)s/flood.log
stdout_logfile_maxbytes=100KB
stdout_logfile_backups=50
[program:dropped]
command=${fixture('flood-stdout.mjs', 20_000_000, 100)}
startsecs=0
autorestart=false
stdout_logfile=NONE
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/exited: flood \(exit status 0; expected\)/u);
    await d.waitForLog(/exited: dropped \(exit status 0; expected\)/u, 20_000);
    const rotated = readdirSync(dir).filter((n) => /^flood\.log\.\d+$/u.test(n)).map((n) => Number(n.split('.').pop()));
    // As supervisord, we rotate after the write that crosses maxbytes, so each rotated file holds
    // at least maxbytes, and at most one read (256 KiB, from a pipe grown when found full) more:
    // 2 MB make at least 7 rotations and at most 20 (well within 50 backups).
    expect(rotated.length).toBeGreaterThanOrEqual(7);
    const ordered = [...rotated.sort((a, b) => b - a).map((i) => `${dir}/flood.log.${i}`), `${dir}/flood.log`];
    for (const f of ordered.slice(0, -1)) expect(statSync(f).size).toBeGreaterThanOrEqual(100 * 1024);
    const all = ordered.map((f) => readFileSync(f, 'utf8')).join('');
    expect(all.length).toBe(2_000_000);
    const numbers = all.split('\n').filter(Boolean).map((l) => Number(l.split(' ')[0]));
    expect(numbers).toEqual(numbers.map((_, i) => i));
    await stop(d);
  });

  it('children get real pipes: a program may open /dev/stdout and /dev/stderr by path, as under supervisord', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'auto/.keep': '',
      'sup.conf': `${supervisord(dir, 'loglevel=debug')}
[program:bypath]
command=/bin/sh -c "echo fd1; echo by-path > /dev/stdout; echo err-by-path > /dev/stderr"
startsecs=0
autorestart=false
stdout_logfile=%(here)s/out.log
stderr_logfile=%(here)s/err.log
[program:merged]
command=/bin/sh -c "echo one; echo two >&2; echo three > /dev/stderr"
startsecs=0
autorestart=false
redirect_stderr=true
stdout_logfile=%(here)s/merged.log
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/exited: bypath \(exit status 0; expected\)/u);
    await d.waitForLog(/exited: merged \(exit status 0; expected\)/u);
    await until('both logs', () => (readText(`${dir}/err.log`) === 'err-by-path\n' ? true : undefined));
    expect(readText(`${dir}/out.log`)).toBe('fd1\nby-path\n');
    await until('merged log', () => (readText(`${dir}/merged.log`) === 'one\ntwo\nthree\n' ? true : undefined));
    // Real pipes either way: the addon's pipe2() where it can spawn here, else the FIFO pool.
    const spawner = spawnAddonOf(loadNativeAddon()) === null ? 'node:child_process' : 'the native addon';
    expect(readText(`${dir}/sup.log`)).toContain(`children are spawned by ${spawner}`);
    await stop(d);
  });

  it('strip_ansi removes escapes and *_logfile_timestamps stamps each line', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'auto/.keep': '',
      'sup.conf': `${supervisord(dir, 'strip_ansi=true')}
[program:color]
command=/usr/bin/printf "\\033[31mred\\033[0m\\nplain\\n"
startsecs=0
autorestart=false
stdout_logfile=%(here)s/color.log
stdout_logfile_timestamps=true
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/exited: color/u);
    // Written off the event loop: the last lines may land just after the exit is logged.
    await until('both lines in color.log', () => (readText(`${dir}/color.log`).includes('plain') ? true : undefined));
    expect(readText(`${dir}/color.log`)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z red\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z plain\n$/u);
    await stop(d);
  });

  it('a log folder removed under a running program is noticed, logged once and recreated; a file that cannot be opened gets a clear line', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'auto/.keep': '',
      'gone/.keep': '',
      'locked.log/.keep': '',
      'sup.conf': `${supervisord(dir)}
[program:ticker]
command=/bin/sh -c "while true; do echo tick; sleep 0.05; done"
startsecs=0
stdout_logfile=%(here)s/gone/ticker.log
[program:locked]
command=/bin/sh -c "while true; do echo tock; sleep 0.05; done"
startsecs=0
stdout_logfile=%(here)s/locked.log
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/ERRO locked stdout log .*locked\.log: .*EISDIR.*output is dropped until it can be written/u);
    await d.waitForLog(/success: ticker entered RUNNING/u);
    await until('ticks in the log', () => (readText(`${dir}/gone/ticker.log`).includes('tick') ? true : undefined));
    // A careless cleanup removes the folder: the open file is a deleted inode, writes still succeed.
    rmSync(`${dir}/gone`, { recursive: true });
    await d.waitForLog(/ERRO ticker stdout log .*gone\/ticker\.log was removed while in use: recreated it \(and its folder\) and reopened/u, 5000);
    await until('ticks in the recreated file', () => (readText(`${dir}/gone/ticker.log`).includes('tick') ? true : undefined));
    await until('more ticks', () => ((readText(`${dir}/gone/ticker.log`).match(/tick/gu)?.length ?? 0) >= 25 ? true : undefined));
    expect(readText(`${dir}/sup.log`).match(/ticker\.log was removed while in use/gu)).toHaveLength(1);
    // A second removal is a new event, reported again.
    rmSync(`${dir}/gone`, { recursive: true });
    await until('second report', () => (readText(`${dir}/sup.log`).match(/ticker\.log was removed while in use/gu)?.length === 2 ? true : undefined), 5000);
    expect(readText(`${dir}/sup.log`)).not.toMatch(/exited: (ticker|locked)/u);
    await stop(d);
  });

  it('two programs logging to one file: the daemon says so', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'auto/.keep': '',
      'sup.conf': `${supervisord(dir)}
[program:a]
command=/bin/sleep 100
stdout_logfile=%(here)s/shared.log
[program:b]
command=/bin/sleep 100
stdout_logfile=%(here)s/shared.log
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/ERRO log file .*shared\.log is shared by a:a stdout, b:b stdout: their lines interleave/u);
    await stop(d);
  });

  it('/dev/null (a character device) for every log is never a shared log file, as supervisord says nothing', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'auto/.keep': '',
      'sup.conf': `${supervisord(dir)}
[program:extra]
command=/bin/sleep 100
stdout_logfile=/dev/null
stderr_logfile=/dev/null
[program:other]
command=/bin/sleep 100
stdout_logfile=/dev/null
[program:c]
command=/bin/sleep 100
stdout_logfile=%(here)s/shared.log
[program:d]
command=/bin/sleep 100
stdout_logfile=%(here)s/shared.log
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    // The check ran (c and d do share a file) and said nothing about /dev/null.
    await d.waitForLog(/ERRO log file .*shared\.log is shared by c:c stdout, d:d stdout/u);
    await d.waitForLog(/success: other entered RUNNING/u);
    expect(readText(`${dir}/sup.log`).split('\n').filter((l) => l.includes('/dev/null'))).toEqual([]);
    await stop(d);
  });

  it('a character device as a log is never rotated (supervisord\'s tell() on it is 0), whatever its maxbytes', async () => {
    const dir = tempDir();
    writeTree(dir, { 'auto/.keep': '' });
    // Our own null device node (1, 3) in the test's folder: a failing run renames this one, not /dev/null.
    execFileSync('mknod', [`${dir}/null`, 'c', '1', '3']);
    writeTree(dir, {
      'sup.conf': `${supervisord(dir)}
[program:flood]
command=${fixture('flood-stdout.mjs', '65536')}
startsecs=0
autorestart=false
stdout_logfile=%(here)s/null
stdout_logfile_maxbytes=1KB
stdout_logfile_backups=2
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/exited: flood \(exit status 0; expected\)/u);
    expect(statSync(`${dir}/null`).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('null'))).toEqual(['null']);
    await stop(d);
  });

  it('grows the pipe of a child that fills it (fewer, larger reads), and only that one', async () => {
    const dir = tempDir();
    const program = (name: string, bytes: number): string => `[program:${name}]
command=/usr/bin/python3 ${FIXTURES}pipe-capacity.py ${bytes}
startsecs=0
autorestart=false
stdout_logfile=%(here)s/${name}.log
stderr_logfile=%(here)s/${name}.err
`;
    writeTree(dir, { 'auto/.keep': '', 'sup.conf': `${supervisord(dir)}${program('flood', 256 * 1024 * 1024)}${program('quiet', 100)}` });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/exited: flood \(exit status 0; expected\)/u, 60_000);
    await d.waitForLog(/exited: quiet \(exit status 0; expected\)/u);
    const [, capacity, written] = /^capacity (\d+) after (\d+)\n$/u.exec(readText(`${dir}/flood.err`)) ?? [];
    expect(Number(capacity)).toBe(256 * 1024);
    // Grown once the daemon saw it full, long before the 256 MiB ran out; every byte logged.
    expect(Number(written)).toBeLessThan(256 * 1024 * 1024);
    await until('flood.log complete', () => statSync(`${dir}/flood.log`).size === Number(written) || undefined);
    expect(readText(`${dir}/quiet.err`)).toBe('capacity 65536 after 100\n');
    await stop(d);
  });

  it('keeps the daemon\'s memory flat while a child writes 256 MiB through rotation', async () => {
    const dir = tempDir();
    const total = 256 * 1024 * 1024;
    writeTree(dir, {
      'auto/.keep': '',
      'sup.conf': `${supervisord(dir)}
[program:big]
command=${fixture('flood-stdout.mjs', total, 64)}
startsecs=0
autorestart=false
autostart=true
stdout_logfile=%(here)s/big.log
stdout_logfile_maxbytes=16MB
stdout_logfile_backups=2
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n', '-s'], dir, `${dir}/sup.log`);
    const pid = d.child.pid ?? 0;
    await d.waitForLog(/supervisord started/u);
    const idle = rssKb(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKb(pid));
    }, 20);
    await d.waitForLog(/exited: big \(exit status 0; expected\)/u, 60_000);
    clearInterval(sampler);
    expect((peak - idle) / 1024).toBeLessThan(20);
    writeFileSync(`${dir}/peak.txt`, `${idle} ${peak}`);
    await stop(d);
  }, 90_000);
});
