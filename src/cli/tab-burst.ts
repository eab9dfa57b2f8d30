// node:readline completes a Tab only when it is the last character of the chunk it read: a Tab
// inside a chunk counts as pasted text and goes into the line as a literal tab (emitKeypressEvents
// clears isCompletionEnabled for all but a chunk's last character). Keys that arrive in a burst
// (tmux send-keys 'sta' Tab Tab, a fast typist over ssh) come as one chunk, so `sta\t\t` listed
// every command for the word after a literal tab. supervisorctl's GNU readline completes each Tab,
// and no supervisorctl command line holds a tab, so the shell's input ends a chunk after each Tab.

import { Transform, type TransformCallback } from 'node:stream';

const TAB = 0x09;

/** `chunk` cut after each Tab (a UTF-8 byte that is never part of another character). */
export function splitAfterTabs(chunk: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = chunk.indexOf(TAB); at !== -1; at = chunk.indexOf(TAB, start)) {
    parts.push(chunk.subarray(start, at + 1));
    start = at + 1;
  }
  if (start < chunk.length) parts.push(chunk.subarray(start));
  return parts;
}

/** The terminal's side readline asks of its input while it runs (node:tty.ReadStream's). */
interface RawModeInput extends NodeJS.ReadableStream {
  readonly isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * `tty` as readline's input with every Tab at the end of a chunk. While a completion is pending
 * readline pauses its input; the chunks after the Tab wait here, so the next Tab sees the line
 * the completion left. Raw mode (set and restored by readline) goes to the terminal itself.
 */
export class TabBurstInput extends Transform {
  readonly isTTY = true;
  private readonly tty: RawModeInput;

  constructor(tty: RawModeInput) {
    super();
    this.tty = tty;
    tty.pipe(this);
  }

  get isRaw(): boolean {
    return this.tty.isRaw ?? false;
  }

  setRawMode(mode: boolean): this {
    this.tty.setRawMode?.(mode);
    return this;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const part of splitAfterTabs(chunk)) this.push(part);
    callback();
  }

  /** Lets go of the terminal: it stops flowing here (the caller pauses it). */
  release(): void {
    this.tty.unpipe(this);
  }
}
