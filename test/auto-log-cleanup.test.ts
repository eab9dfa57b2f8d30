import { readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readText, startDaemon, until } from './support/daemon-process.js';
import { tempDir, writeTree } from './support/tmp.js';

// Two daemons, each with its own pid file and log, sharing one childlogdir (and the default
// identifier): the second one's AUTO cleanup must leave the first one's live logs alone.
function config(dir: string, name: string, shared: string): string {
  return `[supervisord]
logfile=${dir}/${name}.log
pidfile=${dir}/${name}.pid
childlogdir=${shared}

[program:${name}_ticker]
command=/bin/sh -c "while true; do echo ${name}; sleep 0.05; done"
startsecs=0
`;
}

describe('AUTO log cleanup with a shared childlogdir', () => {
  it('a second daemon removes dead runs\' AUTO logs but not those a running daemon still writes', async () => {
    const dir = tempDir();
    const shared = `${dir}/logs`;
    writeTree(dir, { 'logs/.keep': '', 'a.conf': config(dir, 'a', shared), 'b.conf': config(dir, 'b', shared) });
    const a = startDaemon(['-c', 'a.conf', '-n'], dir, `${dir}/a.log`);
    await a.waitForLog(/success: a_ticker entered RUNNING/u);
    const names = (): string[] => readdirSync(shared).sort();
    const aLog = await until('a\'s AUTO stdout log with output', () => {
      const found = names().find((n) => /^a_ticker-stdout---supervisor-[a-z0-9_]{8}\.log$/u.test(n));
      return found !== undefined && readText(`${shared}/${found}`).includes('a\n') ? found : undefined;
    });
    // A rotated backup of a's live log, and a log left by a daemon that is gone.
    writeFileSync(`${shared}/${aLog}.1`, 'a rotated\n');
    writeFileSync(`${shared}/dead-stdout---supervisor-abcd1234.log`, 'dead\n');
    writeFileSync(`${shared}/dead-stdout---supervisor-abcd1234.log.1`, 'dead rotated\n');

    const b = startDaemon(['-c', 'b.conf', '-n'], dir, `${dir}/b.log`);
    await b.waitForLog(/success: b_ticker entered RUNNING/u);
    expect(names()).not.toContain('dead-stdout---supervisor-abcd1234.log');
    expect(names()).not.toContain('dead-stdout---supervisor-abcd1234.log.1');
    expect(names()).toContain(aLog);
    expect(names()).toContain(`${aLog}.1`);
    expect(names().some((n) => /^a_ticker-stderr---supervisor-/u.test(n))).toBe(true);
    // a keeps writing into a file that is still there.
    const before = readText(`${shared}/${aLog}`).length;
    await until('a still logging into its file', () => (readText(`${shared}/${aLog}`).length > before ? true : undefined));

    b.child.kill('SIGTERM');
    expect(await b.exited()).toBe(0);
    a.child.kill('SIGTERM');
    expect(await a.exited()).toBe(0);
  });
});
