import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIniDocument, getRaw, readIniInto, type IniDocument } from './ini-reader.js';

function read(text: string, file = 'a.conf'): IniDocument {
  const doc = createIniDocument();
  readIniInto(doc, text, file);
  return doc;
}

function value(doc: IniDocument, section: string, key: string): string | undefined {
  return getRaw(doc, section, key)?.value;
}

describe('comments (configparser inline_comment_prefixes=(";", "#"))', () => {
  it.each([
    ['command=/bin/sh -c "echo a;echo b"', '/bin/sh -c "echo a;echo b"'],
    ['environment=PASS="abc#123"', 'PASS="abc#123"'],
    ['files = config.d/*.ini   ;可以指定一个或多个', 'config.d/*.ini'],
    ['a = x;y ;z', 'x;y'],
    ['a = x#y #z', 'x#y'],
    ['a = x\t;tab', 'x'],
    ['a = "quoted ; inside"', '"quoted'],
    ['a = url=http://x/#frag', 'url=http://x/#frag'],
    ['a =', ''],
  ])('%s -> %j', (line, expected) => {
    const doc = read(`[s]\n${line}\n`);
    const key = line.split(/[=:]/u)[0]?.trim().toLowerCase() ?? '';
    expect(value(doc, 's', key)).toBe(expected);
  });

  it('drops whole-line ; and # comments, also indented ones and ones inside a continuation', () => {
    const doc = read('; top\n# top\n[s]\n  ; indented\na = 1\n  # inside\n  2\n');
    expect(value(doc, 's', 'a')).toBe('1\n2');
    expect(doc.errors).toEqual([]);
  });
});

describe('keys, delimiters and continuation lines', () => {
  it('takes key=value and key: value, splitting at the first delimiter', () => {
    const doc = read('[s]\nCOMMAND: /bin/x a=b\nport=127.0.0.1:9001\n');
    expect(value(doc, 's', 'command')).toBe('/bin/x a=b');
    expect(value(doc, 's', 'port')).toBe('127.0.0.1:9001');
  });

  it('lower-cases option names but keeps section names as written', () => {
    const doc = read('[Program:X]\nStartSecs = 5\n');
    expect(value(doc, 'Program:X', 'startsecs')).toBe('5');
    expect(doc.sections.has('program:X')).toBe(false);
  });

  it('joins indented continuation lines with newlines, keeping inner blank lines, trimming trailing ones', () => {
    const doc = read('[s]\nenv = A=1,\n    B=2\n\n    C=3\n\nnext = x\n');
    expect(value(doc, 's', 'env')).toBe('A=1,\nB=2\n\nC=3');
    expect(value(doc, 's', 'next')).toBe('x');
  });

  it('starts a value on the next lines when the first is empty', () => {
    expect(value(read('[s]\nd=\n  line1\n  line2\n'), 's', 'd')).toBe('\nline1\nline2');
  });

  it('records the line each value was set on', () => {
    const doc = read('[s]\n\na = 1\nb = 2\n', 'x.conf');
    expect(getRaw(doc, 's', 'b')).toEqual({ value: '2', file: 'x.conf', line: 4 });
  });
});

describe('repeated sections and keys (strict=False)', () => {
  it('merges a repeated section and lets the last key win, also across files', () => {
    const doc = read('[program:a]\ncommand=one\nautostart=false\n[program:a]\ncommand=two\n', 'main.conf');
    readIniInto(doc, '[program:a]\npriority=5\n', 'inc.conf');
    expect(value(doc, 'program:a', 'command')).toBe('two');
    expect(value(doc, 'program:a', 'autostart')).toBe('false');
    expect(value(doc, 'program:a', 'priority')).toBe('5');
    expect(doc.sections.get('program:a')?.file).toBe('main.conf');
  });

  it('uses [DEFAULT] as a fallback for every section', () => {
    const doc = read('[DEFAULT]\nautostart=false\n[program:a]\ncommand=x\n');
    expect(value(doc, 'program:a', 'autostart')).toBe('false');
  });
});

describe('syntax errors', () => {
  it('reports every bad line with its number, and a line before any section', () => {
    const doc = read('orphan=1\n[s]\ngarbage line\na=1\n=novalue\n', 'c.conf');
    expect(doc.errors.map((e) => [e.line, e.text])).toEqual([[1, 'orphan=1'], [3, 'garbage line'], [5, '=novalue']]);
    expect(value(doc, 's', 'a')).toBe('1');
  });
});

describe("whitespace is Python's (str.strip, \\s), not JavaScript's", () => {
  it('keeps a byte-order mark, which Python does not strip', () => {
    expect(value(read('[s]\na = \uFEFF5\n'), 's', 'a')).toBe('\uFEFF5');
    // A file starting with a BOM has no section header on its first line, for configparser too.
    expect(read('\uFEFF[s]\na=1\n').errors.map((e) => [e.line, e.message])).toEqual([
      [1, 'no [section] header before this line'], [2, 'no [section] header before this line'],
    ]);
  });

  it('strips U+0085 and U+001C, which Python strips', () => {
    expect(value(read('[s]\na = 5\x85\x1c\n'), 's', 'a')).toBe('5');
  });

  it('reads a long line of spaces in linear time', () => {
    const started = Date.now();
    read(`[s]\na${' '.repeat(200_000)}b\nc = ${' '.repeat(200_000)}x${' '.repeat(200_000)};y\n`);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('keepOnly: the options of other sections are checked, not kept', () => {
  const line = fc.oneof(
    fc.constantFrom('[supervisorctl]', '[DEFAULT]', '[program:a]', '[unix_http_server]', '[supervisorctl', ''),
    fc.constantFrom('serverurl=unix:///tmp/s.sock', 'prompt = p ;c', 'username:u', 'password=p#q', 'history_file=', 'command=sleep 1'),
    fc.constantFrom('  continued', '\tmore', ' ', '; comment', '# comment', 'no delimiter', ' = empty key', '=x', 'a;=b', 'k\t=v', 'K_1.x-y=V'),
    fc.string({ maxLength: 12 }),
  );
  it('gives the same errors and the same [supervisorctl] and [DEFAULT] as a full read', () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const text = lines.join('\n');
      const full = read(text);
      const some = createIniDocument();
      readIniInto(some, text, 'a.conf', 'supervisorctl');
      expect(some.errors).toStrictEqual(full.errors);
      expect(some.defaults).toStrictEqual(full.defaults);
      expect(some.sections.get('supervisorctl')).toStrictEqual(full.sections.get('supervisorctl'));
      expect([...some.sections.keys()]).toStrictEqual([...full.sections.keys()]);
    }), { numRuns: 3000 });
  });

  it('keeps nothing of the other sections', () => {
    const doc = createIniDocument();
    readIniInto(doc, '[program:a]\ncommand=sleep 1\n  more\n[supervisorctl]\nprompt=x\n', 'a.conf', 'supervisorctl');
    expect(doc.sections.get('program:a')?.options.size).toBe(0);
    expect(value(doc, 'supervisorctl', 'prompt')).toBe('x');
  });
});
