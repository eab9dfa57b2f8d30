// supervisord's capture mode, byte for byte (dispatchers.py POutputDispatcher.record_output and
// toggle_capturemode, loggers.py BoundIO): text a child writes between <!--XSUPERVISOR:BEGIN-->
// and <!--XSUPERVISOR:END--> goes into a bounded buffer instead of the log, and each END hands
// the buffer on as a PROCESS_COMMUNICATION event. Pure: the caller does the file, the debug echo
// and the event flow. Kept exactly as supervisord's, quirks included, because listeners written
// against supervisord see what it produces: BoundIO's overflow rule, holding back output no longer
// than the awaited token (even plain text), and a token split across reads.

import type { ChunkFilter } from './output-filters.js';

// events.py ProcessCommunicationEvent.BEGIN_TOKEN / END_TOKEN.
export const BEGIN_TOKEN = Buffer.from('<!--XSUPERVISOR:BEGIN-->');
export const END_TOKEN = Buffer.from('<!--XSUPERVISOR:END-->');

const EMPTY = Buffer.alloc(0);

/** Where the pieces go. Both may be handed views of the caller's chunk: copy what you keep. */
export interface CaptureOutput {
  /**
   * One call of supervisord's `_log(data)`: a non-empty piece (after strip_ansi) for the normal
   * log, or, while capturing, for the capture buffer (it is already in there when this is
   * called). PROCESS_LOG events and the debug echo see both kinds, as supervisord's `_log` does.
   */
  logged(data: Buffer, captured: boolean): void;
  /** The capture buffer's content at an END token (the buffer is this call's own). */
  communicated(data: Buffer): void;
}

/** asynchat's find_prefix_at_end: how many bytes at the end of `haystack` begin `needle`. */
export function findPrefixAtEnd(haystack: Buffer, needle: Buffer): number {
  let l = needle.length - 1;
  while (l > 0 && !endsWith(haystack, needle, l)) l--;
  return l;
}

function endsWith(haystack: Buffer, needle: Buffer, length: number): boolean {
  if (haystack.length < length) return false;
  return haystack.compare(needle, 0, length, haystack.length - length) === 0;
}

/**
 * loggers.BoundIO: at most `maxBytes`, but by its own rule, kept as is: a write that would
 * overflow drops as many bytes from the front as it adds (not as many as overflow), so the
 * buffer can hold less than maxBytes after an overflow, or more when one write alone is larger.
 */
export class BoundIO {
  readonly maxBytes: number;
  #buf: Buffer = EMPTY;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  write(b: Buffer): void {
    const kept = this.#buf.length + b.length > this.maxBytes ? this.#buf.subarray(b.length) : this.#buf;
    // concat copies: the buffer never aliases the caller's (shared) read buffer.
    this.#buf = Buffer.concat([kept, b]);
  }

  getvalue(): Buffer {
    return this.#buf;
  }

  clear(): void {
    this.#buf = EMPTY;
  }
}

/** One channel (stdout or stderr) of one child's run: supervisord makes a dispatcher per spawn. */
export class CaptureMode {
  readonly #capture: BoundIO | null;
  readonly #strip: ChunkFilter | undefined;
  #capturing = false;
  /** output_buffer between reads: never longer than a token, and always our own copy. */
  #held: Buffer = EMPTY;

  /** `maxBytes` is `*_capture_maxbytes`: 0 is no capture mode (every chunk is logged as read). */
  constructor(maxBytes: number, strip?: ChunkFilter) {
    this.#capture = maxBytes > 0 ? new BoundIO(maxBytes) : null;
    this.#strip = strip;
  }

  get capturing(): boolean {
    return this.#capturing;
  }

  /** handle_read_event + record_output for one chunk read from the pipe. */
  feed(chunk: Buffer, out: CaptureOutput): void {
    if (this.#capture === null) {
      // supervisord's shortcut: no capture log, no token search, nothing held back.
      this.#log(chunk, out);
      return;
    }
    let data = this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]);
    this.#held = EMPTY;
    // record_output's tail recursion (`if after: self.record_output()`) as a loop.
    for (;;) {
      const token = this.#capturing ? END_TOKEN : BEGIN_TOKEN;
      if (data.length <= token.length) {
        // "not enough data": wait for more, even when this is plain text.
        this.#held = Buffer.from(data);
        return;
      }
      const at = data.indexOf(token);
      if (at === -1) {
        const index = findPrefixAtEnd(data, token);
        if (index > 0) {
          this.#held = Buffer.from(data.subarray(data.length - index));
          data = data.subarray(0, data.length - index);
        }
        this.#log(data, out);
        return;
      }
      this.#log(data.subarray(0, at), out);
      this.#toggle(out);
      data = data.subarray(at + token.length);
      if (data.length === 0) return;
    }
  }

  /**
   * At end of output: the bytes supervisord holds back and never logs (it drops the dispatcher
   * when the process ends), after strip_ansi. Outside capture mode they are plain output, which
   * the caller may still write to the log file; inside, they are the unfinished capture, dropped
   * as by supervisord.
   */
  end(): Buffer {
    const held = this.#held;
    this.#held = EMPTY;
    // A BEGIN that came last waits like text ("not enough data") but is no text to log.
    if (this.#capturing || held.length === 0 || held.equals(BEGIN_TOKEN)) return EMPTY;
    return this.#strip === undefined ? held : this.#strip(held);
  }

  /** clearProcessLogs empties the capture buffer too (its handler's remove), capture mode stays. */
  clearCapture(): void {
    this.#capture?.clear();
  }

  /** supervisord's _log: nothing for an empty piece; strip_ansi; the capture buffer when capturing. */
  #log(piece: Buffer, out: CaptureOutput): void {
    if (piece.length === 0) return;
    const data = this.#strip === undefined ? piece : this.#strip(piece);
    const capture = this.#capturing ? this.#capture : null;
    capture?.write(data);
    out.logged(data, capture !== null);
  }

  #toggle(out: CaptureOutput): void {
    this.#capturing = !this.#capturing;
    if (this.#capturing || this.#capture === null) return;
    const data = this.#capture.getvalue();
    this.#capture.clear();
    out.communicated(data);
  }
}
