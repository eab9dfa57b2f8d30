import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDaemonLogger, fileDestination, formatAsctime, formatLogLine,
  type DaemonLoggerOptions, type LogDestination, type LogLevelName,
} from './daemon-logger.js';

// Local-time constructor: the text format is local time, so the expectation holds in any TZ.
const T = new Date(2026, 10, 25, 9, 1, 23, 312);
const TEXT_PREFIX = '2026-11-25 09:01:23,312';

function capture(options: Partial<DaemonLoggerOptions> = {}): { lines: string[]; log: ReturnType<typeof createDaemonLogger> } {
  const lines: string[] = [];
  const log = createDaemonLogger({ now: () => T, destinations: [{ write: (l) => lines.push(l) }], ...options });
  return { lines, log };
}

describe('formatLogLine', () => {
  it('formats supervisord text lines with 4-letter level names', () => {
    const cases: [LogLevelName, string][] = [
      ['critical', 'CRIT'], ['error', 'ERRO'], ['warn', 'WARN'], ['info', 'INFO'],
      ['debug', 'DEBG'], ['trace', 'TRAC'], ['blather', 'BLAT'],
    ];
    for (const [level, short] of cases) {
      expect(formatLogLine({ time: T, level, msg: 'hello' }, 'text')).toBe(`${TEXT_PREFIX} ${short} hello\n`);
    }
  });

  it('pads every part of the timestamp and keeps milliseconds at 3 digits', () => {
    expect(formatAsctime(new Date(2027, 0, 2, 3, 4, 5, 6))).toBe('2027-01-02 03:04:05,006');
  });

  it('does not print fields in text mode', () => {
    const line = formatLogLine({ time: T, level: 'info', msg: 'x', fields: { process: 'web' } }, 'text');
    expect(line).toBe(`${TEXT_PREFIX} INFO x\n`);
  });

  it('formats one JSON object per line with ISO time, level and msg first', () => {
    const line = formatLogLine({ time: T, level: 'warn', msg: 'm', fields: { pid: 7, time: 'spoof' } }, 'json');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['time', 'level', 'msg', 'pid']);
    expect(JSON.parse(line)).toEqual({ time: T.toISOString(), level: 'warn', msg: 'm', pid: 7 });
  });
});

describe('createDaemonLogger', () => {
  it('writes exact supervisord lines', () => {
    const { lines, log } = capture();
    log.info("spawned: 'x' with pid 123");
    log.warn('exited: x (exit status 1; not expected)');
    log.critical('100%s done %d', { ignored: true });
    expect(lines).toEqual([
      `${TEXT_PREFIX} INFO spawned: 'x' with pid 123\n`,
      `${TEXT_PREFIX} WARN exited: x (exit status 1; not expected)\n`,
      `${TEXT_PREFIX} CRIT 100%s done %d\n`,
    ]);
  });

  it('keeps multi-line messages as supervisord does (child output at debug)', () => {
    const { lines, log } = capture({ level: 'debug' });
    log.debug("'printer' stdout output:\nhello\n");
    expect(lines).toEqual([`${TEXT_PREFIX} DEBG 'printer' stdout output:\nhello\n\n`]);
  });

  it('filters by level: info hides debug and below', () => {
    const { lines, log } = capture({ level: 'info' });
    log.blather('b');
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.error('e');
    expect(lines.map((l) => l.slice(TEXT_PREFIX.length + 1))).toEqual(['INFO i\n', 'ERRO e\n']);
    expect(log.isEnabled('debug')).toBe(false);
    expect(log.isEnabled('info')).toBe(true);
    expect(log.isEnabled('critical')).toBe(true);
  });

  it('blather shows every level; critical shows only CRIT', () => {
    const all = capture({ level: 'blather' });
    const crit = capture({ level: 'critical' });
    for (const { log } of [all, crit]) {
      for (const level of ['blather', 'trace', 'debug', 'info', 'warn', 'error', 'critical'] as const) log[level](level);
    }
    expect(all.lines.map((l) => l.split(' ')[2])).toEqual(['BLAT', 'TRAC', 'DEBG', 'INFO', 'WARN', 'ERRO', 'CRIT']);
    expect(crit.lines.map((l) => l.split(' ')[2])).toEqual(['CRIT']);
  });

  it('defaults to info', () => {
    const { log } = capture();
    expect(log.isEnabled('info')).toBe(true);
    expect(log.isEnabled('debug')).toBe(false);
  });

  it('rejects an unknown level name', () => {
    expect(() => capture({ level: 'warning' as LogLevelName })).toThrow("bad logging level name 'warning'");
  });

  it('json mode carries child bindings and per-call fields', () => {
    const { lines, log } = capture({ format: 'json', level: 'debug' });
    const web = log.child({ process: 'web', group: 'web' });
    web.info("spawned: 'web' with pid 42", { pid: 42 });
    web.child({ channel: 'stdout' }).debug('output', { bytes: 6 });
    log.warn('plain');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: T.toISOString(), level: 'info', msg: "spawned: 'web' with pid 42", process: 'web', group: 'web', pid: 42 },
      { time: T.toISOString(), level: 'debug', msg: 'output', process: 'web', group: 'web', channel: 'stdout', bytes: 6 },
      { time: T.toISOString(), level: 'warn', msg: 'plain' },
    ]);
    expect(web.isEnabled('trace')).toBe(false);
  });

  it('json mode: fields cannot override level or msg', () => {
    const { lines, log } = capture({ format: 'json' });
    log.info('real', { level: 'critical', msg: 'fake' });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', msg: 'real' });
  });

  it('text mode hides child bindings', () => {
    const { lines, log } = capture();
    log.child({ process: 'web' }).info('hello', { pid: 1 });
    expect(lines).toEqual([`${TEXT_PREFIX} INFO hello\n`]);
  });

  it('writes to every destination, and reopen/close delegate to them (also from children)', () => {
    const calls: string[] = [];
    const dest = (name: string): LogDestination => ({
      write: (l) => calls.push(`${name} write ${l.trim().split(' ').pop() ?? ''}`),
      reopen: () => calls.push(`${name} reopen`),
      close: () => calls.push(`${name} close`),
    });
    const log = createDaemonLogger({ now: () => T, destinations: [dest('a'), dest('b'), { write: () => undefined }] });
    log.info('one');
    log.child({ process: 'x' }).reopen();
    log.close();
    log.close();
    log.info('after-close');
    expect(calls).toEqual(['a write one', 'b write one', 'a reopen', 'b reopen', 'a close', 'b close']);
  });

  it('a throwing destination is reported and does not starve the others', () => {
    const errors: Error[] = [];
    const lines: string[] = [];
    const log = createDaemonLogger({
      now: () => T,
      onError: (e) => errors.push(e),
      destinations: [{ write: () => { throw new Error('boom'); } }, { write: (l) => lines.push(l) }],
    });
    expect(() => log.info('x')).not.toThrow();
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    expect(lines).toHaveLength(1);
  });
});

