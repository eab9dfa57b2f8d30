// An append-mode file writer with supervisord's size-based rotation (loggers.py
// RotatingFileHandler.doRollover). Used for the daemon's main log and reusable for child logs.
//
// Writes are synchronous on purpose: each chunk lands whole and before the next one, and the size
// check after a write sees the real size. (The daemon's logger may hand over a turn's lines in one
// writeLines; lines are never stranded past the turn, and it flushes at exit.)
import { closeSync, constants, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  /** Rotate once the file reaches this many bytes after a write; 0 = never (plain append). */
  readonly maxBytes: number;
  /** How many rotated files (`f.1` … `f.N`) to keep; 0 = truncate in place on rotation. */
  readonly backups: number;
  /** Open/write/rotate failures. Never thrown out of write(); see RotatingFile.write. */
  readonly onError?: (err: Error) => void;
  /** Called after each rotation, once the fresh file is open (or failed to open). */
  readonly onRotate?: (path: string) => void;
  /** Called once when the open file turns out to be deleted (see #checkUnlinked), after recreating it. */
  readonly onRecreate?: (path: string) => void;
  /** At most one deleted-file check per this many ms (default 1000; tests use 0). */
  readonly unlinkCheckMs?: number;
}

// 0o644 is masked by the process umask like supervisord's open(). O_APPEND even on the fresh file
// after a rotation, so an external `copytruncate` never leaves us writing past a hole.
const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;
const FRESH = APPEND | constants.O_TRUNC;
const MODE = 0o644;

export class RotatingFile {
  readonly path: string;
  readonly maxBytes: number;
  readonly backups: number;
  readonly #onError: ((err: Error) => void) | undefined;
  readonly #onRotate: ((path: string) => void) | undefined;
  readonly #onRecreate: ((path: string) => void) | undefined;
  readonly #unlinkCheckMs: number;
  #nextUnlinkCheck = 0;
  #fd: number | null = null;
  #size = 0;
  /**
   * Open on a character device (/dev/null, a tty): its size stays 0, as supervisord's tell() on
   * it, so it never rotates (renaming /dev/null away would take it from the whole machine).
   */
  #device = false;
  #closed = false;
  // The code of the failure being reported, so a full disk yields one report, not one per line.
  #failing: string | null = null;

  constructor(path: string, options: RotatingFileOptions) {
    this.path = path;
    this.maxBytes = Math.max(0, options.maxBytes);
    this.backups = Math.max(0, Math.floor(options.backups));
    this.#onError = options.onError;
    this.#onRotate = options.onRotate;
    this.#onRecreate = options.onRecreate;
    this.#unlinkCheckMs = options.unlinkCheckMs ?? 1000;
    this.#open(APPEND);
  }

  /** Bytes in the current file as far as this writer knows (appends by others are not seen). */
  get size(): number {
    return this.#size;
  }

