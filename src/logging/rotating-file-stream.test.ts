// Evaluation of `rotating-file-stream` (rfs) v3 against supervisord's child-log rules
// (docs/supervisord-reference.md §5.1–5.2), side by side with our RotatingFile on the same input.
// Each test asserts what rfs *actually* does (so it passes and documents the mismatch) and what
// RotatingFile does (the supervisord behaviour).
//
// Verdict: tssupervisor keeps its own RotatingFile. rfs, configured the closest way
// (classic logrotate mode: `rotate: N`, `size: 'NB'`), agrees with supervisord on size units
// (K = 1024, any byte count via 'NB'), on the rotation point (after the write that reaches the
// limit, so f.1 may exceed it by one write), on whole writes never being split and, when given
// a plain file name, on the f.1-newest … f.N-oldest shift. It differs on everything else:
//   1. The `(time, index) => …` generator one would naturally write never rotates in classic mode
//      (rfs calls it as `generator(index)`), silently growing one file while emitting 'rotated'.
//   2. backups=0 cannot be expressed: `rotate: 0` throws; without `rotate` every rotation keeps a
//      new file (unbounded, and numbered oldest-first) instead of truncating in place.
//   3. maxbytes=0 cannot be expressed as a size ('0B' throws), and rfs refuses any non-regular
//      file, so `stdout_logfile=/dev/stdout` (the documented maxbytes=0 use) is impossible.
//   4. Writes are asynchronous: nothing is on disk when write() returns and the stream buffers
//      without bound in the daemon's heap; a crash / SIGKILL / process.exit() loses what is queued.
//   5. There is no reopen() for SIGUSR2 / logrotate `create`: after an external rename rfs keeps
//      writing into the moved file.
//   6. At start rfs rotates an existing over-size file before the first write; supervisord
//      appends the write first and rotates after it (so the old tail and the new write share f.1).
// Not counted as a difference: a failing rename during rotation destroys the rfs stream for good,
// but supervisord also gives up on that channel ("uncaptured python exception, closing channel");
// RotatingFile deliberately does better (reports once, keeps logging).
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingFile } from './rotating-file.js';

let dir: string;
let file: string;
const NAME = 'f.log';
const toClose: RotatingFile[] = [];
const toEnd: RotatingFileStream[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tss-rfs-'));
  file = join(dir, NAME);
});

