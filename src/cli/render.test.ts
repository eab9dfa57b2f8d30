import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../api/control-api.js';
import { ConnectionFailure, ProtocolError, pyRepr, RemoteFault } from './failures.js';
import { SupervisorError } from '../errors.js';
import {
  availLine, changeLines, clearResultLine, columnize, faultResult, HELP, helpIndexLines, signalResultLine,
  splitNamespec, startResultLine, statusLines, stopResultLine,
} from './render.js';
import { uncaughtLine } from './messages.js';

function info(group: string, name: string, statename: string, state: number, description: string): ProcessInfo {
  return {
    name, group, description, start: 0, stop: 0, now: 0, state, statename, spawnerr: '', exitstatus: 0,
    logfile: '', stdout_logfile: '', stderr_logfile: '', pid: 0,
  };
}

describe('status lines', () => {
  it('pads the namespec to max(30, longest)+3 and the state to 10 (reference §3.3)', () => {
    expect(statusLines([
      info('exits0', 'exits0', 'EXITED', 100, 'Nov 25 09:01 AM'),
      info('grp', 'ga', 'RUNNING', 20, 'pid 6018, uptime 0:00:11'),
      info('newprog', 'newprog', 'STARTING', 10, ''),
      info('quickfail', 'quickfail', 'FATAL', 200, 'Exited too quickly (process log may have details)'),
    ])).toEqual([
      'exits0                           EXITED    Nov 25 09:01 AM',
      'grp:ga                           RUNNING   pid 6018, uptime 0:00:11',
      'newprog                          STARTING  ',
      'quickfail                        FATAL     Exited too quickly (process log may have details)',
    ]);
  });

  it('widens every line when a namespec is longer than 30', () => {
    const long = 'a'.repeat(35);
    expect(statusLines([info(long, long, 'STOPPED', 0, 'Not started'), info('b', 'b', 'STOPPED', 0, 'Not started')])).toEqual([
      `${long}   STOPPED   Not started`,
      `b${' '.repeat(37)}STOPPED   Not started`,
    ]);
  });
});

