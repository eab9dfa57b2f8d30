// `ready=log:REGEX`: a line of the child's stdout or stderr matches. Output comes in chunks as the
// pipes are read, so a line may be split across chunks: the unfinished end of a chunk is kept
// (a copy: chunks are views of a shared read buffer) and joined to what follows. What is kept is
// bounded; past MAX_PARTIAL_LINE bytes without a newline the start of that line is dropped and
// its last MAX_PARTIAL_LINE bytes are matched when it ends, so a child that never writes a
// newline costs at most that much memory.

import type { ProbeRun } from '../probe.js';

export const MAX_PARTIAL_LINE = 64 * 1024;

const NEWLINE = 0x0a;

/** The line splitter of one output stream: feed chunks, hear whether a complete line matched. */
export class LineMatcher {
  private partial: Buffer = Buffer.alloc(0);
  private readonly pattern: RegExp;
  private readonly maxPartial: number;

  constructor(pattern: RegExp, maxPartial = MAX_PARTIAL_LINE) {
    this.pattern = pattern;
    this.maxPartial = maxPartial;
  }

  /** True once a complete line of what was fed so far matches (the chunk may be a shared buffer). */
  feed(chunk: Buffer): boolean {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      const line = this.partial.length === 0 ? piece : Buffer.concat([this.partial, piece]);
      this.partial = Buffer.alloc(0);
      if (this.matches(line)) return true;
      start = end + 1;
    }
    this.keep(chunk.subarray(start));
    return false;
  }

  /** Bytes of the unfinished line held (at most maxPartial). */
  get pendingBytes(): number {
    return this.partial.length;
  }

  private keep(rest: Buffer): void {
    if (rest.length === 0) return;
    const joined = this.partial.length === 0 ? rest : Buffer.concat([this.partial, rest]);
    // Always a copy: `rest` may be a view of the shared read buffer.
    this.partial = Buffer.from(joined.subarray(Math.max(0, joined.length - this.maxPartial)));
  }

  private matches(line: Buffer): boolean {
    // A CRLF line's CR is not part of what a pattern like `connections$` means.
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    return this.pattern.test(line.toString('utf8', 0, end));
  }
}

/** The pattern as a RegExp (u flag), or why it is not one. */
export function logPattern(source: string): RegExp | string {
  try {
    return new RegExp(source, 'u');
  } catch (error) {
    return `log:${source} is not a valid regular expression: ${(error as Error).message}`;
  }
}

/**
 * Watches one run's output until a line matches. ChildLogs.watch passes the channel as a second
 * argument; lines are then split per channel, so stdout's unfinished line is not glued to
 * stderr's. (Called with the chunk alone, both channels share one splitter.)
 */
export function watchLog(pattern: RegExp, run: ProbeRun, ready: () => void): () => void {
  const matchers = new Map<string, LineMatcher>();
  // matched: no more chunks wanted; cancelled: the caller stopped us (no ready() after that).
  let matched = false as boolean;  // set in onChunk, maybe during watchOutput()
  let cancelled = false;
  let unsubscribe: (() => void) | undefined;
  const unwatch = (): void => {
    const off = unsubscribe;
    unsubscribe = undefined;
    off?.();
  };
  const onChunk = (chunk: Buffer, channel?: string): void => {
    if (matched || cancelled) return;
    const key = channel ?? '';
    let matcher = matchers.get(key);
    if (matcher === undefined) {
      matcher = new LineMatcher(pattern);
      matchers.set(key, matcher);
    }
    if (!matcher.feed(chunk)) return;
    matched = true;
    matchers.clear();
    unwatch();
    // From the pipe's read: ready() in a turn of its own, so the caller never runs inside it.
    setImmediate(() => {
      if (!cancelled) ready();
    });
  };
  try {
    unsubscribe = run.watchOutput(onChunk);
  } catch {
    // No output to watch: the probe cannot pass, and ready_timeout will say so.
  }
  // A watcher told of a chunk while subscribing may have matched before unsubscribe was known.
  if (matched) unwatch();
  return () => {
    cancelled = true;
    matchers.clear();
    unwatch();
  };
}
