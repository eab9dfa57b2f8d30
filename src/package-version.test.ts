import { describe, expect, it } from 'vitest';
import { versionOfManifest } from './package-version.js';
import { versionLine } from './version.js';

describe('versionOfManifest', () => {
  it("takes package.json's version", () => {
    expect(versionOfManifest('{"name":"tssupervisor","version":"1.2.3"}')).toBe('1.2.3');
  });
  it('refuses a manifest without a version string', () => {
    for (const text of ['{}', '{"version":3}', '{"version":""}', 'null', '[]']) {
      expect(() => versionOfManifest(text), text).toThrow('package.json has no version string');
    }
  });
});

describe('versionLine', () => {
  it('puts our version beside the supervisord version we are compatible with', () => {
    expect(versionLine('0.1.0')).toBe('tssupervisor 0.1.0 (supervisord 4.2.5 compatible)');
  });
});