  /**
   * Append one chunk whole, then rotate if the file reached maxBytes (so a file may exceed
   * maxBytes by one write, as in supervisord). Never throws: failures go to onError and the
   * next write tries to reopen the file. After close(), writes are dropped until reopen().
   */
  write(data: Buffer | string): void {
    if (this.#closed) return;
    if (this.#fd === null && !this.#open(APPEND)) return;
    this.#checkUnlinked();
    const fd = this.#fd;
    if (fd === null) return;
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      const written = writeAllSync(fd, buf);
      if (!this.#device) this.#size += written;
      this.#failing = null;
    } catch (err) {
      this.#report(err);
      // Drop the descriptor so the next write starts from a fresh open (disk freed, dir recreated).
      this.#closeFd();
      return;
    }
    if (this.maxBytes > 0 && this.#size >= this.maxBytes) this.#rotate();
  }

  /**
   * `lines` in as few writes as rotation allows: each chunk ends at the line after which write()
   * of one line at a time would have rotated, so every file gets the same lines either way.
   */
  writeLines(lines: readonly string[]): void {
    let chunk = '';
    let projected = this.#size;
    for (const line of lines) {
      chunk += line;
      if (this.maxBytes === 0 || this.#device) continue;
      projected += Buffer.byteLength(line, 'utf8');
      if (projected >= this.maxBytes) {
        this.write(chunk);
        chunk = '';
        projected = this.#size;
      }
    }
    if (chunk !== '') this.write(chunk);
  }

  /** Close and open the same path again (SIGUSR2 / external logrotate with `create`). */
  reopen(): void {
    this.#closeFd();
    this.#closed = false;
    // An explicit request deserves a fresh report even if the same failure was already seen.
    this.#failing = null;
    this.#open(APPEND);
  }

  close(): void {
    this.#closeFd();
    this.#closed = true;
  }

  /**
   * A log removed under us (`rm -rf` of the log folder by a cleanup job) is still open: writes
   * succeed into a deleted inode, so nothing fails and the output silently vanishes while
   * `tail` finds no file. fstat's nlink == 0 says so. One fstat per file per second (not per
   * write: a flooding child does thousands of writes a second) bounds what can be lost to about a
   * second of output, for a syscall costing well under a microsecond. A file that is removed and
   * never written to again loses nothing, so checking on write is enough: no timer.
   */
  #checkUnlinked(): void {
    if (this.#fd === null || this.#unlinkCheckMs < 0) return;
    const now = Date.now();
    if (now < this.#nextUnlinkCheck) return;
    this.#nextUnlinkCheck = now + this.#unlinkCheckMs;
    let links: number;
    try {
      links = fstatSync(this.#fd).nlink;
    } catch {
      return;
    }
    if (links > 0) return;
    // As on SIGUSR2, with the folder made again first (supervisord would need a restart).
    try {
      mkdirSync(dirname(this.path), { recursive: true });
    } catch (err) {
      this.#report(err);
    }
    this.#closeFd();
    this.#failing = null;
    if (this.#open(APPEND)) this.#onRecreate?.(this.path);
  }

  #rotate(): void {
    this.#closeFd();
    if (this.backups > 0) {
      // Oldest first so nothing is overwritten before it has moved up: f.(n-1)→f.n … f.1→f.2.
      for (let i = this.backups - 1; i >= 1; i--) {
        this.#renameTolerant(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      this.#renameTolerant(this.path, `${this.path}.1`);
    }
    this.#open(FRESH);
    this.#onRotate?.(this.path);
  }

  #renameTolerant(from: string, to: string): void {
    try {
      renameSync(from, to);
    } catch (err) {
      // A missing backup (or a log removed by a cleanup script) is normal; rename replaces `to`.
      if (errnoCode(err) !== 'ENOENT') this.#report(err);
    }
  }

  #open(flags: number): boolean {
    try {
      const fd = openSync(this.path, flags, MODE);
      this.#fd = fd;
      const facts = fstatSync(fd);
      this.#device = facts.isCharacterDevice();
      this.#size = flags === FRESH ? 0 : facts.size;
      return true;
    } catch (err) {
      this.#fd = null;
      this.#report(err);
      return false;
    }
  }

  #closeFd(): void {
    const fd = this.#fd;
    this.#fd = null;
    if (fd === null) return;
    try {
      closeSync(fd);
    } catch {
      // Nothing useful to do: the descriptor is gone either way.
    }
  }

  #report(err: unknown): void {
    const code = errnoCode(err) ?? String(err);
    if (this.#failing === code) return;
    this.#failing = code;
    this.#onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Write the whole buffer to fd synchronously, looping over short writes and waiting out EAGAIN
 * (a non-blocking pipe that is momentarily full, e.g. stdout read by a slow consumer).
 * Returns the number of bytes written; throws on any other error.
 */
export function writeAllSync(fd: number, buf: Buffer): number {
  let offset = 0;
  let waits = 0;
  while (offset < buf.length) {
    try {
      offset += writeSync(fd, buf, offset, buf.length - offset);
      waits = 0;
    } catch (err) {
      // Give a stuck reader about a second before giving up, like sonic-boom's sync mode.
      if (errnoCode(err) !== 'EAGAIN' || ++waits > 1000) throw err;
      Atomics.wait(SLEEPER, 0, 0, 1);
    }
  }
  return offset;
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = err.code;
  return typeof code === 'string' ? code : undefined;
}
