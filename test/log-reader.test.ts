import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeLog, followLog, LogReadError, readLogSlice, tailLog } from '../src/logging/log-reader.js';
import { tempDir } from './support/tmp.js';

function file(content: string): string {
  const path = `${tempDir()}/x.log`;
  writeFileSync(path, content);
  return path;
}

describe('readLogSlice (supervisord readFile)', () => {
  const f = (): string => file('0123456789');
  it.each([
    [0, 0, '0123456789'], [2, 3, '234'], [-4, 0, '6789'], [-40, 0, '0123456789'], [8, 0, '89'], [20, 5, ''],
  ])('offset %d length %d -> %j', (offset, length, expected) => {
    expect(readLogSlice(f(), offset, length).toString()).toBe(expected);
  });
  it('refuses negative combinations and reports a missing file', () => {
    expect(() => readLogSlice(f(), -2, 1)).toThrow(LogReadError);
    expect(() => readLogSlice(f(), 0, -1)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS' }) as Error);
    expect(() => readLogSlice('/nonexistent/x.log', 0, 0)).toThrow(expect.objectContaining({ code: 'NO_FILE' }) as Error);
  });
});

describe('tailLog (supervisord tailFile)', () => {
  it('returns what is new since offset, or the last length bytes with overflow', () => {
    const path = file('0123456789');
    expect(tailLog(path, 0, 100)).toMatchObject({ offset: 10, overflow: false });
    expect(tailLog(path, 0, 100).bytes.toString()).toBe('0123456789');
    const over = tailLog(path, 0, 4);
    expect([over.bytes.toString(), over.offset, over.overflow]).toEqual(['6789', 10, true]);
    expect(tailLog(path, 10, 4).bytes.toString()).toBe('');
    expect(tailLog('/nonexistent', 7, 4)).toEqual({ bytes: Buffer.alloc(0), offset: 7, overflow: false });
  });
  it('decodes a window cut inside a UTF-8 character without failing', () => {
    expect(decodeLog(Buffer.from('ééé\n').subarray(1))).toBe('\uFFFDéé\n');
  });
});

describe('followLog', () => {
  it('yields the backlog, new bytes, the new file after rotation, and marks truncation', async () => {
    const path = file('old line\nlast\n');
    const abort = new AbortController();
    const seen: string[] = [];
    const follower = followLog(path, { backlog: 5, pollMs: 10, signal: abort.signal });
    const next = async (): Promise<string> => {
      const r = await follower.next();
      return r.done === true ? '<done>' : r.value.toString();
    };
    seen.push(await next());
    appendFileSync(path, 'more\n');
    seen.push(await next());
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'fresh\n');
    seen.push(await next());
    writeFileSync(path, '');
    appendFileSync(path, 'x');
    seen.push(await next());
    seen.push(await next());
    abort.abort();
    expect(seen).toEqual(['last\n', 'more\n', 'fresh\n', '==> File truncated <==\n', 'x']);
  });
});
