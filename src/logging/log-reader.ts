// Reading log files back for the control API and ctl: supervisord's readFile and tailFile
// (options.py) byte semantics, and a follower that keeps up across rotation and truncation.

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export class LogReadError extends Error {
  readonly code: 'BAD_ARGUMENTS' | 'FAILED' | 'NO_FILE';
  constructor(code: LogReadError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

function readRange(file: string, start: number, length: number | null): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'NO_FILE' : 'FAILED';
    throw new LogReadError(code, (error as Error).message);
  }
  try {
    const size = fstatSync(fd).size;
    const from = Math.min(Math.max(0, start), size);
    const count = Math.max(0, Math.min(length ?? size - from, size - from));
    const buf = Buffer.alloc(count);
    let done = 0;
    while (done < count) {
      const n = readSync(fd, buf, done, count - done, from + done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'NO_FILE' : 'FAILED';
    throw new LogReadError(code, (error as Error).message);
  }
}

/**
 * supervisord readFile(offset, length): offset < 0 with length 0 -> the last |offset| bytes;
 * length 0 -> from offset to the end; else `length` bytes from offset. Other negatives: BAD_ARGUMENTS.
 */
export function readLogSlice(file: string, offset: number, length: number): Buffer {
  if (offset < 0) {
    if (length !== 0) throw new LogReadError('BAD_ARGUMENTS', 'a negative offset needs length 0');
    return readRange(file, sizeOf(file) + offset, null);
  }
  if (length < 0) throw new LogReadError('BAD_ARGUMENTS', 'length must not be negative');
  return readRange(file, offset, length === 0 ? null : length);
}

export interface TailResult {
  readonly bytes: Buffer;
  readonly offset: number;
  readonly overflow: boolean;
}

/**
 * supervisord tailFile(offset, length): up to `length` bytes from `offset`; when the file has grown
 * past offset+length, the last `length` bytes and overflow=true. A missing file is ['', offset, false].
 */
export function tailLog(file: string, offset: number, length: number): TailResult {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { bytes: Buffer.alloc(0), offset, overflow: false };
  }
  let from = offset;
  let count = length;
  let overflow = false;
  if (size > from + count) {
    overflow = true;
    from = size - 1;
  }
  if (from + count > size) {
    if (from > size - 1) count = 0;
    from = size - count;
  }
  from = Math.max(0, from);
  count = Math.max(0, count);
  return { bytes: count === 0 ? Buffer.alloc(0) : readRange(file, from, count), offset: size, overflow };
}

/** Decodes log bytes for text APIs, never failing on a cut or invalid UTF-8 sequence. */
export function decodeLog(bytes: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export interface FollowOptions {
  /** Start this many bytes before the current end (supervisorctl tail -f starts 1024 back). */
  readonly backlog: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Yields new bytes of `file` as they are written: reopens when the file is replaced (rotation,
 * logrotate `create`) and starts over, with a `==> File truncated <==` marker, when it shrinks.
 */
export async function* followLog(file: string, options: FollowOptions): AsyncGenerator<Buffer> {
  const pollMs = options.pollMs ?? 100;
  let inode = -1;
  let position = -1;
  while (options.signal?.aborted !== true) {
    let st: { ino: number; size: number } | null = null;
    try {
      st = statSync(file);
    } catch {
      st = null;
    }
    if (st !== null) {
      if (position === -1) {
        position = Math.max(0, st.size - options.backlog);
        inode = st.ino;
      } else if (st.ino !== inode) {
        // Rotated away: what is in the new file is all new.
        inode = st.ino;
        position = 0;
      } else if (st.size < position) {
        yield Buffer.from('==> File truncated <==\n');
        position = 0;
      }
      if (st.size > position) {
        const chunk = readRange(file, position, st.size - position);
        position += chunk.length;
        if (chunk.length > 0) yield chunk;
        continue;
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
