// A child's log file, written off the event loop. RotatingFile (the daemon's own log) writes
// synchronously; a child log must not: a log on a stuck device (an NFS server gone, a throttled
// disk, a FIFO nobody reads) would block the event loop inside write(2), and with it every signal,
// timer and control request. Here every file operation is a libuv threadpool request, one at a
// time per file, in order: a stuck device holds a thread, never the loop. The bytes not yet
// written are bounded (see WriteBudget): past the bound the caller stops reading the child's pipe,
// so a child writing faster than its disk is slowed by its own pipe, as with synchronous writes.
//
// Rotation is supervisord's (loggers.py doRollover): after the write that takes the file to
// maxBytes, x -> x.1 -> … -> x.N (backups), or truncation in place when backups=0.

import { close, constants, fstat, mkdir, open, rename, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writePieces } from '../host/write-pieces.js';
import { errnoCode } from './rotating-file.js';
import { defaultBudget, giveSlab, takeSlab, type WriteBudget } from './write-budget.js';

export interface LogFileOptions {
  /** Rotate once the file reaches this many bytes after a write; 0 = never. */
  readonly maxBytes: number;
  /** Rotated files kept (`f.1` … `f.N`); 0 = truncate in place on rotation. */
  readonly backups: number;
  /** Whose file it is (`web stdout`), for the reports: so one pair of callbacks can serve every file. */
  readonly label?: string;
  /** Open/write/rotate failures, one report per kind of failure until a write succeeds. */
  readonly onError?: (err: Error, file: LogFile) => void;
  /** Bytes accepted but not yet written, shared by every child log (default: one budget for the daemon). */
  readonly budget?: WriteBudget;
  /** Called once when the open file turns out to be deleted (see #checkUnlinked), after recreating it. */
  readonly onRecreate?: (path: string, file: LogFile) => void;
  /** At most one deleted-file check per this many ms (default 1000; tests use 0). */
  readonly unlinkCheckMs?: number;
}

// O_NONBLOCK: a FIFO, pipe or terminal whose reader stalls (/dev/stdout piped to a log shipper
// that hangs) answers EAGAIN instead of blocking a threadpool thread - for good, as libuv joins its
// threads at exit and the daemon could then never exit. Regular files ignore the flag.
const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NONBLOCK;
const FRESH = APPEND | constants.O_TRUNC;
/** Retries of a write that met a full FIFO/pipe (EAGAIN), from quick to patient. */
const RETRY_MIN_MS = 5;
const RETRY_MAX_MS = 200;
const MODE = 0o644;
/**
 * One write(2) takes at most this much of a slab. The page cache's folios are sized after each
 * write: a 1 MiB write asks for large folios, and on a VM whose free memory is handed back to the
 * host (free page reporting) those come from blocks the host has to fault in again, so copying
 * into them cost the write thread ~3x (ext4, after another 1 GiB had been written and deleted:
 * 1.3-1.6 s of kernel time per GiB in 1 MiB writes, 0.4-0.5 s in 256 KiB ones; 514-596 -> 880-1107
 * MB/s with one fs.write per piece). Smaller pieces bought nothing more (128 KiB: 750-870). The
 * pieces of one slab go in one pool request (host/write-pieces): with a hand-off per piece
 * tmpfs lost ~10%; with one, bench/log-throughput on ext4 went from 0.63-0.85x supervisord's
 * throughput to 1.26-1.30x (daemon CPU 0.51 s per GiB, supervisord's 0.65 s).
 */
const WRITE_PIECE = 256 * 1024;
type Op =
  | { readonly kind: 'write'; readonly slab: Buffer; bytes: number }
  | { readonly kind: 'rotate' }
  | { readonly kind: 'reopen' }
  | { readonly kind: 'close'; readonly done: () => void };

export class LogFile {
  readonly path: string;
  readonly maxBytes: number;
  readonly backups: number;
  readonly label: string;
  readonly #onError: ((err: Error, file: LogFile) => void) | undefined;
  readonly #budget: WriteBudget;
  readonly #onRecreate: ((path: string, file: LogFile) => void) | undefined;
  readonly #unlinkCheckMs: number;
  #nextUnlinkCheck = 0;
  readonly #ops: Op[] = [];
  #busy = false;
  #fd: number | null = null;
  /** The file's size once every queued write has landed: decides where rotations go. */
  #projected = 0;
  /** Whether #projected counts from the file's real size yet (see the constructor). */
  #sizeKnown = false;
  /**
   * Open on a character device (/dev/null, a tty): never rotated, as supervisord's tell() on it
   * is 0 (renaming /dev/null away would take it from the whole machine).
   */
  #device = false;
  #held = 0;
  #closed = false;
  #failing: string | null = null;
  readonly #drainWaiters: (() => void)[] = [];

