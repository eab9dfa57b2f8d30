// A child's output pipe read by the addon's readPipe (host.c): a poll handle on the descriptor,
// each read reported through one callback for all pipes, instead of a net.Socket per pipe. The
// Socket cost ~55 us of the daemon's one thread to make and ~50 us at EOF (end, destroy, close,
// each a process.nextTick): `start all` and `stop all` of 1000 programs paid ~110 and ~100 ms for
// their 2000 pipes. What the readers of child output use of a Socket is all this offers: pause,
// resume, destroy, and one 'close' when the pipe is done (EOF, a read error, or destroy()).

import type { NativeAddon } from './native-addon.js';
import type { PipeReader, SharedRead } from '../process/spawner.js';

/** The addon's parts this needs. */
export type PipeAddon = Required<Pick<NativeAddon, 'onPipe' | 'readPipe' | 'pausePipe' | 'resumePipe' | 'closePipe'>>;

/**
 * Per addon, the open readers by descriptor (a descriptor has one reader until it is closed).
 * Keyed by its onPipe: the addon keeps one callback, whichever object its functions came in.
 */
const readersOf = new WeakMap<PipeAddon['onPipe'], Map<number, NativePipeReader>>();

function readersFor(addon: PipeAddon): Map<number, NativePipeReader> {
  let readers = readersOf.get(addon.onPipe);
  if (readers === undefined) {
    const map = new Map<number, NativePipeReader>();
    addon.onPipe((fd, bytes) => {
      const reader = map.get(fd);
      if (reader === undefined) return;
      if (bytes > 0) reader.data(bytes);
      else {
        // EOF or a read error: the addon has closed the descriptor already.
        map.delete(fd);
        reader.ended();
      }
    });
    readersOf.set(addon.onPipe, map);
    readers = map;
  }
  return readers;
}

/** The addon's parts for reading pipes, or null in a build older than them. */
export function pipeAddonOf(addon: Partial<PipeAddon>): PipeAddon | null {
  const { onPipe, readPipe, pausePipe, resumePipe, closePipe } = addon;
  if (onPipe === undefined || readPipe === undefined || pausePipe === undefined || resumePipe === undefined || closePipe === undefined) return null;
  return { onPipe, readPipe, pausePipe, resumePipe, closePipe };
}

export class NativePipeReader implements PipeReader {
  readonly #addon: PipeAddon;
  readonly #fd: number;
  readonly #onread: SharedRead;
  readonly #readers: Map<number, NativePipeReader>;
  #closed = false;
  #paused = false;
  #onClose: (() => void)[] = [];

  /** Reads `fd` (non-blocking; the reader's from now on) into onread.buffer; throws if the addon cannot. */
  constructor(addon: PipeAddon, fd: number, onread: SharedRead) {
    this.#addon = addon;
    this.#fd = fd;
    this.#onread = onread;
    this.#readers = readersFor(addon);
    const failed = addon.readPipe(fd, onread.buffer);
    if (failed < 0) throw Object.assign(new Error(`readPipe(${fd}) failed: errno ${-failed}`), { errno: failed });
    this.#readers.set(fd, this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get destroyed(): boolean {
    return this.#closed;
  }

  pause(): this {
    if (!this.#closed && !this.#paused) {
      this.#paused = true;
      this.#addon.pausePipe(this.#fd);
    }
    return this;
  }

  resume(): this {
    if (!this.#closed && this.#paused) {
      this.#paused = false;
      this.#addon.resumePipe(this.#fd);
    }
    return this;
  }

  /** Closes the pipe now; 'close' follows in a later tick, as a Socket's. */
  destroy(): this {
    if (this.#closed) return this;
    this.#closed = true;
    this.#readers.delete(this.#fd);
    this.#addon.closePipe(this.#fd);
    process.nextTick(() => {
      this.#emitClose();
    });
    return this;
  }

  /** The only event there is. */
  once(_event: 'close', listener: () => void): this {
    this.#onClose.push(listener);
    return this;
  }

  /** From the addon: `bytes` were read into the buffer (they must be taken now). */
  data(bytes: number): void {
    // Destroyed from within an earlier callback of this same turn: the bytes are not wanted.
    if (this.#closed) return;
    const { buffer, callback } = this.#onread;
    if (callback(bytes, buffer) === false) this.pause();
  }

  /** From the addon: EOF or a read error; the descriptor is closed. */
  ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#emitClose();
  }

  #emitClose(): void {
    const listeners = this.#onClose;
    this.#onClose = [];
    for (const listener of listeners) listener();
  }
}
