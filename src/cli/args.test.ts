import { describe, expect, it } from 'vitest';
import { ctlHelpText, parseCtlArgs } from './args.js';

describe('tssupervisorctl command line', () => {
  it('reads the flags and joins the rest into one command line', () => {
    expect(parseCtlArgs(['-c', 'a.conf', '-s', 'unix:///tmp/s.sock', '-u', 'me', '-pPW', '-i', '-r', 'h', 'tail', '-f', 'x'])).toEqual({
      configFile: 'a.conf', serverurl: 'unix:///tmp/s.sock', username: 'me', password: 'PW', historyFile: 'h',
      interactiveFlag: true, help: false, command: 'tail -f x',
    });
    expect(parseCtlArgs([]).command).toBeNull();
    expect(parseCtlArgs(['--configuration=x', '--serv', 'http://h:1', 'status']))
      .toMatchObject({ configFile: 'x', serverurl: 'http://h:1', command: 'status' });
    expect(parseCtlArgs(['--', '-x']).command).toBe('-x');
  });

  it('refuses what getopt and ClientOptions refuse, with their messages', () => {
    expect(() => parseCtlArgs(['-x'])).toThrow('option -x not recognized');
    expect(() => parseCtlArgs(['-c'])).toThrow('option -c requires argument');
    expect(() => parseCtlArgs(['--bogus'])).toThrow('option --bogus not recognized');
    expect(() => parseCtlArgs(['--help=3'])).toThrow('option --help must not have an argument');
    expect(() => parseCtlArgs(['-c', 'a', '-c', 'b'])).toThrow("conflicting command line option '-c'");
    expect(() => parseCtlArgs(['-s', 'foo'])).toThrow("invalid value for -s 'foo': value 'foo' is not a URL");
  });

  it('lets -h win over later option problems, not over getopt errors', () => {
    expect(parseCtlArgs(['-h', '-c', 'a', '-c', 'b']).help).toBe(true);
    expect(() => parseCtlArgs(['-h', '-x'])).toThrow('option -x not recognized');
  });

  it('prints supervisorctl usage with the program name', () => {
    expect(ctlHelpText('prog')).toContain('Usage: prog [options] [action [arguments]]\n');
    expect(ctlHelpText('prog').endsWith('actions.\n\n')).toBe(true);
  });
});
