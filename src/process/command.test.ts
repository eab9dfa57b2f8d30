import { describe, expect, it } from 'vitest';
import { pyRepr, resolveCommand, type FileFacts } from './command.js';

const files: Record<string, FileFacts> = {
  '/usr/bin/redis-server': { isDirectory: false, mode: 0o755, executable: true },
  '/opt/bin/tool': { isDirectory: false, mode: 0o755, executable: true },
  '/tmp/notexec.sh': { isDirectory: false, mode: 0o644, executable: false },
  '/tmp/dir': { isDirectory: true, mode: 0o755, executable: true },
  '/tmp/noperm': { isDirectory: false, mode: 0o700, executable: false },
};
const stat = (f: string): FileFacts | undefined => files[f];

describe('resolveCommand (supervisord get_execv_args + check_execv_args)', () => {
  it('searches a bare name on PATH and splits the rest shell-style, without a shell', () => {
    expect(resolveCommand('redis-server /etc/redis.conf --port "63 80"', '/bin:/usr/bin', stat)).toEqual({
      ok: true, file: '/usr/bin/redis-server', argv: ['redis-server', '/etc/redis.conf', '--port', '63 80'],
    });
    expect(resolveCommand('tool', '/opt/bin', stat)).toMatchObject({ ok: true, file: '/opt/bin/tool' });
  });

  it.each([
    ['/nonexistent/cmd', 'NO_FILE', "can't find command '/nonexistent/cmd'"],
    ['nosuch', 'NO_FILE', "can't find command 'nosuch'"],
    ['/tmp/notexec.sh', 'NOT_EXECUTABLE', "command at '/tmp/notexec.sh' is not executable"],
    ['/tmp/dir', 'NOT_EXECUTABLE', "command at '/tmp/dir' is a directory"],
    ['/tmp/noperm', 'NOT_EXECUTABLE', "no permission to run command '/tmp/noperm'"],
    ["bash -c 'foo", 'NOT_EXECUTABLE', 'can\'t parse command "bash -c \'foo": No closing quotation'],
    ['   ', 'NOT_EXECUTABLE', 'command is empty'],
  ])('%s -> %s %s', (command, kind, message) => {
    expect(resolveCommand(command, '/bin:/usr/bin', stat)).toEqual({ ok: false, kind, message });
  });

  it('prints names like Python repr()', () => {
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr('plain')).toBe("'plain'");
  });
});
