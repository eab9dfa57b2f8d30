// The version tssupervisord prints is read at run time from the package.json next to dist/, the
// layout `npm install` leaves: a copy of the package with another version in its package.json
// must print that version, so the number is never duplicated by hand in the source.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from './support/bins.js';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

describe('tssupervisord --version in an installed package', () => {
  it("prints the installed package.json's version beside the supervisord version", async () => {
    const pkg = mkdtempSync(join(tmpdir(), 'tss-pkg-'));
    dirs.push(pkg);
    cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ ...manifest, version: '9.8.7-test' }));
    for (const flag of ['--version', '-v']) {
      const result = await execa(process.execPath, [join(pkg, 'bin/tssupervisord.js'), flag], { cwd: pkg, reject: false, timeout: 15_000 });
      expect([result.exitCode, result.stdout, result.stderr]).toEqual([0, 'tssupervisor 9.8.7-test (supervisord 4.2.5 compatible)', '']);
    }
  }, 30_000);
});
