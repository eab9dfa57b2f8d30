import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingFile } from './rotating-file.js';

let dir: string;
let file: string;
const open: RotatingFile[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tss-rotating-'));
  file = join(dir, 'f.log');
});

afterEach(() => {
  for (const f of open.splice(0)) f.close();
  rmSync(dir, { recursive: true, force: true });
});

function make(maxBytes: number, backups: number, extra: { errors?: Error[]; rotations?: string[] } = {}): RotatingFile {
  const f = new RotatingFile(file, {
    maxBytes,
    backups,
    onError: (err) => extra.errors?.push(err),
    onRotate: (path) => extra.rotations?.push(path),
  });
  open.push(f);
  return f;
}

const read = (path: string): string => readFileSync(path, 'utf8');

describe('RotatingFile', () => {
  it('appends to an existing file and reports its size', () => {
    const f1 = make(0, 0);
    f1.write('abc');
    f1.close();
    const f2 = make(0, 0);
    expect(f2.size).toBe(3);
    f2.write(Buffer.from('def'));
    expect(f2.size).toBe(6);
    expect(read(file)).toBe('abcdef');
  });

  it('rotates f → f.1 → f.2 → f.3 with the newest backup in f.1', () => {
    const rotations: string[] = [];
    const f = make(10, 3, { rotations });
    // Each 10-byte write fills the file, so every write rotates.
    for (const c of ['a', 'b', 'c', 'd', 'e']) f.write(c.repeat(10));
    expect(rotations).toEqual([file, file, file, file, file]);
    expect(read(file)).toBe('');
    expect(read(`${file}.1`)).toBe('e'.repeat(10));
    expect(read(`${file}.2`)).toBe('d'.repeat(10));
    expect(read(`${file}.3`)).toBe('c'.repeat(10));
    expect(existsSync(`${file}.4`)).toBe(false);
  });

  it('lets a file exceed maxBytes by one write, then rotates', () => {
    const f = make(10, 2);
    f.write('123456789'); // 9 < 10: no rotation yet
    expect(existsSync(`${file}.1`)).toBe(false);
    expect(f.size).toBe(9);
    f.write('abcdefgh'); // 17 >= 10: rotated after the write, whole chunk kept together
    expect(read(`${file}.1`)).toBe('123456789abcdefgh');
    expect(read(file)).toBe('');
    expect(f.size).toBe(0);
    f.write('x');
    expect(read(file)).toBe('x');
  });

  it('truncates in place when backups = 0', () => {
    const f = make(5, 0);
    f.write('12345');
    expect(read(file)).toBe('');
    f.write('ab');
    expect(read(file)).toBe('ab');
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  it('never rotates when maxBytes = 0', () => {
    const f = make(0, 5);
    for (let i = 0; i < 100; i++) f.write('0123456789');
    expect(statSync(file).size).toBe(1000);
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  it('tolerates missing intermediate backups', () => {
    const f = make(4, 3);
    f.write('aaaa'); // f.1 = a
    f.write('bbbb'); // f.2 = a, f.1 = b
    rmSync(`${file}.1`);
    f.write('cccc'); // f.1 missing: f.2 stays, f.1 = c
    expect(read(`${file}.1`)).toBe('cccc');
    expect(read(`${file}.3`)).toBe('aaaa');
    expect(existsSync(`${file}.2`)).toBe(false);
  });

  it('reopen() after logrotate moved the file: next write lands in a new file', () => {
    const f = make(0, 0);
    f.write('old\n');
    renameSync(file, `${file}.rotated`);
    f.write('still old fd\n'); // before reopen the moved file keeps receiving
    f.reopen();
    f.write('new\n');
    expect(read(`${file}.rotated`)).toBe('old\nstill old fd\n');
    expect(read(file)).toBe('new\n');
    expect(f.size).toBe(4);
  });

  it('loses no bytes across many rotations of random-sized chunks', () => {
    const f = make(1000, 100);
    let written = '';
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const chunk = String.fromCharCode(97 + (i % 26)).repeat(1 + rand(300)) + '\n';
      f.write(chunk);
      written += chunk;
    }
    let n = 0;
    while (existsSync(`${file}.${n + 1}`)) n++;
    expect(n).toBeGreaterThan(10);
    let joined = '';
    for (let i = n; i >= 1; i--) {
      const part = read(`${file}.${i}`);
      expect(part.length).toBeGreaterThanOrEqual(1000);
      joined += part;
    }
    joined += read(file);
    expect(joined).toBe(written);
  });

  it('reports an unopenable path once and recovers when the folder appears', () => {
    const errors: Error[] = [];
    file = join(dir, 'missing', 'f.log');
    const f = make(0, 0, { errors });
    expect(() => {
      f.write('lost 1\n');
      f.write('lost 2\n');
    }).not.toThrow();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
    mkdirSync(join(dir, 'missing'));
    f.write('kept\n');
    expect(read(file)).toBe('kept\n');
  });

  it('drops writes after close() and resumes after reopen()', () => {
    const f = make(0, 0);
    f.write('a');
    f.close();
    f.write('b');
    f.reopen();
    f.write('c');
    expect(read(file)).toBe('ac');
  });

  it('creates the file with mode 0644 minus the umask', () => {
    const previous = process.umask(0o022);
    try {
      make(0, 0);
    } finally {
      process.umask(previous);
    }
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('a file removed (with its folder) while open is noticed on the next write, recreated and reported once', () => {
    const nested = join(dir, 'sub', 'f.log');
    mkdirSync(join(dir, 'sub'));
    const recreated: string[] = [];
    const f = new RotatingFile(nested, { maxBytes: 0, backups: 0, unlinkCheckMs: 0, onRecreate: (path) => recreated.push(path) });
    open.push(f);
    f.write('before\n');
    rmSync(join(dir, 'sub'), { recursive: true });
    f.write('after\n');
    f.write('again\n');
    expect(recreated).toEqual([nested]);
    expect(read(nested)).toBe('after\nagain\n');
  });

  it('checks for removal at most once per interval', () => {
    const recreated: string[] = [];
    const f = new RotatingFile(file, { maxBytes: 0, backups: 0, unlinkCheckMs: 60_000, onRecreate: (path) => recreated.push(path) });
    open.push(f);
    f.write('one\n');
    rmSync(file);
    f.write('two\n');
    expect(recreated).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });
});

describe('RotatingFile.writeLines', () => {
  it('leaves every file with the same lines as writing them one by one', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ${'x'.repeat(i % 7)}\n`);
    const one = make(100, 3);
    for (const line of lines) one.write(line);
    one.close();
    const filesOf = (): string[] => ['', '.1', '.2', '.3'].map((suffix) => (existsSync(file + suffix) ? readFileSync(file + suffix, 'utf8') : '-'));
    const byOne = filesOf();
    for (const suffix of ['', '.1', '.2', '.3']) rmSync(file + suffix, { force: true });
    const batch = make(100, 3);
    batch.writeLines(lines.slice(0, 17));
    batch.writeLines(lines.slice(17));
    batch.close();
    expect(filesOf()).toEqual(byOne);
    expect(byOne.every((text) => text !== '-')).toBe(true);
  });
});
