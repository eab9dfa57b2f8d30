// depends_on through a real tssupervisord: the stock supervisorctl shows a held-back process as
// `waiting for NAME`, `tssupervisorctl start c` over XML-RPC starts what c needs first and
// answers once c is RUNNING, and shutdown stops dependents before their dependencies.
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { readText, startDaemon } from './support/daemon-process.js';
import { tempDir } from './support/tmp.js';

const program = (name: string, extra: string): string => `[program:${name}]\ncommand=/bin/sleep 1000\n${extra}\n`;

async function run(file: string, args: string[]): Promise<{ rc: number | undefined; out: string }> {
  const r = await execa(file, args, { reject: false, timeout: 20_000 });
  return { rc: r.exitCode, out: r.stdout + r.stderr };
}

/** Position of the first line of `log` containing `text`, failing with the log if none. */
function at(log: string, text: string): number {
  const i = log.indexOf(text);
  if (i === -1) throw new Error(`no ${JSON.stringify(text)} in the log:\n${log}`);
  return i;
}

describe('depends_on in a real daemon', () => {
  it('shows waiting, starts the chain for `start c`, and shuts down dependents first', async () => {
    const dir = tempDir();
    const conf = `${dir}/sup.conf`;
    writeFileSync(conf, controlledDaemonHeader(dir, 'loglevel=debug') + [
      program('db', 'startsecs=2'), program('web', 'startsecs=0\ndepends_on=db'),
      program('a', 'startsecs=1\nautostart=false'), program('b', 'startsecs=0\nautostart=false\ndepends_on=a'),
      program('c', 'startsecs=0\nautostart=false\ndepends_on=b'),
    ].join(''));
    const d = startDaemon(['-c', conf, '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/spawned: 'db'/u);

    // db is in its startsecs: web is held back, and the stock supervisorctl shows why.
    const waiting = await run('/usr/bin/supervisorctl', ['-c', conf, 'status', 'web']);
    expect(waiting.out).toMatch(/^web +STOPPED +waiting for db$/u);
    await d.waitForLog(/success: web entered RUNNING/u);

    const started = await run(process.execPath, [CTL_BIN, '-c', conf, 'start', 'c']);
    expect(started).toEqual({ rc: 0, out: 'c: started' });
    const log = readText(`${dir}/sup.log`);
    expect(log).toContain('INFO starting a first: b depends on it');
    expect(log).toContain('INFO starting b first: c depends on it');
    expect(at(log, "spawned: 'b'")).toBeGreaterThan(at(log, 'success: a entered RUNNING'));
    expect(at(log, "spawned: 'c'")).toBeGreaterThan(at(log, 'success: b entered RUNNING'));
    expect((await run(process.execPath, [CTL_BIN, '-c', conf, 'status', 'c'])).out).toMatch(/^c +RUNNING +pid \d+/u);

    expect((await run(process.execPath, [CTL_BIN, '-c', conf, 'shutdown'])).out).toBe('Shut down');
    expect(await d.exited()).toBe(0);
    const end = readText(`${dir}/sup.log`);
    // Each is told to stop (DEBG `killing x`) only once what depends on it has stopped.
    expect(at(end, 'stopped: c ')).toBeLessThan(at(end, 'killing b (pid'));
    expect(at(end, 'stopped: b ')).toBeLessThan(at(end, 'killing a (pid'));
    expect(at(end, 'stopped: web ')).toBeLessThan(at(end, 'killing db (pid'));
  }, 60_000);
});
