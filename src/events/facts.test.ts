import { describe, expect, it } from 'vitest';
import { programConfig } from '../../test/support/supervisor-harness.js';
import { initialSnapshot } from '../process/machine.js';
import { outputEvent, processStateEvent } from './facts.js';

describe('facts -> events', () => {
  const p = programConfig({ name: 'web_00', command: '/bin/web' });

  it('a state change keeps the pid and tries it happened with; only EXITED says expected:0', () => {
    const exited = processStateEvent({ process: p, from: 'RUNNING', to: 'EXITED', expected: false, pid: 41, tries: 0, snapshot: initialSnapshot() }, 5);
    expect(exited).toMatchObject({ name: 'PROCESS_STATE_EXITED', at: 5, process: { name: 'web_00', group: p.group }, pid: 41, expected: false });
    const backoff = processStateEvent({ process: p, from: 'STARTING', to: 'BACKOFF', pid: 0, tries: 3, snapshot: initialSnapshot() }, 5);
    expect(backoff).toMatchObject({ name: 'PROCESS_STATE_BACKOFF', tries: 3, expected: true });
  });

  it('an output fact becomes PROCESS_LOG_* or PROCESS_COMMUNICATION_* of its channel', () => {
    const data = Buffer.from('x');
    expect(outputEvent(p, { kind: 'log', channel: 'stderr', pid: 7, data }, 1).name).toBe('PROCESS_LOG_STDERR');
    expect(outputEvent(p, { kind: 'comm', channel: 'stdout', pid: 7, data }, 1)).toMatchObject({ name: 'PROCESS_COMMUNICATION_STDOUT', pid: 7, data, channel: 'stdout' });
  });
});
