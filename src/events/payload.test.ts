import { describe, expect, it } from 'vitest';
import { envelope, payloadOf } from './payload.js';
import type { EngineEvent } from './types.js';

const proc = { name: 'web_0', group: 'web' };
const state = (name: Extract<EngineEvent, { from: unknown }>['name'], extra: Partial<{ tries: number; expected: boolean; pid: number }> = {}): EngineEvent => ({
  name, at: 0, process: proc, from: 'STARTING', to: 'RUNNING', tries: 0, expected: true, pid: 0, ...extra,
});

describe('payloadOf (supervisor/events.py payload())', () => {
  it('renders each process state event with the fields its class adds', () => {
    expect(payloadOf(state('PROCESS_STATE_STARTING', { tries: 2 }))).toBe('processname:web_0 groupname:web from_state:STARTING tries:2');
    expect(payloadOf(state('PROCESS_STATE_BACKOFF', { tries: 1 }))).toBe('processname:web_0 groupname:web from_state:STARTING tries:1');
    expect(payloadOf(state('PROCESS_STATE_EXITED', { expected: false, pid: 42 }))).toBe('processname:web_0 groupname:web from_state:STARTING expected:0 pid:42');
    expect(payloadOf(state('PROCESS_STATE_RUNNING', { pid: 42 }))).toBe('processname:web_0 groupname:web from_state:STARTING pid:42');
    expect(payloadOf(state('PROCESS_STATE_STOPPING', { pid: 42 }))).toBe('processname:web_0 groupname:web from_state:STARTING pid:42');
    expect(payloadOf(state('PROCESS_STATE_STOPPED', { pid: 42 }))).toBe('processname:web_0 groupname:web from_state:STARTING pid:42');
    expect(payloadOf(state('PROCESS_STATE_FATAL'))).toBe('processname:web_0 groupname:web from_state:STARTING');
    expect(payloadOf(state('PROCESS_STATE_UNKNOWN'))).toBe('processname:web_0 groupname:web from_state:STARTING');
  });

  it('renders output, remote, group, tick and supervisor events', () => {
    expect(payloadOf({ name: 'PROCESS_LOG_STDERR', at: 0, process: proc, pid: 7, channel: 'stderr', data: Buffer.from('oops\n') }))
      .toBe('processname:web_0 groupname:web pid:7 channel:stderr\noops\n');
    expect(payloadOf({ name: 'PROCESS_COMMUNICATION_STDOUT', at: 0, process: proc, pid: 7, channel: 'stdout', data: Buffer.from('hi') }))
      .toBe('processname:web_0 groupname:web pid:7\nhi');
    expect(payloadOf({ name: 'REMOTE_COMMUNICATION', at: 0, type: 'deploy', data: 'v2' })).toBe('type:deploy\nv2');
    expect(payloadOf({ name: 'PROCESS_GROUP_ADDED', at: 0, group: 'web' })).toBe('groupname:web\n');
    expect(payloadOf({ name: 'TICK_60', at: 0, when: 1_800_000_000 })).toBe('when:1800000000');
    expect(payloadOf({ name: 'SUPERVISOR_STATE_CHANGE_STOPPING', at: 0 })).toBe('');
  });

  it('names output that is not UTF-8 as supervisord does: Undecodable: b\'...\'', () => {
    const data = Buffer.from([0x61, 0xff, 0x0a, 0x27, 0x5c]);
    expect(payloadOf({ name: 'PROCESS_LOG_STDOUT', at: 0, process: proc, pid: 1, channel: 'stdout', data }))
      .toBe(`processname:web_0 groupname:web pid:1 channel:stdout\nUndecodable: b"a\\xff\\n'\\\\"`);
  });
});

describe('envelope (EventListenerPool._eventEnvelope)', () => {
  it('writes the header line and the payload, len in characters as Python counts them', () => {
    const event: EngineEvent = { name: 'REMOTE_COMMUNICATION', at: 0, type: 't', data: 'héllo 😀' };
    const bytes = envelope(event, { server: 'supervisor', serial: 12, pool: 'mail', poolSerial: 3 });
    expect(bytes.toString('utf8')).toBe('ver:3.0 server:supervisor serial:12 pool:mail poolserial:3 eventname:REMOTE_COMMUNICATION len:14\ntype:t\nhéllo 😀');
  });
});