describe('status lines in colour', () => {
  const plain = [
    info('a', 'a', 'RUNNING', 20, 'pid 1, uptime 0:00:01'),
    info('b', 'b', 'STOPPED', 0, 'Not started'),
    info('c', 'c', 'EXITED', 100, 'Nov 25 09:01 AM'),
    info('d', 'd', 'FATAL', 200, 'Exited too quickly (process log may have details)'),
  ];
  it('wraps only the state name, padding on the visible text so the columns stay where they were', () => {
    const exited1 = { ...info('e', 'e', 'EXITED', 100, 'Nov 25 09:01 AM'), exitstatus: 1 };
    const lines = statusLines([...plain, exited1], true);
    expect(lines).toEqual([
      `a${' '.repeat(32)}\x1b[32mRUNNING\x1b[0m   pid 1, uptime 0:00:01`,
      `b${' '.repeat(32)}STOPPED   Not started`,
      `c${' '.repeat(32)}EXITED    Nov 25 09:01 AM`,
      `d${' '.repeat(32)}\x1b[31mFATAL\x1b[0m     Exited too quickly (process log may have details)`,
      `e${' '.repeat(32)}\x1b[31mEXITED\x1b[0m    Nov 25 09:01 AM`,
    ]);
    expect(lines.map((l) => l.replace(/\x1b\[\d+m/gu, ''))).toEqual(statusLines([...plain, exited1]));
  });
  it('is plain by default', () => {
    expect(statusLines(plain).join('')).not.toContain('\x1b');
  });
});

describe('namespecs', () => {
  it('splits like options.split_namespec', () => {
    expect(splitNamespec('foo')).toEqual(['foo', 'foo']);
    expect(splitNamespec('g:*')).toEqual(['g', null]);
    expect(splitNamespec('g:')).toEqual(['g', null]);
    expect(splitNamespec('g:a:b')).toEqual(['g', 'a:b']);
  });
});

describe('result lines', () => {
  const r = (status: number, description = ''): { name: string; group: string; status: number; description: string } =>
    ({ name: 'x', group: 'g', status, description });
  it('start', () => {
    expect([10, 20, 21, 60, 50, 40, 80].map((code) => startResultLine(r(code)))).toEqual([
      'g:x: ERROR (no such process)', 'g:x: ERROR (no such file)', 'g:x: ERROR (file is not executable)',
      'g:x: ERROR (already started)', 'g:x: ERROR (spawn error)', 'g:x: ERROR (abnormal termination)', 'g:x: started',
    ]);
    expect(() => startResultLine(r(6))).toThrow('Unknown result code 6 for g:x');
  });
  it('stop and signal', () => {
    expect([10, 11, 70, 80].map((code) => stopResultLine(r(code)))).toEqual([
      'g:x: ERROR (no such process)', 'g:x: ERROR (bad signal name)', 'g:x: ERROR (not running)', 'g:x: stopped',
    ]);
    expect(signalResultLine(r(80))).toBe('g:x: signalled');
    expect(signalResultLine(r(30, 'FAILED: whatever'))).toBe('FAILED: whatever');
  });
  it('clear, including supervisorctl printing None for a group:* name', () => {
    expect([10, 30, 80].map((code) => clearResultLine(r(code)))).toEqual(['g:x: ERROR (no such process)', 'g:x: ERROR (failed)', 'g:x: cleared']);
    expect(clearResultLine(faultResult('grp:*', 10, 'BAD_NAME: grp:*'))).toBe('grp:None: ERROR (no such process)');
  });
});

describe('avail and reread', () => {
  it('formats avail as %-32s %-9s %-9s %s', () => {
    expect(availLine({ group: 'newprog', name: 'newprog', inuse: false, autostart: true, group_prio: 999, process_prio: 999 }))
      .toBe('newprog                          avail     auto      999:999');
    expect(availLine({ group: 'grp', name: 'gb', inuse: true, autostart: false, group_prio: 5, process_prio: 999 }))
      .toBe('grp:gb                           in use    manual    5:999');
  });
  it('lists changes sorted by name, or says there are none', () => {
    expect(changeLines(['zz', 'new'], ['sleeper'], ['exits0'])).toEqual(['exits0: disappeared', 'new: available', 'sleeper: changed', 'zz: available']);
    expect(changeLines([], [], [])).toEqual(['No config updates to processes']);
  });
});

describe('help', () => {
  it('prints the index as cmd.Cmd does (measured from supervisorctl 4.2.5)', () => {
    const names = ['add', 'avail', 'clear', 'exit', 'fg', 'maintail', 'open', 'pid', 'quit', 'reload', 'remove', 'reread',
      'restart', 'shutdown', 'signal', 'start', 'status', 'stop', 'tail', 'update', 'version'];
    expect(helpIndexLines(names).join('\n')).toBe([
      '',
      'default commands (type help <topic>):',
      '=====================================',
      'add    exit      open  reload  restart   start   tail   ',
      'avail  fg        pid   remove  shutdown  status  update ',
      'clear  maintail  quit  reread  signal    stop    version',
      '',
    ].join('\n'));
  });
  it('columnizes like cmd.Cmd for short lists', () => {
    expect(columnize(['one'])).toEqual(['one']);
    expect(columnize(['a', 'b'])).toEqual(['a  b']);
  });
  it('keeps supervisorctl.py help texts verbatim, tabs included', () => {
    expect(HELP['start']).toEqual([
      'start <name>\t\tStart a process',
      'start <gname>:*\t\tStart all processes in a group',
      'start <name> <name>\tStart multiple processes or groups',
      'start all\t\tStart all processes',
    ]);
    expect(HELP['shutdown']).toEqual(['shutdown \tShut the remote supervisord down.']);
    expect(HELP['maintail']?.[0]?.endsWith('main log file\n')).toBe(true);
  });
});

describe('uncaught errors', () => {
  it('names them like Python, without the file and line', () => {
    expect(uncaughtLine(new SupervisorError('SHUTDOWN_STATE'))).toBe("error: <class 'xmlrpc.client.Fault'>, <Fault 6: 'SHUTDOWN_STATE'>");
    expect(uncaughtLine(new RemoteFault(99, "it's"))).toBe('error: <class \'xmlrpc.client.Fault\'>, <Fault 99: "it\'s">');
    expect(uncaughtLine(new ProtocolError(401, 'Unauthorized')))
      .toBe("error: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: 401 Unauthorized>");
    expect(uncaughtLine(new ConnectionFailure('ENOENT', 2, 'no such file or directory')))
      .toBe("error: <class 'FileNotFoundError'>, [Errno 2] No such file or directory");
    expect(uncaughtLine(new ConnectionFailure('ECONNREFUSED', 111, 'connection refused')))
      .toBe("error: <class 'ConnectionRefusedError'>, [Errno 111] Connection refused");
  });
  it('reprs strings like Python', () => {
    expect(pyRepr('foo')).toBe("'foo'");
    expect(pyRepr('a\nb\\')).toBe("'a\\nb\\\\'");
    expect(pyRepr(`'"`)).toBe(`'\\'"'`);
  });
});
