import { describe, expect, it } from 'vitest';
import { SupervisorError } from '../errors.js';
import type { ProcessRunner } from '../process/runner.js';
import { runForEach } from './process-results.js';

// runForEach reads only a runner's config (name, group, and what a waitedOrder compares).
const runner = (name: string, startMs = 1000): ProcessRunner => ({ config: { name, group: 'g', startMs } }) as unknown as ProcessRunner;

/**
 * Settles `ms` after runForEach's first turn: behind an immediate (queued after runForEach's own,
 * so always after it), as a wait for a child would. A bare 1 ms timer could fire before that turn
 * on a loaded machine, when the test runs in the loop's check phase, and count as "at once".
 */
const later = async (ms: number): Promise<void> => {
  await new Promise((resolve) => { setImmediate(resolve); });
  await new Promise((resolve) => { setTimeout(resolve, ms); });
};

const names = (results: readonly { name: string; description: string }[]): string[] => results.map((r) => `${r.name} ${r.description}`);

describe('runForEach', () => {
  it('lists what is known at once first, then what was waited for, each in the given order, whatever order they finish in', async () => {
    const runners = ['a', 'b', 'c', 'd'].map((n) => runner(n));
    const delays = new Map([['a', 30], ['c', 1]]);
    const results = await runForEach(runners, async (r) => {
      const ms = delays.get(r.config.name);
      if (ms === undefined) throw new SupervisorError('NOT_RUNNING', r.config.name);
      await later(ms);
    });
    expect(names(results)).toEqual(['b NOT_RUNNING: b', 'd NOT_RUNNING: d', 'a OK', 'c OK']);
  });

  it('sorts only the waited part by waitedOrder, ties in the given order', async () => {
    const runners = [runner('a', 1000), runner('b', 0), runner('c', 0), runner('d', 5)];
    const results = await runForEach(runners, async (r) => {
      if (r.config.name === 'd') return;
      await later(1);
    }, (x, y) => x.config.startMs - y.config.startMs);
    expect(names(results)).toEqual(['d OK', 'b OK', 'c OK', 'a OK']);
  });
});
