// Capture mode against cases checked by hand from dispatchers.py / loggers.py, and a property
// that holds for supervisord's algorithm: however the same bytes are split into reads, the log
// gets the same text and the same payloads come out. (test/capture-mode-oracle.test.ts runs the
// Python code itself on random reads.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cut, streamAndCuts } from '../../test/support/capture-streams.js';
import { ansiStripper } from './output-filters.js';
import { BEGIN_TOKEN, BoundIO, CaptureMode, END_TOKEN, findPrefixAtEnd } from './capture-mode.js';

const BEGIN = BEGIN_TOKEN.toString();
const END = END_TOKEN.toString();

type Step = readonly ['log', string] | readonly ['captured', string] | readonly ['comm', string];

function run(maxBytes: number, chunks: readonly string[], strip = false): { steps: Step[]; rest: string; capturing: boolean } {
  const capture = new CaptureMode(maxBytes, strip ? ansiStripper() : undefined);
  const steps: Step[] = [];
  for (const chunk of chunks) {
    capture.feed(Buffer.from(chunk, 'latin1'), {
      logged: (data, captured) => { steps.push([captured ? 'captured' : 'log', data.toString('latin1')]); },
      communicated: (data) => { steps.push(['comm', data.toString('latin1')]); },
    });
  }
  const { capturing } = capture;
  return { steps, rest: capture.end().toString('latin1'), capturing };
}

describe('findPrefixAtEnd (asynchat find_prefix_at_end)', () => {
  it('is the longest proper prefix of the token the data ends with', () => {
    expect(findPrefixAtEnd(Buffer.from('abc<!--XSUP'), BEGIN_TOKEN)).toBe(8);
    expect(findPrefixAtEnd(Buffer.from('abc<'), BEGIN_TOKEN)).toBe(1);
    expect(findPrefixAtEnd(Buffer.from('abc'), BEGIN_TOKEN)).toBe(0);
    // Never the whole token (that one record_output finds with split).
    expect(findPrefixAtEnd(BEGIN_TOKEN, BEGIN_TOKEN)).toBe(0);
    expect(findPrefixAtEnd(Buffer.from(`x${BEGIN.slice(0, -1)}`), BEGIN_TOKEN)).toBe(BEGIN.length - 1);
    expect(findPrefixAtEnd(Buffer.from('<!'), BEGIN_TOKEN)).toBe(2);
  });
});

describe('BoundIO', () => {
  it('drops as many bytes from the front as a write that overflows adds (supervisord\'s rule)', () => {
    const io = new BoundIO(10);
    io.write(Buffer.from('abcdefgh'));
    expect(io.getvalue().toString()).toBe('abcdefgh');
    // 8 + 3 > 10: buf[3:] + 'xyz', 8 bytes, not the last 10.
    io.write(Buffer.from('xyz'));
    expect(io.getvalue().toString()).toBe('defghxyz');
    io.write(Buffer.from('12'));
    expect(io.getvalue().toString()).toBe('defghxyz12');
    // A write longer than the buffer replaces it entirely and is kept whole (20 > maxbytes).
    io.write(Buffer.from('L'.repeat(20)));
    expect(io.getvalue().toString()).toBe('L'.repeat(20));
    io.clear();
    expect(io.getvalue().length).toBe(0);
  });

  it('keeps its own copy of what it is given', () => {
    const io = new BoundIO(100);
    const shared = Buffer.from('aaaa');
    io.write(shared);
    shared.fill('b');
    expect(io.getvalue().toString()).toBe('aaaa');
  });
});

