import { describe, expect, it } from 'vitest';
import { parseAuxvPageSize, parseChildPids, parseStatmResidentPages, sumTreeRss, type TreeSource } from './proc-tree.js';

describe('the /proc texts max_memory reads', () => {
  it('children: space-separated pids with a trailing space, or nothing', () => {
    expect(parseChildPids('123 4567 ')).toEqual([123, 4567]);
    expect(parseChildPids('')).toEqual([]);
    expect(parseChildPids('89\n')).toEqual([]); // not the kernel's format: nothing rather than a guess
  });

  it('statm: the resident pages are the second field', () => {
    expect(parseStatmResidentPages('250339 11843 3297 11 0 16925 0\n')).toBe(11843);
    expect(parseStatmResidentPages('')).toBeUndefined();
    expect(parseStatmResidentPages('1 x 3')).toBeUndefined();
  });

  it('auxv: AT_PAGESZ in 64- and 32-bit vectors of either byte order, until AT_NULL', () => {
    const vector = (pairs: [number, number][], wordBytes: 4 | 8, little: boolean): Buffer => {
      const buf = Buffer.alloc(pairs.length * 2 * wordBytes);
      pairs.flat().forEach((value, i) => {
        if (wordBytes === 8) {
          if (little) buf.writeBigUInt64LE(BigInt(value), i * 8);
          else buf.writeBigUInt64BE(BigInt(value), i * 8);
        } else if (little) buf.writeUInt32LE(value, i * 4);
        else buf.writeUInt32BE(value, i * 4);
      });
      return buf;
    };
    const pairs: [number, number][] = [[33, 0x7ffd], [16, 0xbfebfbff], [6, 16384], [0, 0]];
    expect(parseAuxvPageSize(vector(pairs, 8, true), 8, true)).toBe(16384);
    expect(parseAuxvPageSize(vector(pairs, 8, false), 8, false)).toBe(16384);
    expect(parseAuxvPageSize(vector(pairs, 4, true), 4, true)).toBe(16384);
    expect(parseAuxvPageSize(vector([[33, 1], [0, 0], [6, 4096]], 8, true), 8, true)).toBeUndefined();
    expect(parseAuxvPageSize(Buffer.alloc(5), 8, true)).toBeUndefined();
  });
});

describe('sumTreeRss', () => {
  const source = (rss: Record<number, number>, children: Record<number, number[]>): TreeSource => ({
    residentBytes: (pid) => rss[pid],
    childrenOf: (pid) => (rss[pid] === undefined ? undefined : children[pid] ?? []),
  });

  it('adds the root and every descendant, at any depth', () => {
    expect(sumTreeRss(1, source({ 1: 10, 2: 20, 3: 30, 4: 40 }, { 1: [2, 3], 3: [4] }))).toBe(100);
  });

  it('is undefined when the root is gone, and skips a descendant that exits meanwhile', () => {
    expect(sumTreeRss(9, source({ 1: 10 }, {}))).toBeUndefined();
    expect(sumTreeRss(1, source({ 1: 10, 3: 30 }, { 1: [2, 3] }))).toBe(40);
  });

  it('counts each pid once, even if a reused pid makes a loop', () => {
    expect(sumTreeRss(1, source({ 1: 10, 2: 20 }, { 1: [2, 2], 2: [1] }))).toBe(30);
  });
});
