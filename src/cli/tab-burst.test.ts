import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAfterTabs } from './tab-burst.js';

const split = (text: string): string[] => splitAfterTabs(Buffer.from(text, 'utf8')).map((b) => b.toString('utf8'));

describe('splitAfterTabs', () => {
  it('ends a chunk after each Tab and keeps every byte in order', () => {
    expect(split('sta\t\t')).toEqual(['sta\t', '\t']);
    expect(split('stat\tsl\t\r')).toEqual(['stat\t', 'sl\t', '\r']);
    expect(split('\tx')).toEqual(['\t', 'x']);
    expect(split('status\r')).toEqual(['status\r']);
    expect(split('')).toEqual([]);
  });

  it('never cuts a multi-byte character or an escape sequence', () => {
    expect(split('é\t😀\x1b[A\t')).toEqual(['é\t', '😀\x1b[A\t']);
  });

  it('gives back the input, each part holding at most one Tab, at its end', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const parts = splitAfterTabs(Buffer.from(bytes));
      expect(Buffer.concat(parts).equals(Buffer.from(bytes))).toBe(true);
      for (const part of parts) {
        expect(part.length).toBeGreaterThan(0);
        const tab = part.indexOf(0x09);
        expect(tab === -1 || tab === part.length - 1).toBe(true);
      }
      for (const part of parts.slice(0, -1)) expect(part.at(-1)).toBe(0x09);
    }));
  });
});
