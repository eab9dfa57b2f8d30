import { describe, expect, it } from 'vitest';
import { expand } from './expand.js';
import { shlexSplit, shlexTokens } from './shlex.js';
import {
  autorestart, boolean, byteSize, environment, exitCodes, inetAddress, integer, logLevel, octal, processName, signal, ValueProblem,
} from './values.js';

describe('converters accept what supervisord accepts', () => {
  it.each([
    ['10MB', 10 * 1024 * 1024], ['1GB', 1024 ** 3], ['1024KB', 1024 * 1024], ['0', 0], ['500', 500], ['5mb', 5242880],
  ])('byteSize(%s) = %d', (text, bytes) => expect(byteSize(text)).toBe(bytes));

  it.each(['10xb', '1.5MB', '10K', 'MB', ''])('byteSize rejects %j', (text) => expect(() => byteSize(text)).toThrow(/not a byte size/u));

  it.each([['true', true], ['YES', true], ['on', true], ['1', true], ['false', false], ['No', false], ['OFF', false], ['0', false]])(
    'boolean(%s) = %s', (text, expected) => expect(boolean(text)).toBe(expected),
  );
  it('boolean rejects maybe', () => expect(() => boolean('maybe')).toThrow('not a boolean (use true/false, yes/no, on/off or 1/0)'));

  it.each([['TERM', 'TERM'], ['SIGTERM', 'TERM'], ['sigint', 'INT'], ['hup', 'HUP'], ['9', 'KILL'], ['15', 'TERM'], ['USR2', 'USR2']])(
    'signal(%s) = %s', (text, expected) => expect(signal(text)).toBe(expected),
  );
  it('signal rejects unknown names and numbers', () => {
    expect(() => signal('FOO')).toThrow('not a valid signal name (e.g. TERM, SIGINT, HUP, 9)');
    expect(() => signal('40')).toThrow('not a valid signal number');
  });

  it.each([['022', 0o22], ['0o27', 0o27], ['002', 0o2], ['0700', 0o700]])('octal(%s)', (text, expected) => expect(octal(text)).toBe(expected));
  it('octal takes Unicode digits, as Python int(v, 8) does', () => expect(octal('\u0660\u0662\u0662')).toBe(0o22));
  it('octal rejects 8 and 9', () => expect(() => octal('089')).toThrow('not an octal number (e.g. 022)'));

  it('integer is Python int()', () => {
    expect(integer(' 12 ')).toBe(12);
    expect(integer('-3')).toBe(-3);
    expect(integer('1_000')).toBe(1000);
    expect(() => integer('abc')).toThrow('not an integer');
    expect(() => integer('1.5')).toThrow('not an integer');
  });

  it("integer takes Python's whitespace and digits, not JavaScript's", () => {
    // U+FEFF is whitespace to JavaScript's trim() and \s, not to Python's int().
    expect(() => integer('\uFEFF5')).toThrow('not an integer');
    expect(() => integer('5\uFEFF')).toThrow('not an integer');
    expect(integer('\x1c5\x85')).toBe(5);
    expect(integer('\u0661\u0662')).toBe(12);
    expect(integer('-\u{1D7D8}\u{1D7CF}')).toBe(-1);
    expect(integer('1'.repeat(4300))).toBeGreaterThan(0);
    expect(() => integer('1'.repeat(4301))).toThrow("too many digits (4301; Python's int() takes at most 4300)");
  });

  it('exitCodes: comma list of 0-255, empty means none expected', () => {
    expect(exitCodes('0,2')).toEqual([0, 2]);
    expect(exitCodes('0, 3')).toEqual([0, 3]);
    expect(exitCodes('')).toEqual([]);
    expect(() => exitCodes('0,256')).toThrow('not a list of exit codes (comma-separated integers 0-255)');
    expect(() => exitCodes('0,')).toThrow(/not a list of exit codes/u);
  });

  it('autorestart: booleans or unexpected', () => {
    expect(autorestart('TRUE')).toBe('true');
    expect(autorestart('off')).toBe('false');
    expect(autorestart('Unexpected')).toBe('unexpected');
    expect(() => autorestart('sometimes')).toThrow('not a valid autorestart value (true, false or unexpected)');
  });

  it('logLevel: supervisord names only (warning is not one)', () => {
    expect(logLevel('DEBUG')).toBe('debug');
    expect(() => logLevel('warning')).toThrow(/not a log level/u);
  });

  it('processName refuses space, colon and slash', () => {
    expect(processName(' web ')).toBe('web');
    expect(() => processName('a b')).toThrow('not a valid name: it contains " "');
    expect(() => processName('a/b')).toThrow('not a valid name: it contains "/"');
  });

  it('inetAddress', () => {
    expect(inetAddress('127.0.0.1:9001')).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(inetAddress(':9001')).toEqual({ host: '', port: 9001 });
    expect(inetAddress('*:9001')).toEqual({ host: '', port: 9001 });
    expect(inetAddress('9001')).toEqual({ host: '', port: 9001 });
    expect(() => inetAddress('notaport')).toThrow(/not a valid port/u);
    expect(() => inetAddress('x:70000')).toThrow('port out of range 1-65535');
  });
});

