// The one place the engine's facts become events of the flow: a runner's state change, a
// child-output fact, a remote request. (Ticks come from ticks.ts; group and supervisor state
// events carry no more than their name.)

import type { ProcessConfig } from '../config/schema.js';
import type { OutputFact } from '../logging/child-output.js';
import type { StateChange } from '../process/runner.js';
import type { EngineEvent } from './types.js';

/** PROCESS_STATE_<to>, with the pid and tries the change happened with. */
export function processStateEvent(change: StateChange, at: number): EngineEvent {
  return {
    name: `PROCESS_STATE_${change.to}`, at, process: { name: change.process.name, group: change.process.group },
    from: change.from, to: change.to, tries: change.tries, expected: change.expected ?? true, pid: change.pid,
  };
}

/** PROCESS_LOG_* (a piece logged with *_events_enabled) or PROCESS_COMMUNICATION_* (a capture). */
export function outputEvent(p: ProcessConfig, fact: OutputFact, at: number): EngineEvent {
  const channel = fact.channel === 'stdout' ? 'STDOUT' : 'STDERR';
  return {
    name: fact.kind === 'log' ? `PROCESS_LOG_${channel}` : `PROCESS_COMMUNICATION_${channel}`,
    at, process: { name: p.name, group: p.group }, pid: fact.pid, channel: fact.channel, data: fact.data,
  };
}

/** REMOTE_COMMUNICATION (XML-RPC supervisor.sendRemoteCommEvent). */
export function remoteEvent(type: string, data: string, at: number): EngineEvent {
  return { name: 'REMOTE_COMMUNICATION', at, type, data };
}
