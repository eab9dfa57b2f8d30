import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearAutoLogs } from './child-output.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('clearAutoLogs', () => {
  it('removes AUTO logs (and backups) nobody has open, keeps those in use with their backups, and leaves other files', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tss-auto-')));
    dirs.push(dir);
    const files = ['live-stdout---supervisor-aaaa1111.log', 'live-stdout---supervisor-aaaa1111.log.1',
      'dead-stdout---supervisor-bbbb2222.log', 'dead-stdout---supervisor-bbbb2222.log.3',
      'other-stdout---elsewhere-cccc3333.log', 'notes.txt'];
    for (const f of files) writeFileSync(join(dir, f), '');
    const asked: string[] = [];
    const removed = clearAutoLogs(dir, 'supervisor', (paths) => {
      asked.push(...paths);
      return new Set([join(dir, 'live-stdout---supervisor-aaaa1111.log')]);
    });
    expect(removed.sort()).toEqual(['dead-stdout---supervisor-bbbb2222.log', 'dead-stdout---supervisor-bbbb2222.log.3']);
    expect(readdirSync(dir).sort()).toEqual(['live-stdout---supervisor-aaaa1111.log', 'live-stdout---supervisor-aaaa1111.log.1',
      'notes.txt', 'other-stdout---elsewhere-cccc3333.log']);
    // Backups are judged by their base log; each base asked once.
    expect(asked.sort()).toEqual([join(dir, 'dead-stdout---supervisor-bbbb2222.log'), join(dir, 'live-stdout---supervisor-aaaa1111.log')]);
  });
});
