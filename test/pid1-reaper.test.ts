import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ROOT } from './support/bins.js';
import { readText, startDaemon, until } from './support/daemon-process.js';
import { fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';
import { childrenOf, isGone, killQuietly } from './support/wait.js';

// The daemon as PID 1 of a fresh pid namespace, as in a container without an init. --kill-child:
// if the test dies, unshare's death takes the namespace (and every process in it) down.
const PID1 = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

describe('tssupervisord as PID 1', () => {
  it('reaps orphaned grandchildren (no zombies pile up) and still sees its own children exit with their status', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'sup.conf': `[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}
loglevel=debug

[program:forker]
command=/bin/sh -c "while true; do (sleep 0.05 &); echo forked; sleep 0.1; done"
startsecs=0
stdout_logfile=%(here)s/forker.log

[program:three]
command=${fixture('exit-with.mjs', 3, 800)}
process_name=three_%(process_num)d
numprocs=4
startsecs=0
autorestart=false
stdout_logfile=NONE
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { via: PID1 });
    await d.waitForLog(/supervisord started with pid 1$/u);
    const daemon = await until('the daemon inside the namespace', () => childrenOf(d.child.pid ?? 0)[0]?.pid);
    onTestFinished(() => {
      killQuietly(daemon);
    });
    // Every fork leaves a `sleep` whose parent (the subshell) is gone: it is re-parented to PID 1
    // and exits 50 ms later. Count the daemon's zombie children at every poll until 40 forks.
    let worst = 0;
    await until('40 forks', () => {
      worst = Math.max(worst, childrenOf(daemon).filter((c) => c.state === 'Z').length);
      return (readText(`${dir}/forker.log`).match(/forked/gu)?.length ?? 0) >= 40 ? true : undefined;
    }, 15_000);
    // One orphan exits every 100 ms and is reaped within milliseconds, so a sample sees 0 or 1;
    // allow a few for a daemon descheduled on a loaded machine. Without reaping: 39 at 40 forks.
    expect(worst).toBeLessThanOrEqual(4);
    await until('no zombie left between two forks', () => (childrenOf(daemon).every((c) => c.state !== 'Z') ? true : undefined), 5000);
    const log = readText(`${dir}/sup.log`);
    expect(log.match(/DEBG reaped orphan pid \d+ \(exit status 0\)/gu)?.length ?? 0).toBeGreaterThanOrEqual(30);
    expect(log).not.toMatch(/WARN running as PID 1/u);
    // The reaper never took a child Node spawned: every one's exit arrived, with its status.
    for (const n of [0, 1, 2, 3]) expect(log).toMatch(new RegExp(`WARN exited: three_${n} \\(exit status 3; not expected\\)`, 'u'));
    process.kill(daemon, 'SIGTERM');
    expect(await d.exited()).toBe(0);
    expect(isGone(daemon)).toBe(true);
  });

  it('without the native addon (no compiler at install) it still runs, and says at start that orphans will not be reaped', async () => {
    const dir = tempDir();
    // A checkout whose install could not build build/native/host.node: the same dist/, no build/.
    const install = join(dir, 'install');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(install, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'));
    writeTree(dir, {
      'sup.conf': `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\nchildlogdir=${dir}\n\n[program:three]\ncommand=${fixture('exit-with.mjs', 3)}\nstartsecs=0\nautorestart=false\n`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { via: PID1, bin: join(install, 'bin/tssupervisord.js') });
    await d.waitForLog(/WARN running as PID 1 without the reaper addon \(.*host\.node could not be loaded .*\): orphaned grandchildren will not be reaped; run under an init such as tini/u);
    await d.waitForLog(/WARN exited: three \(exit status 3; not expected\)/u);
    const daemon = await until('the daemon inside the namespace', () => childrenOf(d.child.pid ?? 0)[0]?.pid);
    process.kill(daemon, 'SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});