describe('CaptureMode', () => {
  it('capture_maxbytes=0 is supervisord\'s shortcut: every non-empty read is logged as it came', () => {
    expect(run(0, ['hi', '', `${BEGIN}x${END}`, '\n'])).toMatchObject({
      steps: [['log', 'hi'], ['log', `${BEGIN}x${END}`], ['log', '\n']], rest: '',
    });
  });

  it('holds back output no longer than the awaited token, even plain text, until more comes', () => {
    expect(run(100, ['hi\n'])).toMatchObject({ steps: [], rest: 'hi\n' });
    // 24 bytes is BEGIN's length: still "not enough data"; one more byte and it is logged.
    expect(run(100, ['x'.repeat(24)])).toMatchObject({ steps: [], rest: 'x'.repeat(24) });
    expect(run(100, ['hi\n', 'x'.repeat(22)])).toMatchObject({ steps: [['log', `hi\n${'x'.repeat(22)}`]], rest: '' });
  });

  it('a payload split across reads: the text around it is logged, the payload captured and emitted once', () => {
    expect(run(100, ['before <!--XSUPER', 'VISOR:BEGIN-->hello<!--XSUPERVISOR:E', 'ND--> after\n'])).toMatchObject({
      // 'before <!--XSUPER' (17) waits; then BEGIN splits it; 'hello<!--XSUPERVISOR:E' is 22
      // bytes, END's length, so it waits; the third read completes END; ' after\n' waits.
      steps: [['log', 'before '], ['captured', 'hello'], ['comm', 'hello']],
      rest: ' after\n',
    });
  });

  it('keeps a partial token at the end of a read for the next one', () => {
    const long = 'some text here that is long ';
    expect(run(100, [`${long}<!--XSUP`, 'ERVISOR:BEGIN-->', 'x', `${'y'.repeat(30)}${END}tail of the line, long enough\n`])).toMatchObject({
      steps: [
        ['log', long],
        // BEGIN alone (24 bytes) waited; with 'x' after it, capture mode starts and 'x' waits.
        ['captured', `x${'y'.repeat(30)}`], ['comm', `x${'y'.repeat(30)}`],
        ['log', 'tail of the line, long enough\n'],
      ],
      rest: '',
    });
    // A lone '<' may begin a token: it waits too.
    expect(run(100, [`${long}<`])).toMatchObject({ steps: [['log', long]], rest: '<' });
  });

  it('several payloads in one read, and text between them', () => {
    const a = 'first payload, long enough';
    const b = 'second payload, also long';
    expect(run(100, [`${BEGIN}${a}${END} and between them ${BEGIN}${b}${END} and the rest of it\n`])).toMatchObject({
      steps: [
        ['captured', a], ['comm', a],
        ['log', ' and between them '],
        ['captured', b], ['comm', b],
      ],
      // 20 bytes after the last END: fewer than BEGIN's 24, so they wait for more output.
      rest: ' and the rest of it\n',
    });
  });

  it('capture overflow follows BoundIO: the payload is what the bound buffer holds at END', () => {
    expect(run(30, [`${BEGIN}${'a'.repeat(25)}`, 'b'.repeat(25), END, '\n'])).toMatchObject({
      // 25 + 25 > 30: the buffer becomes buf[25:] + 25 b's. END alone (22 bytes) waits for '\n'.
      steps: [['captured', 'a'.repeat(25)], ['captured', 'b'.repeat(25)], ['comm', 'b'.repeat(25)]],
      rest: '\n',
    });
    expect(run(30, [`${BEGIN}${'a'.repeat(23)}`, `${'b'.repeat(23)}${END}!`])).toMatchObject({
      // 23 + 23 > 30: 'a'*23 [23:] is empty, so the payload is the 23 b's alone.
      steps: [['captured', 'a'.repeat(23)], ['captured', 'b'.repeat(23)], ['comm', 'b'.repeat(23)]],
      rest: '!',
    });
  });

  it('an empty payload is still an event; an unfinished one is dropped at the end, as supervisord drops it', () => {
    expect(run(100, [`${BEGIN}${END}and then some more text, enough\n`])).toMatchObject({
      steps: [['comm', ''], ['log', 'and then some more text, enough\n']], rest: '',
    });
    // The awaited token alone is held too ("not enough data"), and is no text to log at the end.
    expect(run(100, ['x'.repeat(30), BEGIN])).toMatchObject({ steps: [['log', 'x'.repeat(30)]], rest: '', capturing: false });
    // Nor does an END that came alone, as the last read, make an event: supervisord waits for more.
    expect(run(100, [`${BEGIN}payload long enough to go`, END])).toMatchObject({
      steps: [['captured', 'payload long enough to go']], rest: '', capturing: true,
    });
    expect(run(100, [`${BEGIN}never ends, and is long enough`, 'short'])).toMatchObject({
      steps: [['captured', 'never ends, and is long enough']], rest: '', capturing: true,
    });
  });

  it('strip_ansi is applied to each piece before it is logged or captured', () => {
    expect(run(100, ['held: \x1b[1mbold\x1b[0m'], true)).toMatchObject({ steps: [], rest: 'held: bold' });
    expect(run(100, [`\x1b[31mred\x1b[0m ${BEGIN}\x1b[1mbold payload here\x1b[0m${END} the end of it\n`], true)).toMatchObject({
      steps: [['log', 'red '], ['captured', 'bold payload here'], ['comm', 'bold payload here']],
      rest: ' the end of it\n',
    });
  });

  it('clearCapture empties the buffer and stays in capture mode (clearProcessLogs)', () => {
    const capture = new CaptureMode(100);
    const comms: string[] = [];
    const out = { logged: () => undefined, communicated: (d: Buffer) => { comms.push(d.toString()); } };
    capture.feed(Buffer.from(`${BEGIN}cleared text, long enough`), out);
    capture.clearCapture();
    expect(capture.capturing).toBe(true);
    capture.feed(Buffer.from(`kept text, long enough to go${END}`), out);
    expect(comms).toEqual(['kept text, long enough to go']);
  });

  // A model of the whole stream: split at alternating BEGIN/END tokens.
  function model(stream: string): { log: string; comms: string[] } {
    let log = '';
    const comms: string[] = [];
    let rest = stream;
    for (;;) {
      const b = rest.indexOf(BEGIN);
      if (b === -1) return { log: log + rest, comms };
      log += rest.slice(0, b);
      rest = rest.slice(b + BEGIN.length);
      const e = rest.indexOf(END);
      if (e === -1) return { log, comms };
      comms.push(rest.slice(0, e));
      rest = rest.slice(e + END.length);
    }
  }

  it('property: however the reads are cut, the log and the payloads are those of the whole stream', () => {
    fc.assert(fc.property(streamAndCuts, ([stream, cuts]) => {
      const { steps, rest, capturing } = run(1 << 20, cut(stream, cuts));
      const expected = model(stream);
      expect(steps.filter(([k]) => k === 'log').map(([, d]) => d).join('') + rest).toBe(expected.log);
      const comms = steps.filter(([k]) => k === 'comm').map(([, d]) => d);
      // The one exception: an END that is the whole of the last read waits for output that never comes.
      const waiting = capturing && stream.endsWith(END) && comms.length === expected.comms.length - 1;
      expect(comms).toEqual(waiting ? expected.comms.slice(0, -1) : expected.comms);
      // What was captured is what was emitted (no overflow here), then an unfinished payload.
      const captured = steps.filter(([k]) => k === 'captured').map(([, d]) => d).join('');
      expect(captured.startsWith(comms.join(''))).toBe(true);
    }), { numRuns: 500 });
  });

  it('property: capture_maxbytes=0 logs every read unchanged and holds nothing', () => {
    fc.assert(fc.property(streamAndCuts, ([stream, cuts]) => {
      const chunks = cut(stream, cuts);
      expect(run(0, chunks)).toEqual({ steps: chunks.filter((c) => c !== '').map((c) => ['log', c]), rest: '', capturing: false });
    }), { numRuns: 200 });
  });
});
