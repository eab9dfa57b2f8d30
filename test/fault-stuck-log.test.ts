// A child log on a device that stops taking writes (here a FIFO whose reader holds it open and
// never reads: each write(2) blocks, as on a hung NFS mount or a throttled disk). Supervision must
// go on regardless: writes happen off the event loop, the child's pipe is paused once its share of
// unwritten bytes is reached, and shutdown waits for that log only so long.

import { execFileSync, spawn } from 'node:child_process';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { readText, startDaemon, until } from './support/daemon-process.js';
import { fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/u.exec(readText(`/proc/${pid}/status`))?.[1] ?? 0) / 1024;

/** `2026-12-01 21:14:31,123` -> epoch ms. */
const at = (line: string): number => {
  const [date = '', time = ''] = line.split(' ');
  return Date.parse(`${date}T${time.replace(',', '.')}`);
};

describe('a child log on a stuck device', () => {
  it('never stalls supervision: respawns stay prompt, ctl answers, memory stays bounded, SIGTERM still exits', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [`${dir}/stuck.fifo`]);
    // The reader opens the FIFO and then never reads: once the pipe's 64 KiB are full, writes block.
    const holder = spawn('/bin/sh', ['-c', `exec 3<"${dir}/stuck.fifo"; exec sleep 1000`], { stdio: 'ignore' });
    onTestFinished(() => {
      holder.kill('SIGKILL');
    });
    writeTree(dir, {
      'sup.conf': `${controlledDaemonHeader(dir)}
[program:flood]
command=${fixture('flood-stdout.mjs', 512 * 1024 * 1024, 64)}
startsecs=0
autorestart=false
stdout_logfile=${dir}/stuck.fifo
stdout_logfile_maxbytes=0

[program:other]
command=${fixture('sleep-forever.mjs')}
startsecs=0
autorestart=true
`,
    });
    const log = `${dir}/sup.log`;
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, log);
    await d.waitForLog(/success: other entered RUNNING/u);
    await d.waitForLog(/success: flood entered RUNNING/u);
    const pid = d.child.pid ?? 0;
    const before = rssMb(pid);

    // Five crashes of `other` while the flood's log is stuck: each respawn within 100 ms.
    for (let round = 1; round <= 5; round++) {
      const spawned = [...readText(log).matchAll(/spawned: 'other' with pid (\d+)/gu)];
      process.kill(Number(spawned.at(-1)?.[1]), 'SIGKILL');
      const respawn = await until(`respawn ${round} of other`, () => readText(log).split('\n').filter((l) => l.includes("spawned: 'other'"))[round]);
      const exit = readText(log).split('\n').filter((l) => l.includes('exited: other'))[round - 1] ?? '';
      expect(at(respawn) - at(exit), `exit -> respawn, round ${round}`).toBeLessThanOrEqual(100);
    }
    const status = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, 'status'], { reject: false, timeout: 10_000 });
    expect(status.stdout).toMatch(/^flood\s+RUNNING/mu);
    expect(status.stdout).toMatch(/^other\s+RUNNING/mu);
    // The flood is held back by its own pipe, not buffered in the daemon.
    expect(rssMb(pid) - before).toBeLessThan(30);

    const termAt = Date.now();
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(10_000);
    expect(readText(log)).toMatch(/WARN child logs still not written after 5 s \(a stuck disk\?\); going on without them/u);
  }, 30_000);
});
