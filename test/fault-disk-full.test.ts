// A child log on a full disk (a real tmpfs, mounted by the test as root): the daemon says so once,
// keeps the child running and drained, keeps supervising, and writes again once space is back.

import { execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { execa } from 'execa';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { isGone, readText, startDaemon, until } from './support/daemon-process.js';
import { tempDir, writeTree } from './support/tmp.js';

function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  onTestFinished(() => {
    execFileSync('umount', ['-l', dir]);
  });
}

// 4 KiB lines every 2 ms: a 256 KiB tmpfs is full within a fraction of a second.
const WRITER = `node -e "let i = 0; setInterval(() => process.stdout.write('line ' + (i++) + ' ' + 'x'.repeat(4090) + '\\\\n'), 2)"`;

describe('a child log on a full disk', () => {
  it.runIf(process.getuid?.() === 0)('is reported once; the child runs on, supervision goes on, and writing resumes when space is freed', async () => {
    const dir = tempDir();
    mountTmpfs(`${dir}/full`, '256k');
    writeTree(dir, {
      'sup.conf': `${controlledDaemonHeader(dir)}\n`
        + `[program:writer]\ncommand=${WRITER}\nstartsecs=0\nstdout_logfile=${dir}/full/writer.log\nstdout_logfile_maxbytes=0\n\n`
        + `[program:other]\ncommand=sleep 1000\nstartsecs=0\nautorestart=true\n`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    const error = await d.waitForLog(/ERRO writer stdout log .*writer\.log: .*ENOSPC.*output is dropped until it can be written/u);
    expect(error).toContain(`${dir}/full/writer.log`);
    const writerPid = Number(/spawned: 'writer' with pid (\d+)/u.exec(readText(`${dir}/sup.log`))?.[1]);
    // Supervision goes on while every write fails: a killed program is restarted at once.
    const otherPid = Number(/spawned: 'other' with pid (\d+)/u.exec(readText(`${dir}/sup.log`))?.[1]);
    process.kill(otherPid, 'SIGKILL');
    await d.waitForLog(/exited: other \(terminated by SIGKILL; not expected\)/u);
    await until("'other' spawned again", () => ((readText(`${dir}/sup.log`).match(/spawned: 'other'/gu)?.length ?? 0) >= 2 ? true : undefined));
    const status = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, 'status', 'writer'], { reject: false, timeout: 10_000 });
    expect(status.stdout).toMatch(new RegExp(`^writer\\s+RUNNING\\s+pid ${writerPid},`, 'u'));
    // One report for the whole outage, however many writes failed.
    expect(readText(`${dir}/sup.log`).match(/ENOSPC/gu)).toHaveLength(1);
    expect(isGone(writerPid)).toBe(false);

    // Space back (the file emptied): the next chunks land.
    truncateSync(`${dir}/full/writer.log`, 0);
    await until('new lines in the emptied log', () => (/^line \d+ x+$/mu.test(readText(`${dir}/full/writer.log`)) ? true : undefined));
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});
