import { execa } from 'execa';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_BIN, PACKAGE_JSON_VERSION, runDaemonCli } from './support/bins.js';
import { freePort } from './support/ports.js';
import { tempDir, writeTree } from './support/tmp.js';

describe('tssupervisord --check / --dump-config', () => {
  it('prints every problem with file:line [section] key=value and exits 2, without a stack trace', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'supervisord.conf': '[supervisord]\n[include]\nfiles=conf.d/*.ini\n[program:redis]\ncommand=redis-server\nstartsecs=abc\n',
      'conf.d/web.ini': '[program:web]\ncommand=/bin/cat\nautorestart=sometimes\n',
    });
    const result = await runDaemonCli(['-c', 'supervisord.conf', '--check'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe([
      "supervisord.conf:6 [program:redis] startsecs='abc': not an integer",
      "conf.d/web.ini:3 [program:web] autorestart='sometimes': not a valid autorestart value (true, false or unexpected)",
      'supervisord.conf: 2 problems found; nothing was started',
    ].join('\n'));
  });

  it('rejects a depends_on cycle and an unknown name with file:line, before starting anything', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'supervisord.conf': '[supervisord]\n[program:a]\ncommand=/bin/cat\ndepends_on=b\n[program:b]\ncommand=/bin/cat\ndepends_on = a, redis\n',
    });
    const result = await runDaemonCli(['-c', 'supervisord.conf', '--check'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe([
      "supervisord.conf:4 [program:a] depends_on='b': cycle a -> b -> a",
      "supervisord.conf:7 [program:b] depends_on='a, redis': no program named redis",
      'supervisord.conf: 2 problems found; nothing was started',
    ].join('\n'));
  });

  it('exits 0 and summarises a valid config', async () => {
    const dir = tempDir();
    writeTree(dir, { 'supervisord.conf': '[supervisord]\n[program:a]\ncommand=/bin/cat\nnumprocs=2\nprocess_name=a%(process_num)d\n' });
    const result = await runDaemonCli(['-c', join(dir, 'supervisord.conf'), '--check'], dir);
    expect([result.exitCode, result.stdout]).toEqual([0, 'supervisord.conf: OK (2 processes in 1 groups, 1 files)']);
  });

  it('reports every reason the daemon would refuse to start, the same ones a start gives', async () => {
    const dir = tempDir();
    const port = await freePort();
    writeTree(dir, {
      'supervisord.conf': `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\nminfds=2000000000\n`
        + `[inet_http_server]\nport=0.0.0.0:${port}\n[unix_http_server]\nfile=${dir}/gone/sup.sock\n[program:a]\ncommand=/bin/cat\n`,
    });
    const check = await runDaemonCli(['-c', 'supervisord.conf', '--check'], dir);
    expect(check.exitCode).toBe(2);
    expect(check.stdout).toBe('');
    const lines = check.stderr.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^supervisord\\.conf: \\[inet_http_server\\] would listen on 0\\.0\\.0\\.0:${port} without a password`, 'u'));
    expect(lines[1]).toBe(`supervisord.conf: Cannot open an HTTP server: socket.error reported errno.ENOENT: the folder ${dir}/gone (of [unix_http_server] file=${dir}/gone/sup.sock) does not exist`);
    expect(lines[2]).toMatch(/^supervisord\.conf: The minimum number of file descriptors required to run this process is 2000000000 /u);
    expect(lines[3]).toBe('supervisord.conf: 3 problems found; nothing was started');
    const start = await runDaemonCli(['-c', 'supervisord.conf', '-n'], dir);
    expect(start.exitCode).toBe(2);
    for (const line of lines.slice(0, 3)) expect(start.stderr).toContain(`Error: ${line.slice('supervisord.conf: '.length)}`);
    expect(readFileOrNull(`${dir}/sup.log`) ?? '').not.toContain('spawned');
  });

  it('refuses user= run by a non-root user that is not that user, as a start does', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    writeTree(dir, { 'supervisord.conf': `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\nuser=root\n[program:a]\ncommand=/bin/cat\n` });
    // As nobody (the tests run as root): only a non-root daemon meets this refusal.
    const asNobody = async (...args: string[]): Promise<{ exitCode: number | undefined; stderr: string }> => {
      const { exitCode, stderr } = await execa('runuser', ['-u', 'nobody', '--', process.execPath, DAEMON_BIN, '-c', 'supervisord.conf', ...args], { cwd: dir, reject: false, timeout: 15_000 });
      return { exitCode, stderr };
    };
    expect(await asNobody('--check')).toEqual({
      exitCode: 2, stderr: "supervisord.conf: Can't drop privilege as nonroot user\nsupervisord.conf: 1 problem found; nothing was started",
    });
    const start = await asNobody('-n');
    expect(start.exitCode).toBe(2);
    expect(start.stderr).toContain("Error: Can't drop privilege as nonroot user");
  });

  it('keeps unknown options warnings (exit 0) unless --strict makes them errors (exit 2)', async () => {
    const dir = tempDir();
    writeTree(dir, { 'supervisord.conf': '[supervisord]\n[program:a]\ncommand=/bin/cat\nautorestrat=true\n' });
    const warning = 'supervisord.conf:4 [program:a] autorestrat: unknown option, ignored; did you mean autorestart?';
    const lenient = await runDaemonCli(['-c', 'supervisord.conf', '--check'], dir);
    expect([lenient.exitCode, lenient.stdout, lenient.stderr]).toEqual([0, 'supervisord.conf: OK (1 processes in 1 groups, 1 files)', `warning: ${dir}/${warning}`]);
    const strict = await runDaemonCli(['-c', 'supervisord.conf', '--check', '--strict'], dir);
    expect([strict.exitCode, strict.stdout]).toEqual([2, '']);
    expect(strict.stderr).toBe(`${dir}/${warning}\nsupervisord.conf: 1 problem found (warnings are errors with --strict); nothing was started`);
    const alone = await runDaemonCli(['-c', 'supervisord.conf', '--strict'], dir);
    expect([alone.exitCode, alone.stderr]).toEqual([2, 'Error: --strict only applies to --check\nFor help, use tssupervisord.js -h']);
  });

  it('dumps the resolved config as JSON, command-line flags overriding the file', async () => {
    const dir = tempDir();
    writeTree(dir, { 'supervisord.conf': '[supervisord]\nloglevel=info\n[program:a]\ncommand=/bin/cat\nstopsignal=INT\n' });
    const result = await runDaemonCli(['-c', 'supervisord.conf', '--dump-config', '-e', 'debug', '--identifier=box'], dir);
    expect(result.exitCode).toBe(0);
    const dump = JSON.parse(result.stdout) as { supervisord: Record<string, unknown>; groups: { processes: Record<string, unknown>[] }[] };
    expect(dump.supervisord).toMatchObject({ loglevel: 'debug', identifier: 'box', logfile: join(dir, 'supervisord.log') });
    expect(dump.groups[0]?.processes[0]).toMatchObject({ name: 'a', command: '/bin/cat', stopsignal: 'INT', startsecs: 1 });
  });

  it('refuses bad flags and a missing file the way supervisord does (exit 2)', async () => {
    const dir = tempDir();
    const bad = await runDaemonCli(['--bogus'], dir);
    expect([bad.exitCode, bad.stderr]).toEqual([2, 'Error: option --bogus not recognized\nFor help, use tssupervisord.js -h']);
    const missing = await runDaemonCli(['-c', 'nope.conf', '--check'], dir);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("nope.conf: could not read config file: no such file");
    const version = await runDaemonCli(['-v'], dir);
    // Our own version beside the supervisord version we are compatible with (issue 14).
    expect([version.exitCode, version.stdout]).toEqual([0, `tssupervisor ${PACKAGE_JSON_VERSION} (supervisord 4.2.5 compatible)`]);
  });
});

function readFileOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
