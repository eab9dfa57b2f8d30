import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_BIN } from './support/bins.js';
import { isGone, pidFromFile, readText, startDaemon, until } from './support/daemon-process.js';
import { FIXTURES, fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

// A shell that opens descriptors 100, 200 and 1000 (as a careless launcher or CI runner does),
// then becomes the given command: the daemon starts with them open.
const OPEN_FDS = ['bash', '-c', 'exec 100</dev/null 200>/dev/null 1000</dev/null; exec "$@"', 'bash'];

function config(dir: string): string {
  return `[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}

[program:fds]
command=${fixture('list-inherited-fds.mjs')}
startsecs=0
autorestart=false
stdout_logfile=%(here)s/fds.log

[program:env]
command=/usr/bin/env
startsecs=0
autorestart=false
stdout_logfile=%(here)s/env.log
`;
}

describe('descriptors inherited from the launcher', () => {
  it('the fixture sees what a launcher leaves open (so the tests below can fail)', async () => {
    const { stdout } = await execa(OPEN_FDS[0] ?? 'bash', [...OPEN_FDS.slice(1), process.execPath, `${FIXTURES}list-inherited-fds.mjs`]);
    // The test runner's own environment may leak more (its harness's pipes): 100, 200, 1000 are ours.
    expect(/^INHERITED (.+)$/u.exec(stdout)?.[1]?.split(',').map(Number)).toEqual(expect.arrayContaining([100, 200, 1000]));
  });

  it('in the foreground: children get 0, 1, 2 and nothing else, and the daemon says what it closed', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { via: OPEN_FDS });
    const closed = await d.waitForLog(/INFO closed file descriptors inherited from the launcher so children do not get them: /u);
    expect(closed.split(': ')[1]?.split(', ').map(Number)).toEqual(expect.arrayContaining([100, 200, 1000]));
    await d.waitForLog(/exited: fds \(exit status 0; expected\)/u);
    expect(readText(`${dir}/fds.log`)).toBe('INHERITED none\n');
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it('in daemon mode: the same, and the detached daemon still reports to its foreground process', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir) });
    const started = await execa(OPEN_FDS[0] ?? 'bash', [...OPEN_FDS.slice(1), process.execPath, DAEMON_BIN, '-c', join(dir, 'sup.conf')], { cwd: dir, reject: false, timeout: 15_000 });
    expect(started.exitCode).toBe(0);
    const pid = await until('pidfile', () => pidFromFile(`${dir}/sup.pid`));
    await until('fds exited', () => (readText(`${dir}/sup.log`).includes('exited: fds (exit status 0; expected)') ? true : undefined));
    expect(readText(`${dir}/fds.log`)).toBe('INHERITED none\n');
    const closed = /closed file descriptors inherited from the launcher so children do not get them: (.*)$/mu.exec(readText(`${dir}/sup.log`))?.[1];
    // The list travels from the foreground process in the environment, which children must not inherit.
    await until('env exited', () => (readText(`${dir}/sup.log`).includes('exited: env (exit status 0; expected)') ? true : undefined));
    expect(readText(`${dir}/env.log`)).toContain('SUPERVISOR_ENABLED=1');
    expect(readText(`${dir}/env.log`)).not.toContain('TSSUPERVISORD_CLOSED_FDS');
    expect(closed?.split(', ').map(Number)).toEqual(expect.arrayContaining([100, 200, 1000]));
    process.kill(pid, 'SIGTERM');
    await until('daemon exit', () => (isGone(pid) ? true : undefined));
  });
});