describe('environment= (supervisord 4.2.5: non-POSIX shlex, KEY = VALUE triples)', () => {
  it.each([
    ['A=1,B=2', { A: '1', B: '2' }],
    ['PASS="abc#123"', { PASS: 'abc#123' }],
    ['A="x 1, with comma",B=\'single\'', { A: 'x 1, with comma', B: 'single' }],
    ['A=1,', { A: '1' }],
    ['A=""', { A: '' }],
    ['A=1;B=2', { A: '1', B: '2' }],
    ['PATH=/usr/bin:/bin,HOME=/home/x', { PATH: '/usr/bin:/bin', HOME: '/home/x' }],
    ['A=1,\nB=2', { A: '1', B: '2' }],
    ['A="q\\"x"', { A: 'q\\' }],
  ])('%j', (text, expected) => expect(environment(text)).toEqual(expected));

  it.each(['A=1,B', 'A=a@b', 'A=1 B=2'])('rejects %j', (text) => {
    expect(() => environment(text)).toThrow('not a list of KEY=value pairs (quote values that contain spaces or commas)');
  });

  it('reports an unclosed quote as a ValueProblem', () => {
    expect(() => environment('A="x')).toThrow(ValueProblem);
    expect(() => environment("A='x,B=2")).toThrow('No closing quotation');
  });

  it('tokenizes like shlex.shlex with wordchars + "/.+-():"', () => {
    expect(shlexTokens('A="b c",D=e')).toEqual(['A', '=', '"b c"', ',', 'D', '=', 'e']);
  });
});

describe('command= splitting (POSIX shlex.split)', () => {
  it.each([
    ['/bin/sh -c "echo a;echo b"', ['/bin/sh', '-c', 'echo a;echo b']],
    ["bash -c 'a \"b\"'", ['bash', '-c', 'a "b"']],
    ['a\\ b c', ['a b', 'c']],
    ['x "a\\"b"', ['x', 'a"b']],
    ['echo #notacomment', ['echo', '#notacomment']],
  ])('%s', (text, words) => expect(shlexSplit(text)).toEqual(words));
  it('reports an unclosed quote or a trailing backslash as a ValueProblem (a config error, not a crash)', () => {
    for (const text of ["bash -c 'foo", 'echo "a', 'echo a\\']) expect(() => shlexSplit(text)).toThrow(ValueProblem);
    expect(() => shlexSplit("bash -c 'foo")).toThrow('No closing quotation');
  });
});

describe('%-expansion (Python str % dict)', () => {
  const vars = { program_name: 'web', process_num: 3, here: '/etc/sup', ENV_HOME: '/root' };
  it.each([
    ['%(program_name)s_%(process_num)02d', 'web_03'],
    ['%(process_num)d', '3'],
    ['%(process_num)3d|%(process_num)-3d|', '  3|3  |'],
    ['%(here)s/x %(ENV_HOME)s', '/etc/sup/x /root'],
    ['100%%', '100%'],
    ['dhcrelay -a %%h:%%p %%P', 'dhcrelay -a %h:%p %P'],
    ['no expansion', 'no expansion'],
  ])('%s', (text, expected) => expect(expand(text, vars)).toBe(expected));

  it('refuses a lone %, an unknown name and a number format of text', () => {
    expect(() => expand('/bin/echo 50%', vars)).toThrow("a lone '%' at the end (write %% for a literal %)");
    expect(() => expand('%(foo)s', vars)).toThrow('unknown expansion %(foo)s: available are here, process_num, program_name and ENV_<NAME> for each environment variable');
    expect(() => expand('%(here)d', vars)).toThrow('%d needs a number, but the value is text: "/etc/sup"');
    expect(() => expand('50% off', vars)).toThrow(/unsupported conversion '%o'|has no \(name\)/u);
  });

  it('has %r and %a as Python repr() and ascii()', () => {
    expect(expand('%(program_name)r %(process_num)r', vars)).toBe("'web' 3");
    expect(expand('%(x)r|%(y)r|%(z)a', { x: "it's", y: 'a\tb\\', z: 'é' })).toBe(`"it's"|'a\\tb\\\\'|'\\xe9'`);
  });

  it('refuses a width or precision past a megabyte instead of building it (supervisord stalls there)', () => {
    expect(() => expand('%(program_name)s_%(process_num)999999999d', vars)).toThrow(ValueProblem);
    expect(() => expand('%(process_num)999999999d', vars)).toThrow('field width 999999999 is too large (at most 1000000)');
    expect(() => expand('%(process_num).2000000d', vars)).toThrow('precision 2000000 is too large (at most 1000000)');
    expect(expand('%(process_num).101f', vars)).toBe(`3.${'0'.repeat(101)}`);
    expect(expand('%(process_num)1000000d', vars)).toHaveLength(1_000_000);
  });
});
