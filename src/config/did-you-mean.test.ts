import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and neighbour swaps as one edit each', () => {
    expect(editDistance('autorestrat', 'autorestart')).toBe(1);
    expect(editDistance('command', 'comand')).toBe(1);
    expect(editDistance('startsecs', 'startsecss')).toBe(1);
    expect(editDistance('user', 'usr')).toBe(1);
    expect(editDistance('priority', 'prioraty')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('is symmetric, zero only for equal strings, and bounded by the longer length', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
      const d = editDistance(a, b);
      expect(d).toBe(editDistance(b, a));
      expect(d === 0).toBe(a === b);
      expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
    }));
  });
});

describe('closestName', () => {
  const keys = ['command', 'autostart', 'autorestart', 'startsecs', 'user', 'stopsignal'];

  it('offers the known name a typo was meant to be', () => {
    expect(closestName('autorestrat', keys)).toBe('autorestart');
    expect(closestName('comand', keys)).toBe('command');
    expect(closestName('stopsignl', keys)).toBe('stopsignal');
  });

  it('offers nothing for a name that is not near any known one', () => {
    expect(closestName('foo', keys)).toBeNull();
    expect(closestName('healthcheck', keys)).toBeNull();
    expect(closestName('x', keys)).toBeNull();
    expect(closestName('autorestart', [])).toBeNull();
  });
});
