import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProbeRun } from '../probe.js';
import { LineMatcher, logPattern, MAX_PARTIAL_LINE, watchLog } from './log.js';

const READY = /^Ready to accept connections$/u;
const feedAll = (m: LineMatcher, ...chunks: string[]): boolean => chunks.some((c) => m.feed(Buffer.from(c)));

describe('LineMatcher: lines of output in chunks', () => {
  it('matches a complete line, not a line still being written', () => {
    expect(feedAll(new LineMatcher(READY), 'loading\nReady to accept connections\n')).toBe(true);
    const m = new LineMatcher(READY);
    expect(feedAll(m, 'Ready to accept connections')).toBe(false);
    expect(feedAll(m, '\n')).toBe(true);
    expect(feedAll(new LineMatcher(READY), 'Ready to accept connections and more\n')).toBe(false);
  });

  it('joins a line split across chunks, byte by byte too', () => {
    const text = 'starting\nReady to accept connections\n';
    expect(feedAll(new LineMatcher(READY), 'starting\nReady to', ' accept conn', 'ections\nmore')).toBe(true);
    expect(feedAll(new LineMatcher(READY), ...text.split(''))).toBe(true);
  });

  it('any split of the output gives the answer of the whole output', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom('Ready to accept connections', 'Ready', 'x', '\n', '\r\n', 'é', ''), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (parts, cuts) => {
        const whole = Buffer.from(parts.join(''));
        const expected = whole.toString('utf8').split('\n').slice(0, -1).some((l) => READY.test(l.replace(/\r$/u, '')));
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const m = new LineMatcher(READY);
        let matched = false;
        let from = 0;
        for (const at of [...points, whole.length]) {
          matched ||= m.feed(whole.subarray(from, at));
          from = at;
        }
        return matched === expected;
      },
    ));
  });

  it('ignores the CR of a CRLF line', () => {
    expect(feedAll(new LineMatcher(READY), 'Ready to accept connections\r\n')).toBe(true);
  });

  it('keeps a copy of the unfinished line: the chunk may be a shared buffer overwritten by the next read', () => {
    const shared = Buffer.alloc(32);
    const m = new LineMatcher(READY);
    shared.write('Ready to acc');
    expect(m.feed(shared.subarray(0, 12))).toBe(false);
    shared.fill('z');
    shared.write('ept connections\n');
    expect(m.feed(shared.subarray(0, 16))).toBe(true);
  });

  it('holds at most MAX_PARTIAL_LINE bytes of a line without a newline, and matches its end', () => {
    const m = new LineMatcher(/Ready$/u);
    const junk = Buffer.alloc(256 * 1024, 'x');
    for (let i = 0; i < 8; i++) expect(m.feed(junk)).toBe(false);
    expect(m.pendingBytes).toBe(MAX_PARTIAL_LINE);
    expect(feedAll(m, 'Ready\n')).toBe(true);
    expect(m.pendingBytes).toBe(0);
  });
});

describe('logPattern', () => {
  it('is a unicode RegExp, or the reason it is not one', () => {
    const ok = logPattern('Server startup in \\d+ ms');
    expect(ok).toBeInstanceOf(RegExp);
    expect((ok as RegExp).flags).toBe('u');
    expect(logPattern('a(')).toMatch(/^log:a\( is not a valid regular expression: /u);
    // Unicode mode rejects what a sloppy pattern would take as a literal.
    expect(typeof logPattern('\\q')).toBe('string');
  });
});

/** A run whose output the test writes itself, channel by channel, as ChildLogs.watch tells it. */
function fakeRun(): { run: ProbeRun; write: (text: string, channel?: 'stdout' | 'stderr') => void; watchers: () => number } {
  const watchers = new Set<(chunk: Buffer, channel?: 'stdout' | 'stderr') => void>();
  return {
    run: {
      pid: 1, env: {}, cwd: null,
      watchOutput: (fn) => {
        watchers.add(fn);
        return () => { watchers.delete(fn); };
      },
    },
    write: (text, channel) => {
      for (const w of watchers) w(Buffer.from(text), channel);
    },
    watchers: () => watchers.size,
  };
}

const turn = async (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

describe('watchLog', () => {
  it('splits lines per channel, so stderr between two halves of a stdout line does not hide it', async () => {
    const { run, write, watchers } = fakeRun();
    let ready = 0;
    watchLog(READY, run, () => { ready++; });
    write('Ready to acc', 'stdout');
    write('a warning\n', 'stderr');
    write('ept connections\n', 'stdout');
    // ready() comes in a turn of its own, never inside the pipe's read.
    expect(ready).toBe(0);
    expect(watchers()).toBe(0);
    await turn();
    expect(ready).toBe(1);
    write('Ready to accept connections\n', 'stdout');
    await turn();
    expect(ready).toBe(1);
  });

  it('stop unsubscribes, and a match already seen then never calls ready()', async () => {
    const { run, write, watchers } = fakeRun();
    let ready = 0;
    const stop = watchLog(READY, run, () => { ready++; });
    expect(watchers()).toBe(1);
    write('Ready to accept connections\n');
    stop();
    await turn();
    expect(ready).toBe(0);
    const stop2 = watchLog(READY, run, () => { ready++; });
    stop2();
    expect(watchers()).toBe(0);
  });
});
