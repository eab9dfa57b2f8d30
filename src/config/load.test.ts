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
