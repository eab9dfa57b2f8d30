// Expected values printed by /usr/bin/python3 (`'%s' % b`) for the same bytes.
import { describe, expect, it } from 'vitest';
import { pyBytesRepr } from './python-bytes-repr.js';

describe('pyBytesRepr', () => {
  it.each([
    [Buffer.from('READY\n'), "b'READY\\n'"],
    [Buffer.from('RESULT 2\nOK'), "b'RESULT 2\\nOK'"],
    [Buffer.from("it's"), 'b"it\'s"'],
    [Buffer.from('\'"'), "b'\\'\"'"],
    [Buffer.from([0x00, 0x1f, 0x7f, 0x80, 0xff]), "b'\\x00\\x1f\\x7f\\x80\\xff'"],
    [Buffer.from('a\\b'), "b'a\\\\b'"],
    [Buffer.from('\t\r'), "b'\\t\\r'"],
    [Buffer.alloc(0), "b''"],
  ])('%s', (data, expected) => {
    expect(pyBytesRepr(data)).toBe(expected);
  });
});
