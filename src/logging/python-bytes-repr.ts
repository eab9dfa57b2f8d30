// Python's repr() of a bytes object (CPython's bytes_repr): supervisord 4.2.5's debug echo of an
// eventlistener's stdout formats the raw bytes with `%s` (dispatchers.py
// PEventListenerDispatcher.handle_read_event), so its log shows `b'READY\n'`, not the text.

const ESCAPES: Readonly<Record<number, string>> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x5c: '\\\\' };

function escapeOf(byte: number, quote: number): string {
  const escape = ESCAPES[byte];
  if (escape !== undefined) return escape;
  if (byte === quote) return `\\${String.fromCharCode(byte)}`;
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

export function pyBytesRepr(bytes: Uint8Array): string {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  // Single quotes, unless the bytes hold a single quote and no double quote.
  const quote = data.includes(0x27) && !data.includes(0x22) ? 0x22 : 0x27;
  const parts = [`b${String.fromCharCode(quote)}`];
  // Runs of printable bytes are copied whole: a listener may write a 64 KiB read at a time.
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] ?? 0;
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x5c && byte !== quote) continue;
    parts.push(data.toString('latin1', start, i), escapeOf(byte, quote));
    start = i + 1;
  }
  parts.push(data.toString('latin1', start), String.fromCharCode(quote));
  return parts.join('');
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** supervisord's as_string(data), or `Undecodable: b'...'` when the bytes are not UTF-8. */
export function decodedOrUndecodable(data: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(data);
  } catch {
    return `Undecodable: ${pyBytesRepr(data)}`;
  }
}
