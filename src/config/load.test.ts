import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('loadConfig never throws', () => {
  it('returns an exception from anywhere in the reader as an internal-error issue naming the file', () => {
    // An environment that cannot be listed fails before any file is read.
    const env = new Proxy({}, { ownKeys: () => { throw new Error('environment unavailable'); } });
    const result = loadConfig('/etc/sup/supervisord.conf', { env });
    expect(result).toEqual({
      ok: false,
      issues: [{
        file: '/etc/sup/supervisord.conf', line: 0, section: null, key: null, value: null,
        message: 'internal error while reading the config (Error: environment unavailable); please report it',
      }],
      warnings: [],
    });
  });
});

describe('loadConfig and the disk', () => {
  it("asks whether a folder exists once per load, however many programs' logs are in it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tss-load-'));
    let text = `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\n`;
    for (let i = 0; i < 20; i++) text += `\n[program:p${i}]\ncommand=/bin/true\nstdout_logfile=${dir}/logs/p${i}.out\nstderr_logfile=${dir}/logs/p${i}.err\n`;
    writeFileSync(join(dir, 'sup.conf'), text);
    mkdirSync(join(dir, 'logs'));
    const asked = new Map<string, number>();
    const isDirectory = (p: string): boolean => {
      asked.set(p, (asked.get(p) ?? 0) + 1);
      return existsSync(p) && statSync(p).isDirectory();
    };
    const result = loadConfig(join(dir, 'sup.conf'), { isDirectory });
    expect(result.ok).toBe(true);
    expect(asked.get(join(dir, 'logs'))).toBe(1);
    expect(Math.max(...asked.values())).toBe(1);
  });
});
