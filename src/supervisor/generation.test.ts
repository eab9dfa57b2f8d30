import { describe, expect, it } from 'vitest';
import { parseGeneration, serializeGeneration, stopWaves, survivorsOf, type ChildRecord } from './generation.js';

const child = (namespec: string, pid: number, priority = 999, startTime = '1000'): ChildRecord => ({
  namespec, pid, startTime, priority, stopSignal: 'TERM', stopWaitMs: 10_000, stopAsGroup: false, killAsGroup: false,
});

describe('the record of running children', () => {
  it('round-trips through its text', () => {
    const record = { daemonPid: 42, children: [child('a', 100), child('web:web_01', 101, 5, '77')] };
    expect(parseGeneration(serializeGeneration(record))).toEqual(record);
  });

  it.each([
    ['not JSON', '{"format": "tssupervisord-children/1", "daemonPid": 4'],
    ['another format', JSON.stringify({ format: 'other/1', daemonPid: 4, children: [] })],
    ['no children list', JSON.stringify({ format: 'tssupervisord-children/1', daemonPid: 4 })],
    ['a negative daemon pid', JSON.stringify({ format: 'tssupervisord-children/1', daemonPid: -4, children: [] })],
  ])('is rejected when it is %s', (_what, text) => {
    expect(parseGeneration(text)).toBeNull();
  });

  it('drops malformed children, never one that would signal a wrong process', () => {
    const good = child('a', 100);
    const text = JSON.stringify({
      format: 'tssupervisord-children/1', daemonPid: 4,
      children: [good, { ...good, pid: 1 }, { ...good, pid: 0 }, { ...good, pid: '100' }, { ...good, startTime: 'x' },
        { ...good, stopSignal: 'TERM; rm' }, { ...good, stopAsGroup: 'yes' }, null, []],
    });
    expect(parseGeneration(text)?.children).toEqual([good]);
  });

  it('counts a child as surviving only with its pid and its start time (a recycled pid is another process)', () => {
    const record = { daemonPid: 4, children: [child('a', 100, 1, '500'), child('b', 101, 1, '501'), child('c', 102, 1, '502')] };
    const running = new Map([[100, '500'], [101, '999']]);
    expect(survivorsOf(record, (pid) => running.get(pid)).map((c) => c.namespec)).toEqual(['a']);
  });

  it('stops the highest priority value first, equal priorities together', () => {
    const waves = stopWaves([child('a', 10, 10), child('b', 11, 999), child('c', 12, 10), child('d', 13, -1)]);
    expect(waves.map((w) => w.map((c) => c.namespec))).toEqual([['b'], ['a', 'c'], ['d']]);
  });
});
