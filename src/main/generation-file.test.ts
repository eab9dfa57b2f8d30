import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseGeneration } from '../supervisor/generation.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { GenerationFile, WRITE_INTERVAL_MS } from './generation-file.js';

/** The parts GenerationFile reads: runners with a pid and their config, and stateChanged. */
function fakeSupervisor(): { supervisor: Supervisor; add: (name: string, pid: number) => void } {
  const listeners: (() => void)[] = [];
  const runners: unknown[] = [];
  const supervisor = {
    events: { on: (_event: string, listener: () => void) => { listeners.push(listener); return () => undefined; } },
    runners: () => runners,
  } as unknown as Supervisor;
  const add = (name: string, pid: number): void => {
    runners.push({
      snapshot: { pid },
      config: { group: name, name, priority: 999, stopSignal: 'TERM', stopWaitMs: 10_000, stopAsGroup: false, killAsGroup: false },
    });
    for (const listener of listeners) listener();
  };
  return { supervisor, add };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the children record's rewrites", () => {
  it('write the first spawn after start at once, then at most once per interval while changes keep coming', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const file = join(mkdtempSync(join(tmpdir(), 'tss-generation-')), 'sup.pid.children.json');
    const { supervisor, add } = fakeSupervisor();
    const record = new GenerationFile(() => file, supervisor, (message) => { throw new Error(message); });
    const pids = (): number[] => (parseGeneration(readFileSync(file, 'utf8'))?.children ?? []).map((c) => c.pid);
    record.start();
    vi.advanceTimersByTime(0);
    expect(pids()).toEqual([]);
    // This process stands in for a child: its start time is readable in /proc.
    add('a', process.pid);
    vi.advanceTimersByTime(0);
    expect(pids()).toEqual([process.pid]);
    add('b', process.pid);
    vi.advanceTimersByTime(WRITE_INTERVAL_MS - 1);
    expect(pids()).toEqual([process.pid]);
    vi.advanceTimersByTime(1);
    expect(pids()).toEqual([process.pid, process.pid]);
    record.remove();
  });
});
