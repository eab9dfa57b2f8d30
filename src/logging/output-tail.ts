// The last lines a run wrote on one channel, kept in memory for crash history and the FATAL log
// lines. Bounded twice: at most `maxLines` lines, each cut to `maxLineBytes` (marked). Cheap on a
// flood: a chunk is searched backwards only for the newlines that end the lines kept, so a 64 KiB
// chunk of short lines costs a few native lastIndexOf calls, never a split of the whole chunk.

export const TAIL_LINES = 20;
export const TAIL_LINE_BYTES = 1024;
/** Appended to a line cut at TAIL_LINE_BYTES. */
export const CUT_MARK = ' [… cut]';

const NEWLINE = 0x0a;

export class OutputTail {
  private readonly maxLines: number;
  private readonly maxLineBytes: number;
  /** Complete lines, oldest first, already cut and decoded. */
  private complete: string[] = [];
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
    const fresh: string[] = [];
    if (previous < 0) {
      // The chunk's first line ends the one begun earlier (the partial).
      this.extendPartial(chunk.subarray(0, oldest));
      fresh.push(this.takePartial());
    } else {
      this.dropPartial();
      fresh.push(this.cut(chunk.subarray(previous + 1, oldest), false));
    }
    for (let i = ends.length - 1; i > 0; i--) {
      fresh.push(this.cut(chunk.subarray((ends[i] ?? 0) + 1, ends[i - 1]), false));
    }
    this.complete = [...this.complete, ...fresh].slice(-this.maxLines);
    this.extendPartial(chunk.subarray(last + 1));
  }

  /** The kept lines, oldest first, with the unfinished last line (if any) at the end. */
  lines(): string[] {
    const lines = this.partialBytes > 0 || this.partialCut ? [...this.complete, this.cut(Buffer.concat(this.partial), this.partialCut)] : this.complete;
    return lines.slice(-this.maxLines);
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
  private waiters: (() => void)[] = [];

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
    const waiters = this.waiters;
    this.waiters = [];
    for (const fn of waiters) fn();
  }

  /** Calls fn once every pipe of the run is closed (now if they are): its output is then complete. */
  whenClosed(fn: () => void): void {
    if (this.openPipes <= 0) fn();
    else this.waiters.push(fn);
  }
}
