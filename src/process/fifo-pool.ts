// Real pipes for children's stdout/stderr. supervisord gives each child os.pipe() ends, so a
// program may open /dev/stdout by path (nginx `access_log /dev/stdout;`); Node's child_process
// gives socket pairs instead, where that open fails with ENXIO. Node cannot call pipe(2), but a
// named pipe opened at both ends and then unlinked is exactly a pipe. mkfifo(1) costs ~5 ms, too
// slow for a respawn, so FIFOs are made ahead, in batches, in a private folder.

import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'tssupervisord-fifos-';

/** Pools of daemons that were killed (SIGKILL leaves no chance to clean up), found by their pid. */
function removeAbandonedPools(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^tssupervisord-fifos-(\d+)-/u.exec(name)?.[1] ?? 0);
    if (pid === 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

export interface PipeEnds {
  readonly readFd: number;
  readonly writeFd: number;
}

export class FifoPool {
  readonly dir: string;
  private readonly ready: string[] = [];
  private readonly lowWater: number;
  private refilling = false;
  private counter = 0;
  private closed = false;

  private constructor(dir: string, lowWater: number) {
    this.dir = dir;
    this.lowWater = lowWater;
  }

  /** A pool holding `initial` FIFOs, or null where mkfifo is unavailable (then socket pairs are used). */
  static create(initial: number): FifoPool | null {
    removeAbandonedPools();
    const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
    chmodSync(dir, 0o700);
    const pool = new FifoPool(dir, Math.max(16, Math.floor(initial / 4)));
    if (!pool.fillSync(initial)) {
      pool.close();
      return null;
    }
    return pool;
  }

  private nextPaths(count: number): string[] {
    return Array.from({ length: count }, () => join(this.dir, `p${this.counter++}`));
  }

  private fillSync(count: number): boolean {
    const paths = this.nextPaths(count);
    const made = spawnSync('mkfifo', ['-m', '600', ...paths], { stdio: 'ignore' });
    if (made.status !== 0) return false;
    this.ready.push(...paths);
    return true;
  }

  private refill(): void {
    if (this.refilling || this.closed) return;
    this.refilling = true;
    const paths = this.nextPaths(this.lowWater * 4);
    execFile('mkfifo', ['-m', '600', ...paths], (error) => {
      this.refilling = false;
      // Closed meanwhile: the FIFOs it just made would be left in the folder.
      if (this.closed) this.removeDir();
      else if (error === null) this.ready.push(...paths);
    });
  }

  /** Both ends of a fresh pipe, or null when none is ready (the caller falls back to a socket pair). */
  openPipe(): PipeEnds | null {
    const path = this.ready.pop();
    if (this.ready.length < this.lowWater) this.refill();
    if (path === undefined) return null;
    try {
      // Reader first and non-blocking, so opening the writer (blocking, as a child's stdout must
      // be) returns at once.
      const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      let writeFd: number;
      try {
        writeFd = openSync(path, constants.O_WRONLY);
      } catch (error) {
        closeSync(readFd);
        throw error;
      }
      return { readFd, writeFd };
    } catch {
      return null;
    } finally {
      rmSync(path, { force: true });
    }
  }

  /** Never throws: it runs on the way out of the daemon, which must still exit 0. */
  close(): void {
    this.closed = true;
    this.removeDir();
  }

  private removeDir(): void {
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // A refill's mkfifo was still adding FIFOs (ENOTEMPTY): its callback removes the folder,
      // and should the daemon exit first, the next daemon removes it as a dead daemon's pool.
    }
  }
}
