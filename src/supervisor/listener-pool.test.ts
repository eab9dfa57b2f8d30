import { describe, expect, it } from 'vitest';
import { EventFlow } from '../events/flow.js';
import type { EngineEvent } from '../events/types.js';
import type { ProcessState } from '../process/state.js';
import { ListenerPool } from './listener-pool.js';

interface Harness {
  flow: EventFlow;
  pool: ListenerPool;
  logs: string[];
  sent: Map<string, string[]>;
  states: Map<string, ProcessState>;
  stdout: Map<string, (chunk: Buffer) => void>;
  run: () => void;
}

/** A pool of `names` listeners, all RUNNING and attached; `run()` performs the deferred dispatch. */
function harness(names: string[], events: string[], bufferSize = 10): Harness {
  const flow = new EventFlow((error) => { throw error; });
  const logs: string[] = [];
  const deferred: (() => void)[] = [];
  const pool = new ListenerPool('pool', { events, bufferSize, resultHandler: 'supervisor.dispatchers:default_handler' }, {
    flow, server: () => 'sv', log: (level, message) => logs.push(`${level} ${message}`), defer: (fn) => deferred.push(fn),
  });
  const states = new Map<string, ProcessState>(names.map((n) => [n, 'RUNNING']));
  pool.setMembers(names.map((name) => ({ name, state: () => states.get(name) ?? 'STOPPED' })));
  const sent = new Map<string, string[]>();
  const stdout = new Map<string, (chunk: Buffer) => void>();
  for (const name of names) {
    sent.set(name, []);
    stdout.set(name, pool.attach(name, (bytes) => { sent.get(name)?.push(bytes.toString()); return true; }));
  }
  const run = (): void => {
    while (deferred.length > 0) deferred.shift()?.();
  };
  return { flow, pool, logs, sent, states, stdout, run };
}

const remote = (data: string): EngineEvent => ({ name: 'REMOTE_COMMUNICATION', at: 0, type: 't', data });
const say = (h: Harness, name: string, text: string): void => {
  h.stdout.get(name)?.(Buffer.from(text));
  h.run();
};

describe('ListenerPool (supervisord EventListenerPool)', () => {
  it('sends each event to one READY listener, numbering global and pool serials', () => {
    const h = harness(['l0', 'l1'], ['REMOTE_COMMUNICATION']);
    h.flow.publish({ name: 'TICK_5', at: 0, when: 5 }); // nobody subscribes: no serial used
    say(h, 'l0', 'READY\n');
    say(h, 'l1', 'READY\n');
    h.flow.publish(remote('a'));
    h.flow.publish(remote('b'));
    h.run();
    expect(h.sent.get('l0')).toEqual(['ver:3.0 server:sv serial:0 pool:pool poolserial:0 eventname:REMOTE_COMMUNICATION len:8\ntype:t\na']);
    expect(h.sent.get('l1')).toEqual(['ver:3.0 server:sv serial:1 pool:pool poolserial:1 eventname:REMOTE_COMMUNICATION len:8\ntype:t\nb']);
    expect(h.pool.listenerState('l0')).toBe('BUSY');
  });

  it('buffers an event once even when two subscriptions match it', () => {
    const h = harness(['l0'], ['REMOTE_COMMUNICATION', 'EVENT']);
    h.flow.publish(remote('a'));
    expect(h.pool.buffered).toHaveLength(1);
  });

  it('only sends to RUNNING listeners: events wait in the buffer until then', () => {
    const h = harness(['l0'], ['EVENT']);
    h.states.set('l0', 'STARTING');
    say(h, 'l0', 'READY\n');
    h.flow.publish(remote('a'));
    h.run();
    expect(h.sent.get('l0')).toEqual([]);
    h.states.set('l0', 'RUNNING');
    h.flow.publish({ name: 'PROCESS_STATE_RUNNING', at: 0, process: { name: 'l0', group: 'pool' }, from: 'STARTING', to: 'RUNNING', tries: 0, expected: true, pid: 9 });
    h.run();
    expect(h.sent.get('l0')?.[0]).toContain('eventname:REMOTE_COMMUNICATION');
  });

  it('sends a rejected event again, first', () => {
    const h = harness(['l0'], ['REMOTE_COMMUNICATION']);
    say(h, 'l0', 'READY\n');
    h.flow.publish(remote('a'));
    h.flow.publish(remote('b'));
    h.run();
    say(h, 'l0', 'RESULT 4\nFAILREADY\n');
    expect(h.logs).toContain('warn l0: event was rejected');
    expect(h.sent.get('l0')?.map((s) => s.slice(-1))).toEqual(['a', 'a']);
    say(h, 'l0', 'RESULT 2\nOKREADY\n');
    expect(h.sent.get('l0')?.map((s) => s.slice(-1))).toEqual(['a', 'a', 'b']);
    expect(h.logs).toContain('debug l0: event was processed');
  });

  it('re-buffers the event a listener held when it exited, at the head, after the exit event itself', () => {
    const h = harness(['l0'], ['EVENT']);
    say(h, 'l0', 'READY\n');
    h.flow.publish(remote('a'));
    h.run();
    h.states.set('l0', 'EXITED');
    h.flow.publish({ name: 'PROCESS_STATE_EXITED', at: 0, process: { name: 'l0', group: 'pool' }, from: 'RUNNING', to: 'EXITED', tries: 0, expected: false, pid: 9 });
    expect(h.pool.buffered.map((e) => e.name)).toEqual(['REMOTE_COMMUNICATION', 'PROCESS_STATE_EXITED']);
  });

  it('discards the oldest event when the buffer is full, with supervisord\'s error line', () => {
    const h = harness(['l0'], ['REMOTE_COMMUNICATION'], 2);
    for (const d of ['a', 'b', 'c']) h.flow.publish(remote(d));
    expect(h.logs).toContain('error pool pool event buffer overflowed, discarding event 0');
    expect(h.pool.buffered.map((e) => (e.name === 'REMOTE_COMMUNICATION' ? e.data : ''))).toEqual(['b', 'c']);
  });

  it('sends nothing more to a listener that violated the protocol', () => {
    const h = harness(['l0'], ['REMOTE_COMMUNICATION']);
    say(h, 'l0', 'READY\ngarbage');
    expect(h.logs).toContain('warn l0: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol');
    h.flow.publish(remote('a'));
    h.run();
    expect(h.sent.get('l0')).toEqual([]);
  });

  it('does not send an event to a listener that stopped in the same turn (SUPERVISOR_STATE_CHANGE_STOPPING at shutdown)', () => {
    const h = harness(['l0'], ['EVENT']);
    say(h, 'l0', 'READY\n');
    h.flow.publish({ name: 'SUPERVISOR_STATE_CHANGE_STOPPING', at: 0 });
    h.states.set('l0', 'STOPPING');
    h.run();
    expect(h.sent.get('l0')).toEqual([]);
  });

  it('stops taking events once closed', () => {
    const h = harness(['l0'], ['EVENT']);
    h.pool.close();
    h.flow.publish(remote('a'));
    expect(h.pool.buffered).toHaveLength(0);
  });
});
