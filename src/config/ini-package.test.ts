// Why src/config/ini-reader.ts exists: the `ini` npm package reads supervisord configs wrongly.
// Each case shows what `ini` gives and what supervisord (and our reader) give for the same text.
import { decode } from 'ini';
import { describe, expect, it } from 'vitest';
import { createIniDocument, getRaw, readIniInto } from './ini-reader.js';

function ours(text: string, section: string, key: string): string | undefined {
  const doc = createIniDocument();
  readIniInto(doc, text, 'x.conf');
  return getRaw(doc, section, key)?.value;
}

function theirs(text: string, section: string, key: string): unknown {
  const parsed = decode(text) as Record<string, Record<string, unknown> | undefined>;
  return parsed[section]?.[key];
}

describe('the ini package mangles supervisord configs; our reader does not', () => {
  it('cuts a value at a ; with no whitespace before it', () => {
    const text = '[program:a]\ncommand=/bin/sh -c "echo a;echo b"\n';
    expect(theirs(text, 'program:a', 'command')).toBe('/bin/sh -c "echo a');
    expect(ours(text, 'program:a', 'command')).toBe('/bin/sh -c "echo a;echo b"');
  });

  it('cuts a value at a # inside quotes', () => {
    const text = '[program:a]\nenvironment=PASS="abc#123"\n';
    expect(theirs(text, 'program:a', 'environment')).toBe('PASS="abc');
    expect(ours(text, 'program:a', 'environment')).toBe('PASS="abc#123"');
  });

  it('reads `key: value` as a bare key', () => {
    const text = '[program:a]\ncommand: /bin/cat\n';
    expect(theirs(text, 'program:a', 'command')).toBeUndefined();
    expect(ours(text, 'program:a', 'command')).toBe('/bin/cat');
  });

  it('drops continuation lines', () => {
    const text = '[program:a]\nenvironment=A=1,\n  B=2\n';
    expect(theirs(text, 'program:a', 'environment')).toBe('A=1,');
    expect(ours(text, 'program:a', 'environment')).toBe('A=1,\nB=2');
  });

  it('nests dotted section names', () => {
    const text = '[program:web.api]\ncommand=/bin/cat\n';
    expect(theirs(text, 'program:web.api', 'command')).toBeUndefined();
    expect(ours(text, 'program:web.api', 'command')).toBe('/bin/cat');
  });
});