describe('fileDestination', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs through RotatingFile into a real file, rotating and reopening', () => {
    dir = mkdtempSync(join(tmpdir(), 'tss-mainlog-'));
    const file = join(dir, 'supervisord.log');
    const errors: Error[] = [];
    const log = createDaemonLogger({ now: () => T, destinations: [fileDestination(file, 100, 2, (e) => errors.push(e))] });
    log.info('supervisord started with pid 6013'); // 57 bytes
    log.info("spawned: 'x' with pid 43128"); // 51 → 108 ≥ 100: rotated
    log.info('third');
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(
      `${TEXT_PREFIX} INFO supervisord started with pid 6013\n${TEXT_PREFIX} INFO spawned: 'x' with pid 43128\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(`${TEXT_PREFIX} INFO third\n`);
    rmSync(file); // logrotate-style removal, then SIGUSR2
    log.reopen();
    log.info('supervisord logreopen');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe(`${TEXT_PREFIX} INFO supervisord logreopen\n`);
    expect(existsSync(`${file}.2`)).toBe(false);
    expect(errors).toEqual([]);
  });

  it('reports syslog as unsupported and falls back to stdout', () => {
    const errors: Error[] = [];
    const dest = fileDestination('syslog', 0, 0, (e) => errors.push(e));
    expect(errors.map((e) => e.message)).toEqual(['syslog logging is not supported; use a file']);
    expect('reopen' in dest).toBe(false);
    expect(existsSync('syslog')).toBe(false);
  });
});

describe('createDaemonLogger, batched', () => {
  it("hands a turn's lines to each destination together once the turn's callbacks have run, in order", async () => {
    const batches: string[][] = [];
    const single: string[] = [];
    const log = createDaemonLogger({
      now: () => T, batched: true,
      destinations: [{ write: (l) => single.push(l), writeLines: (ls) => batches.push([...ls]) }, { write: (l) => single.push(l) }],
    });
    log.info('one');
    log.warn('two');
    expect([batches, single]).toEqual([[], []]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[`${TEXT_PREFIX} INFO one\n`, `${TEXT_PREFIX} WARN two\n`]]);
    // A destination without writeLines gets them one by one.
    expect(single).toEqual([`${TEXT_PREFIX} INFO one\n`, `${TEXT_PREFIX} WARN two\n`]);
    log.info('three');
    log.close();
    // close (as reopen and process exit) writes what is pending first.
    expect(batches.at(-1)).toEqual([`${TEXT_PREFIX} INFO three\n`]);
  });
});

