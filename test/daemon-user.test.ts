// user= in a program, with the daemon running as root: the child runs as that user with the
// user's primary group and its supplementary groups, as supervisord's initgroups() gives it.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readText, startDaemon, until } from './support/daemon-process.js';
import { tempDir, writeTree } from './support/tmp.js';

const USER = 'tssup-child';
const EXTRA_GROUP = 'tssup-extra';

/** A system user of this test's own, member of one extra group (created once per machine, as root). */
function ensureTestUser(): { uid: number; gid: number; extra: number } {
  execFileSync('groupadd', ['-f', EXTRA_GROUP]);
  try {
    execFileSync('id', [USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--gid', 'nogroup', '-G', EXTRA_GROUP, USER]);
  }
  const id = (flag: string): number => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  const extra = Number(execFileSync('getent', ['group', EXTRA_GROUP], { encoding: 'utf8' }).split(':')[2]);
  return { uid: id('-u'), gid: id('-g'), extra };
}

describe('user= with supplementary groups', () => {
  it.runIf(process.getuid?.() === 0)("gives the child the user's uid, primary group and supplementary groups, and keeps its pid", async () => {
    const { uid, gid, extra } = ensureTestUser();
    const dir = tempDir();
    writeTree(dir, {
      'sup.conf': `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\n\n[program:who]\ncommand=/bin/sh -c 'echo "pid $$ uid $(id -u) gid $(id -g) groups $(id -G)"; exec sleep 1000'\nuser=${USER}\nstartsecs=0\nstdout_logfile=${dir}/who.log\n`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    const spawned = await d.waitForLog(/spawned: 'who' with pid \d+/u);
    const line = await until('the child to report who it is', () => readText(`${dir}/who.log`).split('\n').find((l) => l.startsWith('pid ')));
    const [, pid, seenUid, seenGid, groups = ''] = /^pid (\d+) uid (\d+) gid (\d+) groups (.*)$/u.exec(line) ?? [];
    expect({ uid: Number(seenUid), gid: Number(seenGid) }).toEqual({ uid, gid });
    expect(groups.split(' ').map(Number).sort()).toEqual([gid, extra].sort());
    // setpriv execs the shell: the pid the daemon supervises is the program's own.
    expect(spawned).toContain(`with pid ${pid}`);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});
