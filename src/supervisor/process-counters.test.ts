import { describe, expect, it } from 'vitest';
import { EventFlow } from '../events/flow.js';
import type { EngineEvent } from '../events/types.js';
import type { ProcessState } from '../process/state.js';
import { ProcessCounters } from './process-counters.js';

const change = (name: string, from: ProcessState, to: ProcessState, expected = true, group = name): EngineEvent => ({
  name: `PROCESS_STATE_${to}`, at: 0, process: { name, group }, from, to, tries: 0, expected, pid: 42,
});

function counting(): { flow: EventFlow; counters: ProcessCounters } {
  const flow = new EventFlow((error) => { throw error; });
  return { flow, counters: new ProcessCounters(flow) };
}

describe('ProcessCounters', () => {
  it('counts spawns (restarts are those after the first) and exits by expected or not', () => {
    const { flow, counters } = counting();
    for (const e of [
      change('web', 'STOPPED', 'STARTING'), change('web', 'STARTING', 'RUNNING'), change('web', 'RUNNING', 'EXITED', false),
      change('web', 'EXITED', 'STARTING'), change('web', 'STARTING', 'BACKOFF'), change('web', 'BACKOFF', 'STARTING'),
      change('web', 'STARTING', 'RUNNING'), change('web', 'RUNNING', 'EXITED', true),
      // A stop asked for is not an exit of its own.
      change('web', 'EXITED', 'STARTING'), change('web', 'STARTING', 'RUNNING'), change('web', 'RUNNING', 'STOPPING'), change('web', 'STOPPING', 'STOPPED'),
    ]) flow.publish(e);
    expect(counters.of('web', 'web')).toEqual({ starts: 4, exitsExpected: 1, exitsUnexpected: 2 });
    expect(counters.restartsOf('web', 'web')).toBe(3);
    expect(counters.of('web', 'other')).toEqual({ starts: 0, exitsExpected: 0, exitsUnexpected: 0 });
    expect(counters.restartsOf('nope', 'nope')).toBe(0);
  });

  it('forgets a removed group, and what a reload no longer loads, but not the others', () => {
    const { flow, counters } = counting();
    flow.publish(change('a_0', 'STOPPED', 'STARTING', true, 'a'));
    flow.publish(change('ab', 'STOPPED', 'STARTING', true, 'ab'));
    flow.publish(change('c', 'STOPPED', 'STARTING'));
    flow.publish({ name: 'PROCESS_GROUP_REMOVED', at: 0, group: 'a' });
    expect(counters.of('a', 'a_0').starts).toBe(0);
    expect(counters.of('ab', 'ab').starts).toBe(1);
    counters.retain([{ group: 'c', name: 'c' }]);
    expect(counters.of('ab', 'ab').starts).toBe(0);
    expect(counters.of('c', 'c').starts).toBe(1);
    // A process that only ever went RUNNING -> STOPPING is not given an entry at all.
    flow.publish(change('d', 'RUNNING', 'STOPPING'));
    counters.close();
    flow.publish(change('c', 'STOPPED', 'STARTING'));
    expect(counters.of('c', 'c').starts).toBe(1);
  });
});
