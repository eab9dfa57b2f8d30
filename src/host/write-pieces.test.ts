// The addon's writePieces: a slab written in pieces off the event loop, with write(2)'s partial
// and failed outcomes reported as fs.write would see them. Real files, pipes and descriptors.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, write } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.js';
import { errnoName, loadNativeAddon } from './native-addon.js';
import { writePieces as writeSlice } from './write-pieces.js';

const native = loadNativeAddon();
const writePieces = 'missing' in native ? undefined : native.writePieces;

function pieces(fd: number, buffer: Buffer, offset: number, length: number, piece: number): Promise<[number, number]> {
  return new Promise((resolve) => {
    if (writePieces === undefined) throw new Error('the addon has no writePieces');
    writePieces(fd, buffer, offset, length, piece, (errno, written) => {
      resolve([errno, written]);
    });
  });
}

describe('writePieces', () => {
  it('is built (npm ci builds the addon; the child logs write through it)', () => {
    expect(writePieces).toBeTypeOf('function');
  });

  it('writes the whole range, in order, in pieces smaller than it', async () => {
    const dir = tempDir();
    const path = join(dir, 'f');
    const fd = openSync(path, 'a');
    const data = Buffer.alloc(1_000_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
    try {
      // offset 3 and an odd piece: the pieces do not line up with anything.
      expect(await pieces(fd, data, 3, data.length - 3, 65_537)).toEqual([0, data.length - 3]);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(path).equals(data.subarray(3))).toBe(true);
  });

  it('stops at a full non-blocking pipe: a partial write is a success, a write with nothing taken is EAGAIN', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The reader end first, so the non-blocking open of the writer end finds a reader.
    const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      const data = Buffer.alloc(1024 * 1024, 'x');
      const [errno, written] = await pieces(writeEnd, data, 0, data.length, 4096);
      expect(errno).toBe(0);
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(data.length);
      const [again, none] = await pieces(writeEnd, data, 0, data.length, 4096);
      expect(errnoName(again)).toBe('EAGAIN');
      expect(none).toBe(0);
    } finally {
      closeSync(readEnd);
      closeSync(writeEnd);
    }
  });

  it('reports a bad descriptor, and throws at once on a range outside the buffer', async () => {
    const [errno, written] = await pieces(1_000_000, Buffer.from('x'), 0, 1, 1);
    expect(errnoName(errno)).toBe('EBADF');
    expect(written).toBe(0);
    expect(() => writePieces?.(1, Buffer.alloc(4), 2, 3, 1, () => undefined)).toThrow(/a range inside it/u);
  });

  it('reports a failure through writePieces() as fs.write reports it: code, errno, syscall, message', async () => {
    const ours = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      writeSlice(1_000_000, Buffer.from('x'), 0, 1, 1, (err) => {
        resolve(err);
      });
    });
    const node = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      write(1_000_000, Buffer.from('x'), 0, 1, null, (err) => {
        resolve(err);
      });
    });
    expect(node).not.toBeNull();
    expect({ code: ours?.code, errno: ours?.errno, syscall: ours?.syscall, message: ours?.message })
      .toEqual({ code: node?.code, errno: node?.errno, syscall: node?.syscall, message: node?.message });
  });
});