afterEach(async () => {
  for (const f of toClose.splice(0)) f.close();
  for (const s of toEnd.splice(0)) {
    if (!s.destroyed && !s.writableFinished) await end(s);
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The brief's "closest" generator: `f` for the live file, `f.<index>` for rotated ones. */
const timeIndexGenerator = (_time: number | Date, index?: number): string => (index ? `${NAME}.${String(index)}` : NAME);

function rfs(name: Parameters<typeof createStream>[0], options: Parameters<typeof createStream>[1]): RotatingFileStream {
  const s = createStream(name, { path: dir, ...options });
  toEnd.push(s);
  return s;
}

function ours(maxBytes: number, backups: number, path = file, errors: Error[] = []): RotatingFile {
  const f = new RotatingFile(path, { maxBytes, backups, onError: (e) => errors.push(e) });
  toClose.push(f);
  return f;
}

/** One write, resolved once rfs has written it and finished any rotation it triggered. */
function write(s: RotatingFileStream, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    s.write(data, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

async function writeAll(s: RotatingFileStream, chunks: readonly (string | Buffer)[]): Promise<void> {
  for (const c of chunks) await write(s, c);
}

/** end() and wait for 'finish' (rfs closes its file in _final, before 'finish'). */
async function end(s: RotatingFileStream): Promise<void> {
  const finished = once(s, 'finish');
  s.end();
  await finished;
}

/** Sorted listing of the temp dir: which of f, f.1 … exist. */
const listing = (d = dir): string[] => readdirSync(d).sort();
const read = (p: string): string => readFileSync(p, 'utf8');
const sizeOf = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
const line = (ch: string, n: number): string => `${ch.repeat(n - 1)}\n`;

describe('rotating-file-stream v3 vs supervisord rotation rules', () => {
  it('naming: the (time, index) generator never rotates in classic mode; only a plain name shifts f.1…f.N', async () => {
    const [a, b, c, d, e, g] = ['a', 'b', 'c', 'd', 'e', 'g'].map((ch) => line(ch, 600)) as [string, string, string, string, string, string];
    const chunks = [a, b, c, d, e, g];

    // rfs classic mode calls generator(count) (one argument), so index is always undefined and
    // every "rename" is f → f: no history, the live file grows past maxbytes, yet 'rotated' fires.
    const rotated: string[] = [];
    const s1 = rfs(timeIndexGenerator, { size: '1K', rotate: 3 });
    s1.on('rotated', (name: string) => rotated.push(name));
    await writeAll(s1, chunks);
    await end(s1);
    expect(listing()).toEqual([NAME]);
    expect(sizeOf(file)).toBe(3600);
    expect(rotated).toEqual([file, file, file]);
    rmSync(file);

    // With a plain file name (rfs builds `f.<n>` itself) the shift matches supervisord.
    const s2 = rfs(NAME, { size: '1K', rotate: 3 });
    await writeAll(s2, chunks);
    await end(s2);
    const rfsFiles = Object.fromEntries(listing().map((n) => [n, read(join(dir, n))]));
    for (const n of listing()) rmSync(join(dir, n));

    // supervisord: rotate after every second write; f.1 newest … f.3 oldest, each 1200 bytes.
    const f = ours(1024, 3);
    for (const c of chunks) f.write(c);
    f.close();
    const oursFiles = Object.fromEntries(listing().map((n) => [n, read(join(dir, n))]));
    expect(oursFiles).toEqual({
      [NAME]: '',
      [`${NAME}.1`]: e + g,
      [`${NAME}.2`]: c + d,
      [`${NAME}.3`]: a + b,
    });
    expect(rfsFiles).toEqual(oursFiles);
  });

  it('backups=0: rfs cannot truncate in place (rotate: 0 throws; without rotate history is unbounded, oldest = f.1)', async () => {
    expect(() => createStream(NAME, { path: dir, size: '1K', rotate: 0 })).toThrow(/'rotate' option must be a positive integer/);

    // The only way to get rotation without `rotate` is "move" mode: each rotation takes the first
    // free f.<n>, so files pile up and f.1 is the OLDEST (supervisord: f.1 newest, N bounded).
    const s = rfs(timeIndexGenerator, { size: '1K' });
    await writeAll(s, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((ch) => line(ch, 1024)));
    await end(s);
    expect(listing()).toEqual([NAME, ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `${NAME}.${String(n)}`)]);
    expect(read(`${file}.1`)).toBe(line('a', 1024));
    expect(read(`${file}.8`)).toBe(line('h', 1024));
    for (const n of listing()) rmSync(join(dir, n));

    // supervisord: backups=0 → reopen 'wb' (truncate), no f.1 ever.
    const f = ours(1024, 0);
    for (const ch of ['a', 'b', 'c']) f.write(line(ch, 1024));
    f.write('tail\n');
    f.close();
    expect(listing()).toEqual([NAME]);
    expect(read(file)).toBe('tail\n');
  });

  it('maxbytes=0: rfs rejects size 0 and any non-regular file, so /dev/stdout-style targets are impossible', async () => {
    expect(() => createStream(NAME, { path: dir, size: '0B' })).toThrow(/positive integer/);

    // Without `size` a regular file works, but a character device (/dev/null here, standing in
    // for /dev/stdout without polluting the runner's output) is refused asynchronously.
    const s = createStream('null', { path: '/dev' });
    const [err] = (await once(s, 'error')) as [Error];
    expect(err.message).toMatch(/Can't write on: \/dev\/null \(it is not a file\)/);
    expect(s.destroyed).toBe(true);

    // supervisord (and RotatingFile): maxbytes=0 is a plain append handler, fine on a device.
    const errors: Error[] = [];
    const f = ours(0, 10, '/dev/null', errors);
    for (let i = 0; i < 100; i++) f.write(line('x', 64));
    expect(errors).toEqual([]);
  });

  it('asynchronous writes: nothing is on disk when write() returns, and unbounded buffering in the heap', async () => {
    const s = rfs(NAME, { size: '10M', rotate: 3 });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const accepted: boolean[] = [];
    for (let i = 0; i < 64; i++) accepted.push(s.write(chunk));
    // 4 MiB "written", 0 bytes on disk: a SIGKILL, crash or process.exit() now loses all of it.
    expect(sizeOf(file)).toBe(0);
    // write() signals backpressure after 16 KiB but still accepts everything: the caller must
    // pause the child's pipe itself, or the daemon's RSS grows with the child's output rate.
    expect(accepted.slice(0, 1)).toEqual([false]);
    expect(s.writableLength).toBeGreaterThanOrEqual(63 * chunk.length);
    await end(s);
    expect(sizeOf(file)).toBe(64 * chunk.length);
    rmSync(file);

    // RotatingFile: the bytes are in the file (page cache) before write() returns; nothing queued.
    const f = ours(10 * 1024 * 1024, 3);
    for (let i = 0; i < 64; i++) {
      f.write(chunk);
      expect(sizeOf(file)).toBe((i + 1) * chunk.length);
    }
  });

  it('reopen after an external rename (logrotate `create`, SIGUSR2): rfs has no reopen and keeps writing to the moved file', async () => {
    const s = rfs(NAME, { size: '1M', rotate: 3 });
    await write(s, 'before\n');
    renameSync(file, `${file}.moved`);
    // (rfs has only a *private* reopen(size), which opens a second fd without closing the first.)
    await write(s, 'after\n');
    expect(existsSync(file)).toBe(false);
    expect(read(`${file}.moved`)).toBe('before\nafter\n');
    await end(s);
    for (const n of listing()) rmSync(join(dir, n));

    const f = ours(1024 * 1024, 3);
    f.write('before\n');
    renameSync(file, `${file}.moved`);
    f.reopen();
    f.write('after\n');
    expect(read(`${file}.moved`)).toBe('before\n');
    expect(read(file)).toBe('after\n');
  });

  it('existing over-size file at start: rfs rotates before the first write; supervisord appends, then rotates', async () => {
    const old = line('o', 1500);
    writeFileSync(file, old);
    const s = rfs(NAME, { size: '1K', rotate: 3 });
    await write(s, 'new\n');
    await end(s);
    expect(read(`${file}.1`)).toBe(old);
    expect(read(file)).toBe('new\n');
    for (const n of listing()) rmSync(join(dir, n));

    // supervisord: open 'ab' (size 1500), write, tell() >= maxbytes → rotate: old + new in f.1.
    writeFileSync(file, old);
    const f = ours(1024, 3);
    expect(f.size).toBe(1500);
    f.write('new\n');
    expect(read(`${file}.1`)).toBe(`${old}new\n`);
    expect(read(file)).toBe('');
  });
});
