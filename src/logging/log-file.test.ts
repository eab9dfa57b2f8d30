// LogFile writes through libuv's threadpool: these tests touch real files in a temp folder (no
// processes, no sockets), and wait for close() rather than for time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogFile } from './log-file.js';
import { WriteBudget } from './write-budget.js';
import { waitUntil } from '../../test/support/wait.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tss-logfile-'));
  file = join(dir, 'f.log');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

describe('LogFile', () => {
  it('appends to what the file already holds and keeps every byte in order', async () => {
    writeFileSync(file, 'old\n');
    const f = new LogFile(file, { maxBytes: 0, backups: 0, budget: new WriteBudget() });
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`);
    for (const line of lines) f.write(Buffer.from(line));
    await f.close();
    expect(read(file)).toBe(`old\n${lines.join('')}`);
  });

  it('copies what it is given: the caller may reuse its buffer at once (the shared read buffer)', async () => {
    const f = new LogFile(file, { maxBytes: 0, backups: 0, budget: new WriteBudget() });
    const shared = Buffer.alloc(3);
    for (const c of ['a', 'b', 'c']) {
      shared.fill(c);
      f.write(shared);
    }
    await f.close();
    expect(read(file)).toBe('aaabbbccc');
  });

  it("rotates as supervisord: right after the chunk that reaches maxBytes, newest backup in .1, existing size counted", async () => {
    writeFileSync(file, '12345');
    const f = new LogFile(file, { maxBytes: 10, backups: 2, budget: new WriteBudget() });
    // 5 + 4 = 9 (no rotation), + 4 = 13 >= 10: rotate after that chunk; then 'cccc', 'dddddddddd' (rotates), 'e'.
    for (const chunk of ['aaaa', 'bbbb', 'cccc', 'dddddddddd', 'e']) f.write(Buffer.from(chunk));
    await f.close();
    expect(read(`${file}.2`)).toBe('12345aaaabbbb');
    expect(read(`${file}.1`)).toBe('ccccdddddddddd');
    expect(read(file)).toBe('e');
  });

  it('counts the existing size learnt at the open too, when no output came before it', async () => {
    writeFileSync(file, '12345');
    const f = new LogFile(file, { maxBytes: 10, backups: 2, budget: new WriteBudget() });
    // The open is on the pool: wait until this process holds the file, then write.
    const holds = (): boolean => readdirSync('/proc/self/fd').some((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
    await waitUntil(() => holds() || undefined, 5000, 'the log file to be opened');
    for (const chunk of ['aaaa', 'bbbb', 'cccc']) f.write(Buffer.from(chunk));
    await f.close();
    expect(read(`${file}.1`)).toBe('12345aaaabbbb');
    expect(read(file)).toBe('cccc');
  });

  it('never renames a character device it logs to (a /dev/null of its own), however much it takes', async () => {
    // Our own node for the null device (the tests run as root), so a failure renames nothing shared.
    const device = join(dir, 'null');
    expect(spawnSync('mknod', [device, 'c', '1', '3']).status).toBe(0);
    const f = new LogFile(device, { maxBytes: 4, backups: 2, budget: new WriteBudget() });
    for (const chunk of ['aaaa', 'bbbb', 'cccc']) f.write(Buffer.from(chunk));
    await f.close();
    expect(existsSync(`${device}.1`)).toBe(false);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it('backups=0 truncates in place', async () => {
    const f = new LogFile(file, { maxBytes: 4, backups: 0, budget: new WriteBudget() });
    for (const chunk of ['abcd', 'ef']) f.write(Buffer.from(chunk));
    await f.close();
    expect(read(file)).toBe('ef');
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  it('asks the caller to pause past its share of unwritten bytes, and calls back once it has written them', async () => {
    const budget = new WriteBudget(1024, 1024 * 1024);
    const f = new LogFile(file, { maxBytes: 0, backups: 0, budget });
    expect(f.write(Buffer.alloc(512, 'x'))).toBe(true);
    expect(f.write(Buffer.alloc(600, 'y'))).toBe(false);
    expect(budget.held).toBe(1112);
    await new Promise<void>((resolve) => {
      f.onDrain(resolve);
    });
    expect(f.pending).toBeLessThan(1024);
    await f.close();
    expect(budget.held).toBe(0);
    expect(read(file).length).toBe(1112);
  });

  it('holds the whole daemon to its total: a second file waits for the first to drain', async () => {
    const budget = new WriteBudget(1024 * 1024, 1000);
    const a = new LogFile(file, { maxBytes: 0, backups: 0, budget });
    const b = new LogFile(join(dir, 'g.log'), { maxBytes: 0, backups: 0, budget });
    expect(a.write(Buffer.alloc(1200, 'a'))).toBe(false);
    expect(b.write(Buffer.alloc(10, 'b'))).toBe(false);
    await new Promise<void>((resolve) => {
      b.onDrain(resolve);
    });
    expect(budget.held).toBeLessThanOrEqual(500);
    await Promise.all([a.close(), b.close()]);
  });

  it('discardQueued drops what was not yet written (clearProcessLogs) and keeps writing after', async () => {
    const f = new LogFile(file, { maxBytes: 0, backups: 0, budget: new WriteBudget() });
    f.write(Buffer.from('first '));
    f.write(Buffer.from('dropped '));
    f.discardQueued();
    f.write(Buffer.from('after'));
    await f.close();
    // The first chunk may already be in flight (it is then written); the queued one never is.
    expect(read(file)).toMatch(/^(first )?after$/u);
  });

  it('reports an unwritable path once and writes again once it can', async () => {
    const errors: Error[] = [];
    const gone = join(dir, 'gone', 'f.log');
    const f = new LogFile(gone, { maxBytes: 0, backups: 0, budget: new WriteBudget(), onError: (e) => errors.push(e) });
    f.write(Buffer.from('lost 1\n'));
    f.write(Buffer.from('lost 2\n'));
    await f.close();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOENT']);
  });
});

/** Resolves once `f` has written everything it was given (a few threadpool round trips). */
async function written(f: LogFile): Promise<void> {
  while (f.pending > 0) await new Promise((resolve) => setImmediate(resolve));
}

describe('LogFile, when its file is removed while open', () => {
  it('notices at the next write, recreates the folder and the file, reports once, and writes there', async () => {
    mkdirSync(join(dir, 'sub'));
    const nested = join(dir, 'sub', 'f.log');
    const recreated: string[] = [];
    const f = new LogFile(nested, { maxBytes: 0, backups: 0, budget: new WriteBudget(), unlinkCheckMs: 0, onRecreate: (p) => recreated.push(p) });
    f.write(Buffer.from('before\n'));
    await written(f);
    rmSync(join(dir, 'sub'), { recursive: true, force: true });
    f.write(Buffer.from('after\n'));
    await written(f);
    f.write(Buffer.from('again\n'));
    await f.close();
    expect(recreated).toEqual([nested]);
    expect(read(nested)).toBe('after\nagain\n');
  });

  it('checks at most once per interval', async () => {
    const recreated: string[] = [];
    const f = new LogFile(file, { maxBytes: 0, backups: 0, budget: new WriteBudget(), unlinkCheckMs: 60_000, onRecreate: (p) => recreated.push(p) });
    f.write(Buffer.from('one\n'));
    await written(f);
    rmSync(file);
    f.write(Buffer.from('two\n'));
    await f.close();
    expect(recreated).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });
});
