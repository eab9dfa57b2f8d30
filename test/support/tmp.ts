// Per-test temporary folders, removed when the test ends.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

/** A fresh folder for this test; short, so unix socket paths inside it stay under sun_path's limit. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tss-'));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Writes `files` (relative path -> contents) under `dir`, creating folders. */
export function writeTree(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
