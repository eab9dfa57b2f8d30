// Byte filters between a child's pipe and its log file. Both keep state across chunks, since a
// pipe read may end in the middle of an escape sequence or a line.

export type ChunkFilter = (chunk: Buffer) => Buffer;

const ESC = 0x1b;
const BRACKET = 0x5b;
// supervisord's ANSI_TERMINATORS (dispatchers.py): the byte that ends an escape sequence.
const TERMINATORS = new Set(Array.from(Buffer.from('HfABCDRsuJKhlpm')));

/** strip_ansi: drops `ESC [` … terminator, as supervisord's stripEscapes does. */
export function ansiStripper(): ChunkFilter {
  let state: 'text' | 'esc' | 'seq' = 'text';
  return (chunk) => {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let n = 0;
    for (const byte of chunk) {
      if (state === 'seq') {
        if (TERMINATORS.has(byte)) state = 'text';
      } else if (state === 'esc') {
        if (byte === BRACKET) {
          state = 'seq';
        } else {
          // A lone ESC is not a sequence: keep it and this byte.
          out[n++] = ESC;
          if (byte === ESC) continue;
          out[n++] = byte;
          state = 'text';
        }
      } else if (byte === ESC) {
        state = 'esc';
      } else {
        out[n++] = byte;
      }
    }
    return out.subarray(0, n);
  };
}

/**
 * `*_logfile_timestamps=true` (a tssupervisor extension): every line starts with an ISO-8601
 * time and a space, stamped when its first byte arrives.
 */
export function lineTimestamper(now: () => Date = () => new Date()): ChunkFilter {
  let atLineStart = true;
  return (chunk) => {
    const parts: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      if (atLineStart) parts.push(Buffer.from(`${now().toISOString()} `));
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      parts.push(chunk.subarray(start, end));
      atLineStart = newline !== -1;
      start = end;
    }
    return Buffer.concat(parts);
  };
}
