// The daemon restarts itself in place under its V8 flags when started as `node tssupervisord.js`
// (src/main/relaunch.ts): same pid, the flags on its command line, its stdout and stderr kept,
// nothing left in its children's environment; and TSSUPERVISORD_NODE_FLAGS='' runs it as started.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS } from '../src/main/node-flags.js';
import { pidFromFile, readText, startDaemon, until } from './support/daemon-process.js';
import { fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

function config(dir: string): string {
  return `[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}

[program:env]
command=${fixture('print-env.mjs', 'TSSUPERVISORD_RELAUNCHED')}
startsecs=0
stdout_logfile=${dir}/env.log
`;
}

const commandLine = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

describe('the daemon started as node tssupervisord.js', () => {
  it('relaunches itself with its flags, keeping its pid, and its children never see the marker', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/INFO success: env entered RUNNING state/u);
    const pid = d.child.pid ?? 0;
    expect(pidFromFile(`${dir}/sup.pid`)).toBe(pid);
    const argv = commandLine(pid);
    for (const flag of DAEMON_NODE_FLAGS) expect(argv).toContain(flag);
    // The script and its own arguments come after node's flags, unchanged.
    expect(argv.slice(-3)).toEqual(['-c', 'sup.conf', '-n']);
    const printed = await until('the child to print its environment', () => {
      const text = readText(`${dir}/env.log`);
      return /READY \d+/u.test(text) ? text : undefined;
    });
    expect(printed).toContain('TSSUPERVISORD_RELAUNCHED=<unset>');
    // stdout and stderr survive the execv (node marks them close-on-exec at startup), and the
    // flags make V8 say nothing.
    expect(d.stdout()).toContain(`INFO supervisord started with pid ${pid}`);
    expect(d.stderr()).not.toMatch(/warning/iu);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it("runs as started when TSSUPERVISORD_NODE_FLAGS is ''", async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { via: ['/usr/bin/env', 'TSSUPERVISORD_NODE_FLAGS='] });
    await d.waitForLog(/INFO success: env entered RUNNING state/u);
    const argv = commandLine(d.child.pid ?? 0);
    for (const flag of DAEMON_NODE_FLAGS) expect(argv).not.toContain(flag);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});
