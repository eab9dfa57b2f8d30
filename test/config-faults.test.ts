// No config text, however broken, may crash the daemon or the checker: a broken file is answered
// with a config error naming file:line, at `--check`, on SIGHUP and on `reread`/`update`, and the
// running programs are left alone (issue 9, defect 1).

import { execa } from 'execa';
import { appendFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CTL_BIN, runDaemonCli } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon } from './support/daemon-process.js';
import { tempDir } from './support/tmp.js';

async function ctl(dir: string, ...args: string[]): Promise<{ rc: number | undefined; out: string }> {
  const r = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, ...args], { reject: false, timeout: 20_000 });
  return { rc: r.exitCode, out: r.stdout + r.stderr };
}

const programA = '[program:a]\ncommand=/bin/sleep 10000\nstartsecs=0\n';

/** Each breaks the config in a way that once threw out of the reader (line 3 of the appended text). */
const BROKEN = [
  {
    what: 'an unclosed quote in environment=',
    text: '[program:b]\ncommand=true\nenvironment=A="x\n',
    problem: /sup\.conf:\d+ \[program:b\] environment='A="x': No closing quotation/u,
    gist: 'No closing quotation',
  },
  {
    what: 'a process_name padded to a billion characters',
    text: '[program:b]\ncommand=true\nprocess_name=%(program_name)s_%(process_num)999999999d\n',
    problem: /sup\.conf:\d+ \[program:b\] process_name='%\(program_name\)s_%\(process_num\)999999999d': field width 999999999 is too large/u,
    gist: 'field width 999999999 is too large',
  },
];

describe('a broken config never takes the daemon down', () => {
  it.each(BROKEN)('$what: --check answers with a config error and exits 2, no stack trace', async ({ text, problem }) => {
    const dir = tempDir();
    writeFileSync(`${dir}/sup.conf`, controlledDaemonHeader(dir) + programA + text);
    const result = await runDaemonCli(['-c', 'sup.conf', '--check'], dir);
    expect(result.stderr).toMatch(problem);
    expect(result.stderr).not.toMatch(/^\s+at /mu);
    expect(result.exitCode).toBe(2);
  });

  it.each(BROKEN)('$what: SIGHUP, reread and update refuse it; the daemon and `a` (same pid) keep running', async ({ text, problem, gist }) => {
    const dir = tempDir();
    writeFileSync(`${dir}/sup.conf`, controlledDaemonHeader(dir) + programA);
    const d = startDaemon(['-c', `${dir}/sup.conf`, '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: a entered RUNNING/u);
    const pidOfA = (await ctl(dir, 'pid', 'a')).out;
    expect(pidOfA).toMatch(/^\d+$/u);

    appendFileSync(`${dir}/sup.conf`, text);
    d.child.kill('SIGHUP');
    await d.waitForLog(new RegExp(`ERRO reload refused: .*${problem.source}`, 'u'));
    await d.waitForLog(/ERRO reload refused: the config has problems; still running the previous config/u);
    expect(d.child.exitCode).toBeNull();

    const reread = await ctl(dir, 'reread');
    expect(reread.out).toMatch(/^ERROR: CANT_REREAD: /u);
    expect(reread.out).toMatch(problem);
    const update = await ctl(dir, 'update');
    // update prints the fault as supervisorctl does, Python-repr quoted, so only the gist is plain.
    expect(update.out).toContain('CANT_REREAD');
    expect(update.out).toMatch(/sup\.conf:\d+ \[program:b\]/u);
    expect(update.out).toContain(gist);

    const status = await ctl(dir, 'status');
    expect(status.out).toMatch(new RegExp(`^a +RUNNING +pid ${pidOfA},`, 'mu'));
    expect(d.child.exitCode).toBeNull();
    expect((await ctl(dir, 'shutdown')).out).toBe('Shut down');
    expect(await d.exited()).toBe(0);
  }, 60_000);
});
