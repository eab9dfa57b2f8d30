import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUT_MARK, OutputTail } from './output-tail.js';

/** The tail computed the slow way: the whole text split into lines. */
function naiveTail(text: string, maxLines: number, maxBytes: number): string[] {
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  const lines = last === '' ? parts : [...parts, last];
  return lines.slice(-maxLines).map((line) => {
    const bytes = Buffer.from(line);
    const kept = bytes.subarray(0, maxBytes).toString('utf8').replace(/\r$/u, '');
    return bytes.length > maxBytes ? `${kept}${CUT_MARK}` : kept;
  });
}

function fed(chunks: readonly string[], maxLines = 20, maxBytes = 1024): string[] {
  const tail = new OutputTail(maxLines, maxBytes);
  for (const chunk of chunks) tail.push(Buffer.from(chunk));
  return tail.lines();
}

describe('OutputTail', () => {
  it('keeps the last 20 of 25 lines', () => {
    const text = Array.from({ length: 25 }, (_, i) => `line ${i + 1}\n`).join('');
    expect(fed([text])).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 6}`));
  });

  it('joins a line written in pieces and shows an unfinished last line', () => {
    expect(fed(['Err', 'or: listen ', 'EADDRINUSE\nexit', 'ing'])).toEqual(['Error: listen EADDRINUSE', 'exiting']);
  });

  it('cuts a long line and marks it, across chunks too', () => {
    expect(fed(['x'.repeat(5000), '\nshort\n'])).toEqual([`${'x'.repeat(1024)}${CUT_MARK}`, 'short']);
    expect(fed(['y'.repeat(3000)])).toEqual([`${'y'.repeat(1024)}${CUT_MARK}`]);
    expect(fed([`a\n${'z'.repeat(3000)}\nb\n`])).toEqual(['a', `${'z'.repeat(1024)}${CUT_MARK}`, 'b']);
  });

  it('drops \\r of CRLF lines', () => {
    expect(fed(['a\r\nb\r\n'])).toEqual(['a', 'b']);
  });

  it('is empty before any output', () => {
    expect(fed([])).toEqual([]);
  });

  it('does not copy a flood of short lines: only what it keeps', () => {
    const tail = new OutputTail();
    const chunk = Buffer.from('0123456789abcde\n'.repeat(4096));
    for (let i = 0; i < 100; i++) tail.push(chunk);
    expect(tail.lines()).toHaveLength(20);
  });

  it('equals splitting the whole output, however it is chunked', () => {
    const piece = fc.stringMatching(/^[ab\n\r é]{0,12}$/u);
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 8 }),
      (chunks, maxLines, maxBytes) => {
        const text = chunks.join('');
        expect(fed(chunks, maxLines, maxBytes)).toEqual(naiveTail(text, maxLines, maxBytes));
      }), { numRuns: 1000 });
  });
});
