// The last lines a run wrote on one channel, kept in memory for crash history and the FATAL log
// lines. Bounded twice: at most `maxLines` lines, each cut to `maxLineBytes` (marked). Cheap on a
// flood: a chunk is searched backwards only for the newlines that end the lines kept, and those
// lines are kept as one copy, split and decoded only when asked: a 64 KiB chunk of 64-byte lines
// costs ~1.3 µs (20 native lastIndexOf calls and a 1.3 KB copy), never a split of the whole chunk.

export const TAIL_LINES = 20;
export const TAIL_LINE_BYTES = 1024;
/** Appended to a line cut at TAIL_LINE_BYTES. */
export const CUT_MARK = ' [… cut]';

const NEWLINE = 0x0a;

/** The lines of `bytes`, each ending in a newline (the newlines dropped). */
function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const end = bytes.indexOf(NEWLINE, at);
    const stop = end < 0 ? bytes.length : end;
    lines.push(bytes.subarray(at, stop));
    at = stop + 1;
  }
  return lines;
}

/** Complete lines as read: `count` lines, each ending in a newline, decoded only when asked. */
interface RawLines {
  readonly raw: Buffer;
  readonly count: number;
}

export class OutputTail {
  private readonly maxLines: number;
  private readonly maxLineBytes: number;
  /** Complete lines, oldest first: a decoded (cut) line, or a copy of a chunk's last lines. */
  private complete: (string | RawLines)[] = [];
  private completeLines = 0;
  /** The line being written (no newline yet): its first maxLineBytes bytes, and whether more came. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private partialCut = false;

  constructor(maxLines = TAIL_LINES, maxLineBytes = TAIL_LINE_BYTES) {
    this.maxLines = maxLines;
    this.maxLineBytes = maxLineBytes;
  }

  /** One chunk as read; only valid during the call (a view of a shared buffer): what is kept is copied. */
  push(chunk: Buffer): void {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.extendPartial(chunk);
      return;
    }
    // Newline positions that end the lines to keep, newest first: at most maxLines of them.
    const ends: number[] = [last];
    // The newline before the oldest kept line's, -1 if that line began before this chunk.
    let previous = -1;
    for (;;) {
      const oldest = ends[ends.length - 1] ?? last;
      previous = oldest > 0 ? chunk.lastIndexOf(NEWLINE, oldest - 1) : -1;
      if (previous < 0 || ends.length === this.maxLines) break;
      ends.push(previous);
    }
    const oldest = ends[ends.length - 1] ?? last;
    let from = previous + 1;
    let count = ends.length;
    if (previous < 0) {
      // The chunk's first line ends the one begun earlier (the partial).
      this.extendPartial(chunk.subarray(0, oldest));
      this.keep(this.takePartial(), 1);
      from = oldest + 1;
      count--;
    } else {
      this.dropPartial();
    }
    const region = chunk.subarray(from, last + 1);
    if (count === 0) {
      // Only the line that ended the partial.
    } else if (region.length <= count * (this.maxLineBytes + 1)) {
      // The usual case: one copy of the lines kept, split and decoded only if someone asks.
      this.keep({ raw: Buffer.from(region), count }, count);
    } else {
      // A long line among them: cut each now, so no more than maxLineBytes of a line is held.
      for (const line of splitLines(region)) this.keep(this.cut(line, false), 1);
    }
    this.extendPartial(chunk.subarray(last + 1));
  }

  /** The kept lines, oldest first, with the unfinished last line (if any) at the end. */
  lines(): string[] {
    const lines = this.complete.flatMap((item) => (typeof item === 'string' ? [item] : splitLines(item.raw).map((l) => this.cut(l, false))));
    if (this.partialBytes > 0 || this.partialCut) lines.push(this.cut(Buffer.concat(this.partial), this.partialCut));
    return lines.slice(-this.maxLines);
  }

  /** Appends complete lines, dropping the oldest items no longer needed for the last maxLines. */
  private keep(item: string | RawLines, count: number): void {
    this.complete.push(item);
    this.completeLines += count;
    for (;;) {
      const first = this.complete[0];
      const firstCount = first === undefined ? 0 : typeof first === 'string' ? 1 : first.count;
      if (first === undefined || this.completeLines - firstCount < this.maxLines) return;
      this.complete.shift();
      this.completeLines -= firstCount;
    }
  }

  private extendPartial(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.maxLineBytes - this.partialBytes;
    if (bytes.length > room) this.partialCut = true;
    if (room <= 0) return;
    // A copy: `bytes` may be a view of the shared read buffer.
    const kept = Buffer.from(bytes.subarray(0, room));
    this.partial.push(kept);
    this.partialBytes += kept.length;
  }

  private takePartial(): string {
    const line = this.cut(Buffer.concat(this.partial), this.partialCut);
    this.dropPartial();
    return line;
  }

  private dropPartial(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.partialCut = false;
  }

  private cut(bytes: Buffer, alreadyCut: boolean): string {
    const over = alreadyCut || bytes.length > this.maxLineBytes;
    const text = bytes.subarray(0, this.maxLineBytes).toString('utf8').replace(/\r$/u, '');
    return over ? `${text}${CUT_MARK}` : text;
  }
}

/**
 * One run's tails of stdout and stderr (made at each spawn; a tail only once its channel writes).
 * Crash history keeps this object: what the run still writes after its exit (the pipes are read
 * until EOF or the spawner's grace) lands here, not in the next run's.
 */
export class RunOutput {
  private stdout: OutputTail | null = null;
  private stderr: OutputTail | null = null;
  private openPipes: number;
  /** Made at the first wait: most runs are never waited on (only a FATAL one is). */
  private waiters: (() => void)[] | null = null;

  /** `pipes`: how many output pipes the run has (1 with redirect_stderr). */
  constructor(pipes: number) {
    this.openPipes = pipes;
  }

  push(channel: 'stdout' | 'stderr', chunk: Buffer): void {
    if (channel === 'stdout') (this.stdout ??= new OutputTail()).push(chunk);
    else (this.stderr ??= new OutputTail()).push(chunk);
  }

  lines(channel: 'stdout' | 'stderr'): string[] {
    return (channel === 'stdout' ? this.stdout : this.stderr)?.lines() ?? [];
  }

  /** One of its pipes is closed (EOF, or closed by the spawner after the exit grace). */
  pipeClosed(): void {
    this.openPipes--;
    if (this.openPipes > 0) return;
    const waiters = this.waiters ?? [];
    this.waiters = null;
    for (const fn of waiters) fn();
  }

  /** Calls fn once every pipe of the run is closed (now if they are): its output is then complete. */
  whenClosed(fn: () => void): void {
    if (this.openPipes <= 0) fn();
    else (this.waiters ??= []).push(fn);
  }
}
