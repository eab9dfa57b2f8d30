// supervisord's event types (supervisor/events.py EventTypes): the concrete names an event is
// published under, the abstract names a listener may subscribe to, and which is which's parent.
// A subscription to an abstract type receives every subtype (supervisord's isinstance check).

import type { ProcessState } from '../process/state.js';

export type ProcessStateEventName = `PROCESS_STATE_${ProcessState}`;

/** The names an event is published under (never an abstract one). */
export type ConcreteEventName =
  | ProcessStateEventName
  | 'PROCESS_LOG_STDOUT' | 'PROCESS_LOG_STDERR'
  | 'PROCESS_COMMUNICATION_STDOUT' | 'PROCESS_COMMUNICATION_STDERR'
  | 'REMOTE_COMMUNICATION'
  | 'SUPERVISOR_STATE_CHANGE_RUNNING' | 'SUPERVISOR_STATE_CHANGE_STOPPING'
  | 'TICK_5' | 'TICK_60' | 'TICK_3600'
  | 'PROCESS_GROUP_ADDED' | 'PROCESS_GROUP_REMOVED';

export type AbstractEventName =
  'EVENT' | 'PROCESS_STATE' | 'PROCESS_LOG' | 'PROCESS_COMMUNICATION' | 'SUPERVISOR_STATE_CHANGE' | 'TICK' | 'PROCESS_GROUP';

export type EventTypeName = ConcreteEventName | AbstractEventName;

/** Each type's parent class in events.py; EVENT is the root. */
const PARENT: Readonly<Record<EventTypeName, EventTypeName | null>> = {
  EVENT: null,
  PROCESS_STATE: 'EVENT',
  PROCESS_STATE_STOPPED: 'PROCESS_STATE',
  PROCESS_STATE_STARTING: 'PROCESS_STATE',
  PROCESS_STATE_RUNNING: 'PROCESS_STATE',
  PROCESS_STATE_BACKOFF: 'PROCESS_STATE',
  PROCESS_STATE_STOPPING: 'PROCESS_STATE',
  PROCESS_STATE_EXITED: 'PROCESS_STATE',
  PROCESS_STATE_FATAL: 'PROCESS_STATE',
  PROCESS_STATE_UNKNOWN: 'PROCESS_STATE',
  PROCESS_LOG: 'EVENT',
  PROCESS_LOG_STDOUT: 'PROCESS_LOG',
  PROCESS_LOG_STDERR: 'PROCESS_LOG',
  PROCESS_COMMUNICATION: 'EVENT',
  PROCESS_COMMUNICATION_STDOUT: 'PROCESS_COMMUNICATION',
  PROCESS_COMMUNICATION_STDERR: 'PROCESS_COMMUNICATION',
  REMOTE_COMMUNICATION: 'EVENT',
  SUPERVISOR_STATE_CHANGE: 'EVENT',
  SUPERVISOR_STATE_CHANGE_RUNNING: 'SUPERVISOR_STATE_CHANGE',
  SUPERVISOR_STATE_CHANGE_STOPPING: 'SUPERVISOR_STATE_CHANGE',
  TICK: 'EVENT',
  TICK_5: 'TICK',
  TICK_60: 'TICK',
  TICK_3600: 'TICK',
  PROCESS_GROUP: 'EVENT',
  PROCESS_GROUP_ADDED: 'PROCESS_GROUP',
  PROCESS_GROUP_REMOVED: 'PROCESS_GROUP',
};

/** Every name `events=` accepts. */
export const EVENT_TYPE_NAMES: readonly EventTypeName[] = Object.keys(PARENT) as EventTypeName[];

export function isEventTypeName(name: string): name is EventTypeName {
  return Object.hasOwn(PARENT, name);
}

/** Whether an event published as `name` is an instance of `subscribed` (itself or an ancestor). */
export function isSubtype(name: EventTypeName, subscribed: EventTypeName): boolean {
  for (let t: EventTypeName | null = name; t !== null; t = PARENT[t]) if (t === subscribed) return true;
  return false;
}

export type OutputChannel = 'stdout' | 'stderr';

/** Who a process event is about: names as supervisord prints them (config name, group name). */
export interface ProcessRef {
  readonly name: string;
  readonly group: string;
}

/**
 * One event of the engine, with what its payload needs, captured when it happened (supervisord
 * renders a state event's extra values eagerly, "so if the process pid changes beneath us").
 * `at` is epoch ms, for readers other than listeners (the dashboard, metrics).
 */
export type EngineEvent =
  | {
    readonly name: ProcessStateEventName; readonly at: number; readonly process: ProcessRef;
    readonly from: ProcessState; readonly to: ProcessState;
    /** STARTING/BACKOFF: the process's backoff count; EXITED: whether the exit was expected. */
    readonly tries: number; readonly expected: boolean; readonly pid: number;
  }
  | {
    readonly name: 'PROCESS_LOG_STDOUT' | 'PROCESS_LOG_STDERR' | 'PROCESS_COMMUNICATION_STDOUT' | 'PROCESS_COMMUNICATION_STDERR';
    readonly at: number; readonly process: ProcessRef; readonly pid: number; readonly channel: OutputChannel;
    /** The subscriber's own bytes (copied out of the shared read buffer). */
    readonly data: Buffer;
  }
  | { readonly name: 'REMOTE_COMMUNICATION'; readonly at: number; readonly type: string; readonly data: string }
  | { readonly name: 'SUPERVISOR_STATE_CHANGE_RUNNING' | 'SUPERVISOR_STATE_CHANGE_STOPPING'; readonly at: number }
  | { readonly name: 'TICK_5' | 'TICK_60' | 'TICK_3600'; readonly at: number; readonly when: number }
  | { readonly name: 'PROCESS_GROUP_ADDED' | 'PROCESS_GROUP_REMOVED'; readonly at: number; readonly group: string };