  constructor(path: string, options: LogFileOptions) {
    this.path = path;
    this.maxBytes = Math.max(0, options.maxBytes);
    this.backups = Math.max(0, Math.floor(options.backups));
    this.label = options.label ?? '';
    this.#onError = options.onError;
    this.#budget = options.budget ?? defaultBudget;
    this.#onRecreate = options.onRecreate;
    this.#unlinkCheckMs = options.unlinkCheckMs ?? 1000;
    // The file's size and kind are learnt at its open, on the pool (#open's fstat), or, if output
    // comes first, by a stat at that first write (#learnSize), so the first writes already rotate
    // at the right chunk. Not here: a statSync per log on the main thread, while the pool creates
    // other logs in the same folder, waited on the folder's lock: 2000 of them took 0.7 s of the
    // 1000-program start, and most programs write nothing in their first millisecond.
    this.#enqueue({ kind: 'reopen' });
  }

  /** Bytes accepted by write() and not yet written (or dropped after a failure). */
  get pending(): number {
    return this.#held;
  }

  /**
   * Queues a copy of `data` (the caller may reuse its buffer at once). Returns false when the
   * caller should stop feeding this file until `onDrain` calls back.
   */
  write(data: Buffer): boolean {
    if (this.#closed || data.length === 0) return true;
    if (!this.#sizeKnown) this.#learnSize();
    this.#held += data.length;
    this.#budget.take(data.length);
    const last = this.#ops.at(-1);
    // Copied into the last queued write unless that one is already in flight (ops[0]) or full.
    if (last?.kind === 'write' && this.#ops.length > 1 && last.slab.length - last.bytes >= data.length) {
      last.bytes += data.copy(last.slab, last.bytes);
    } else {
      const slab = takeSlab(data.length);
      this.#enqueue({ kind: 'write', slab, bytes: data.copy(slab, 0) });
    }
    this.#projected += data.length;
    if (this.#rotates() && this.#projected >= this.maxBytes) {
      this.#enqueue({ kind: 'rotate' });
      this.#projected = 0;
    }
    return this.#budget.allows(this.#held);
  }

  /** Calls `fn` once this file (and the daemon-wide budget) can take more. */
  onDrain(fn: () => void): void {
    if (this.#budget.allows(this.#held)) {
      fn();
      return;
    }
    if (this.#held >= this.#budget.perFile) this.#drainWaiters.push(fn);
    else this.#budget.whenFree(() => {
      this.onDrain(fn);
    });
  }

  /** Close and open the same path again (SIGUSR2 / logrotate with `create`), after what is queued. */
  reopen(): void {
    this.#closed = false;
    this.#failing = null;
    this.#enqueue({ kind: 'reopen' });
  }

  /** Drops what is not yet written (its file is being removed) and opens the path afresh. */
  discardQueued(): void {
    const keep = this.#busy ? 1 : 0;
    const dropped = this.#ops.slice(keep).filter((op) => op.kind === 'write');
    this.#ops.splice(keep, this.#ops.length - keep, ...this.#ops.slice(keep).filter((op) => op.kind !== 'write'));
    for (const op of dropped) {
      this.#release(op.bytes);
      giveSlab(op.slab);
    }
    this.#projected = 0;
  }

  /** Resolves once everything queued before it is written and the file is closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    return new Promise((resolve) => {
      this.#enqueue({ kind: 'close', done: resolve });
    });
  }

  #enqueue(op: Op): void {
    this.#ops.push(op);
    if (!this.#busy) this.#next();
  }

  #next(): void {
    const op = this.#ops[0];
    if (op === undefined) {
      this.#busy = false;
      return;
    }
    this.#busy = true;
    const done = (): void => {
      this.#ops.shift();
      this.#next();
    };
    switch (op.kind) {
      case 'write':
        this.#write(op, done);
        break;
      case 'rotate':
        this.#rotate(done);
        break;
      case 'reopen':
        this.#closeFd(() => {
          this.#open(APPEND, done);
        });
        break;
      case 'close':
        this.#closeFd(() => {
          op.done();
          done();
        });
        break;
    }
  }

  #write(op: Extract<Op, { kind: 'write' }>, done: () => void): void {
    const finish = (): void => {
      this.#release(op.bytes);
      giveSlab(op.slab);
      done();
    };
    const withFd = (fd: number): void => {
      let offset = 0;
      let retryMs = RETRY_MIN_MS;
      const step = (): void => {
        writePieces(fd, op.slab, offset, op.bytes - offset, WRITE_PIECE, (err, written) => {
          if (err?.code === 'EAGAIN') {
            // The reader is not keeping up: try again soon; meanwhile the child's pipe stays paused.
            setTimeout(step, retryMs);
            retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
            return;
          }
          retryMs = RETRY_MIN_MS;
          if (err !== null) {
            this.#report(err);
            // Next time starts from a fresh open (disk freed, folder recreated); this batch is lost.
            this.#closeFd(finish);
            return;
          }
          this.#failing = null;
          offset += written;
          if (offset < op.bytes) step();
          else finish();
        });
      };
      step();
    };
    const openThenWrite = (): void => {
      this.#open(APPEND, () => {
        if (this.#fd === null) finish();
        else withFd(this.#fd);
      });
    };
    if (this.#fd === null) openThenWrite();
    else this.#checkUnlinked(this.#fd, withFd, finish);
  }

  /**
   * A log removed under us (`rm -rf` of the log folder by a cleanup job) is still open: writes
   * succeed into a deleted inode, so nothing fails and the output silently vanishes while `tail`
   * finds no file. fstat's nlink == 0 says so. One fstat per file per second (not per write: a
   * flooding child does thousands a second) bounds what can be lost to about a second of output.
   * A file that is removed and never written to again loses nothing, so checking on write is
   * enough: no timer. Then, as on SIGUSR2, with the folder made again first.
   */
  #checkUnlinked(fd: number, write: (fd: number) => void, lost: () => void): void {
    const now = Date.now();
    if (this.#unlinkCheckMs < 0 || now < this.#nextUnlinkCheck) {
      write(fd);
      return;
    }
    this.#nextUnlinkCheck = now + this.#unlinkCheckMs;
    fstat(fd, (err, st) => {
      if (err !== null || st.nlink > 0) {
        write(fd);
        return;
      }
      mkdir(dirname(this.path), { recursive: true }, (mkdirErr) => {
        if (mkdirErr !== null) this.#report(mkdirErr);
        this.#closeFd(() => {
          this.#failing = null;
          this.#open(APPEND, () => {
            if (this.#fd === null) {
              lost();
              return;
            }
            this.#onRecreate?.(this.path, this);
            write(this.#fd);
          });
        });
      });
    });
  }

  #rotate(done: () => void): void {
    // A device (/dev/null) is never renamed, whatever was queued before its kind was known.
    if (this.#device) {
      done();
      return;
    }
    this.#closeFd(() => {
      const moves: [string, string][] = [];
      if (this.backups > 0) {
        // Oldest first so nothing is overwritten before it has moved up: f.(n-1)→f.n … f.1→f.2.
        for (let i = this.backups - 1; i >= 1; i--) moves.push([`${this.path}.${i}`, `${this.path}.${i + 1}`]);
        moves.push([this.path, `${this.path}.1`]);
      }
      const step = (): void => {
        const move = moves.shift();
        if (move === undefined) {
          this.#open(FRESH, done);
          return;
        }
        rename(move[0], move[1], (err) => {
          // A missing backup (or a log removed by a cleanup script) is normal.
          if (err !== null && err.code !== 'ENOENT') this.#report(err);
          step();
        });
      };
      step();
    });
  }

  #open(flags: number, done: () => void): void {
    open(this.path, flags, MODE, (err, fd) => {
      if (err !== null) {
        this.#report(err);
        done();
        return;
      }
      this.#fd = fd;
      if (flags === FRESH) {
        this.#opened(0, done);
        return;
      }
      fstat(fd, (statErr, st) => {
        if (statErr === null) this.#device = st.isCharacterDevice();
        this.#opened(statErr === null ? st.size : 0, done);
      });
    });
  }

  /** Output came before the file's first open: one stat, so rotation counts from its real size. */
  #learnSize(): void {
    this.#sizeKnown = true;
    try {
      const facts = statSync(this.path, { throwIfNoEntry: false });
      this.#projected += facts?.size ?? 0;
      this.#device = facts?.isCharacterDevice() === true;
    } catch {
      // unreadable: the open says what is wrong, and its fstat the size
    }
  }

  /** After a reopen the file may be another one (logrotate moved it): count from its real size. */
  #opened(size: number, done: () => void): void {
    this.#sizeKnown = true;
    if (this.#ops.some((op) => op.kind === 'rotate')) {
      done();
      return;
    }
    const queued = this.#ops.reduce((n, op) => n + (op.kind === 'write' ? op.bytes : 0), 0);
    this.#projected = size + queued;
    if (this.#rotates() && queued > 0 && this.#projected >= this.maxBytes) {
      this.#ops.push({ kind: 'rotate' });
      this.#projected = 0;
    }
    done();
  }

  #rotates(): boolean {
    return this.maxBytes > 0 && !this.#device;
  }

  #closeFd(done: () => void): void {
    const fd = this.#fd;
    this.#fd = null;
    if (fd === null) {
      done();
      return;
    }
    close(fd, () => {
      done();
    });
  }

  #release(bytes: number): void {
    this.#held -= bytes;
    this.#budget.give(bytes);
    // Resumed at half the hold, not just below it: a flooding child's pipe then pauses once per
    // couple of MB rather than once per slab (each pause and resume is an epoll change).
    if (this.#held > this.#budget.perFile / 2) return;
    const waiters = this.#drainWaiters.splice(0);
    for (const wake of waiters) this.onDrain(wake);
  }

  #report(err: NodeJS.ErrnoException): void {
    const code = errnoCode(err) ?? err.message;
    if (this.#failing === code) return;
    this.#failing = code;
    this.#onError?.(err, this);
  }
}
