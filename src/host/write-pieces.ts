// A slice of a buffer written in write(2)s of at most `piece` bytes, off the event loop: the
// native addon's writePieces (all pieces in one libuv pool request), or, without the addon, one
// fs.write of the first piece (the caller goes on from what was written, as after any partial
// write). Errors are Node's own (code, errno, syscall, message), as fs.write reports them.

import { write } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { loadNativeAddon, type NativeAddon } from './native-addon.js';

export type WriteDone = (err: NodeJS.ErrnoException | null, written: number) => void;
type Pieces = NonNullable<NativeAddon['writePieces']>;

/** fs.write's error for a failed write(2) (`ENOSPC: no space left on device, write`). */
function writeError(errno: number): NodeJS.ErrnoException {
  const [code, description] = getSystemErrorMap().get(-errno) ?? [`Unknown system error ${-errno}`, 'unknown error'];
  return Object.assign(new Error(`${code}: ${description}, write`), { code, errno: -errno, syscall: 'write' });
}

/** The addon's writePieces once asked for (null: no addon, or a build older than it). */
let pieces: Pieces | null | undefined;

function addonPieces(): Pieces | null {
  if (pieces === undefined) {
    const addon = loadNativeAddon();
    pieces = 'missing' in addon ? null : addon.writePieces ?? null;
  }
  return pieces;
}

export function writePieces(fd: number, buffer: Buffer, offset: number, length: number, piece: number, done: WriteDone): void {
  const native = addonPieces();
  if (native === null) {
    // One hand-off between the loop and a pool thread per piece.
    write(fd, buffer, offset, Math.min(piece, length), null, done);
    return;
  }
  native(fd, buffer, offset, length, piece, (errno, written) => {
    done(errno === 0 ? null : writeError(errno), written);
  });
}
