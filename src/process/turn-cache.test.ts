import { describe, expect, it } from 'vitest';
import { cachedPerTurn } from './turn-cache.js';

describe('cachedPerTurn', () => {
  it('asks once per key within a turn, and afresh in the next', () => {
    const asked: string[] = [];
    const turnEnds: (() => void)[] = [];
    const stat = cachedPerTurn((file) => {
      asked.push(file);
      return { file, n: asked.length };
    }, (fn) => turnEnds.push(fn));
    expect(stat('/bin/sleep')).toEqual({ file: '/bin/sleep', n: 1 });
    expect(stat('/bin/sleep')).toEqual({ file: '/bin/sleep', n: 1 });
    expect(stat('/bin/true')).toEqual({ file: '/bin/true', n: 2 });
    expect(asked).toEqual(['/bin/sleep', '/bin/true']);
    expect(turnEnds).toHaveLength(1);
    turnEnds.shift()?.();
    expect(stat('/bin/sleep')).toEqual({ file: '/bin/sleep', n: 3 });
    expect(asked).toEqual(['/bin/sleep', '/bin/true', '/bin/sleep']);
  });

  it('keeps an undefined answer (a missing file) for the turn too', () => {
    let calls = 0;
    const stat = cachedPerTurn((): { size: number } | undefined => {
      calls++;
      return undefined;
    }, () => undefined);
    expect(stat('/nope')).toBeUndefined();
    expect(stat('/nope')).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('forgets at the real next turn by default', async () => {
    let calls = 0;
    const stat = cachedPerTurn(() => ++calls);
    expect(stat('x')).toBe(1);
    expect(stat('x')).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stat('x')).toBe(2);
  });
});
