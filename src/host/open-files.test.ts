import { closeSync, mkdtempSync, openSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filesOpenAnywhere } from './open-files.js';

let dir = '';
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'tss-open-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('filesOpenAnywhere', () => {
  it('finds the files some process holds open, by real path, and not the others', () => {
    const held = join(dir, 'held.log');
    const idle = join(dir, 'idle.log');
    writeFileSync(idle, '');
    const fd = openSync(held, 'a');
    try {
      expect(filesOpenAnywhere(new Set([held, idle]))).toEqual(new Set([held]));
    } finally {
      closeSync(fd);
    }
    expect(filesOpenAnywhere(new Set([held, idle]))).toEqual(new Set());
  });
});
