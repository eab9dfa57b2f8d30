import { describe, expect, it } from 'vitest';
import { makeNamespec, splitNamespec } from './namespec.js';

describe('namespecs (options.py make_namespec / split_namespec)', () => {
  it('names a process by its short name when group and process share it', () => {
    expect(makeNamespec('web', 'web')).toBe('web');
    expect(makeNamespec('workers', 'worker_0')).toBe('workers:worker_0');
  });

  it('splits a namespec into group and process; `g:*` and `g:` mean the whole group', () => {
    expect(splitNamespec('web')).toEqual(['web', 'web']);
    expect(splitNamespec('workers:worker_0')).toEqual(['workers', 'worker_0']);
    expect(splitNamespec('workers:*')).toEqual(['workers', null]);
    expect(splitNamespec('workers:')).toEqual(['workers', null]);
  });

  it('splits at the first colon only, as Python\'s split(":", 1)', () => {
    expect(splitNamespec('a:b:c')).toEqual(['a', 'b:c']);
    expect(splitNamespec(':p')).toEqual(['', 'p']);
    expect(splitNamespec('')).toEqual(['', '']);
  });

  it('round-trips every process name', () => {
    for (const [group, name] of [['web', 'web'], ['g', 'p'], ['g', 'p_01']] as const) {
      expect(splitNamespec(makeNamespec(group, name))).toEqual([group, name]);
    }
  });
});
