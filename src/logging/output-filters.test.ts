import { describe, expect, it } from 'vitest';
import { ansiStripper, lineTimestamper } from './output-filters.js';

const run = (filter: (b: Buffer) => Buffer, chunks: string[]): string => chunks.map((c) => filter(Buffer.from(c)).toString()).join('');

describe('strip_ansi', () => {
  it('removes colour and cursor sequences like supervisord', () => {
    expect(run(ansiStripper(), ['\x1b[31mred\x1b[0m plain \x1b[2J\x1b[Hhome\n'])).toBe('red plain home\n');
  });
  it('handles a sequence split across pipe reads', () => {
    expect(run(ansiStripper(), ['a\x1b', '[1;3', '2mb', '\x1b[0', 'm\n'])).toBe('ab\n');
  });
  it('keeps a lone ESC that starts no sequence', () => {
    expect(run(ansiStripper(), ['a\x1bxb\n'])).toBe('a\x1bxb\n');
  });
});

describe('line timestamps', () => {
  const fixed = (): Date => new Date('2026-11-25T09:01:23.312Z');
  it('prefixes every line, also when a line spans chunks', () => {
    expect(run(lineTimestamper(fixed), ['one\ntw', 'o\n', '\nthree'])).toBe(
      '2026-11-25T09:01:23.312Z one\n2026-11-25T09:01:23.312Z two\n2026-11-25T09:01:23.312Z \n2026-11-25T09:01:23.312Z three',
    );
  });
});
