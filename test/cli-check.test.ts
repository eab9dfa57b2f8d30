import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDaemonCli } from './support/bins.js';
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
    expect([version.exitCode, version.stdout]).toEqual([0, '4.2.5']);
  });
});
