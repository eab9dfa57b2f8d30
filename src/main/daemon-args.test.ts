import { describe, expect, it } from 'vitest';
import { parseDaemonArgs, UsageError } from './daemon-args.js';

describe('parseDaemonArgs --check --strict', () => {
  it('reads --strict beside --check, in either order', () => {
    expect(parseDaemonArgs(['--check', '--strict'])).toEqual({ action: 'check', configFile: null, overrides: {}, strict: true });
    expect(parseDaemonArgs(['--strict', '-c', 'x.conf', '--check'])).toMatchObject({ action: 'check', configFile: 'x.conf', strict: true });
    expect(parseDaemonArgs(['--check']).strict).toBe(false);
  });

  it('refuses --strict without --check rather than ignoring it', () => {
    expect(() => parseDaemonArgs(['--strict'])).toThrow(new UsageError('--strict only applies to --check'));
    expect(() => parseDaemonArgs(['--dump-config', '--strict'])).toThrow(UsageError);
  });
});
