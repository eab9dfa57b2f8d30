// The FIFO pool refills itself in the background (an async mkfifo). Closing it while a refill is
// still making FIFOs must neither throw (the daemon's shutdown once died of ENOTEMPTY there and
// exited 1) nor leave the refill's FIFOs behind.

import { closeSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FifoPool } from '../src/process/fifo-pool.js';
import { waitUntil } from './support/wait.js';

describe('FifoPool', () => {
  it('closed while a refill is under way: no throw, and the folder is gone once the refill ends', async () => {
    for (let round = 0; round < 20; round++) {
      const pool = FifoPool.create(20);
      expect(pool).not.toBeNull();
      if (pool === null) return;
      // Below its low-water mark (16), the pool starts a refill of 64 FIFOs.
      for (let i = 0; i < 5; i++) {
        const ends = pool.openPipe();
        if (ends !== null) for (const fd of [ends.readFd, ends.writeFd]) closeSync(fd);
      }
      expect(() => {
        pool.close();
      }).not.toThrow();
      await waitUntil(() => (existsSync(pool.dir) ? undefined : true), 5000, `pool folder ${pool.dir} removed after the refill`);
    }
  });
});
