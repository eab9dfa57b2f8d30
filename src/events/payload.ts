// supervisord's event texts, byte for byte: each type's payload() (supervisor/events.py) and the
// envelope EventListenerPool._eventEnvelope writes to a listener's stdin.

import { decodedOrUndecodable as dataText } from '../logging/python-bytes-repr.js';
import type { EngineEvent } from './types.js';

export function payloadOf(event: EngineEvent): string {
  switch (event.name) {
    case 'PROCESS_STATE_STARTING':
    case 'PROCESS_STATE_BACKOFF':
    case 'PROCESS_STATE_EXITED':
    case 'PROCESS_STATE_RUNNING':
    case 'PROCESS_STATE_STOPPING':
    case 'PROCESS_STATE_STOPPED':
    case 'PROCESS_STATE_FATAL':
    case 'PROCESS_STATE_UNKNOWN': {
      const head = `processname:${event.process.name} groupname:${event.process.group} from_state:${event.from}`;
      switch (event.name) {
        case 'PROCESS_STATE_STARTING':
        case 'PROCESS_STATE_BACKOFF':
          return `${head} tries:${event.tries}`;
        case 'PROCESS_STATE_EXITED':
          return `${head} expected:${event.expected ? 1 : 0} pid:${event.pid}`;
        case 'PROCESS_STATE_RUNNING':
        case 'PROCESS_STATE_STOPPING':
        case 'PROCESS_STATE_STOPPED':
          return `${head} pid:${event.pid}`;
        case 'PROCESS_STATE_FATAL':
        case 'PROCESS_STATE_UNKNOWN':
          return head;
      }
    }
    case 'PROCESS_LOG_STDOUT':
    case 'PROCESS_LOG_STDERR':
      return `processname:${event.process.name} groupname:${event.process.group} pid:${event.pid} channel:${event.channel}\n${dataText(event.data)}`;
    case 'PROCESS_COMMUNICATION_STDOUT':
    case 'PROCESS_COMMUNICATION_STDERR':
      return `processname:${event.process.name} groupname:${event.process.group} pid:${event.pid}\n${dataText(event.data)}`;
    case 'REMOTE_COMMUNICATION':
      return `type:${event.type}\n${event.data}`;
    case 'SUPERVISOR_STATE_CHANGE_RUNNING':
    case 'SUPERVISOR_STATE_CHANGE_STOPPING':
      return '';
    case 'TICK_5':
    case 'TICK_60':
    case 'TICK_3600':
      return `when:${event.when}`;
    case 'PROCESS_GROUP_ADDED':
    case 'PROCESS_GROUP_REMOVED':
      return `groupname:${event.group}\n`;
  }
}

/** Python's len() of a str: code points, not UTF-16 units (nor bytes: see envelope). */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export interface EnvelopeFields {
  /** The daemon's identifier (`server:`). */
  readonly server: string;
  readonly serial: number;
  readonly pool: string;
  readonly poolSerial: number;
}

/**
 * The bytes written to a listener: header line, then the payload. `len` counts the payload's
 * characters as Python's len(str) does, while the bytes are its UTF-8: a listener that reads
 * `len` characters from a text-mode stdin (supervisor.childutils does) gets exactly the payload.
 */
export function envelope(event: EngineEvent, fields: EnvelopeFields): Buffer {
  const payload = payloadOf(event);
  return Buffer.from(`ver:3.0 server:${fields.server} serial:${fields.serial} pool:${fields.pool} `
    + `poolserial:${fields.poolSerial} eventname:${event.name} len:${codePoints(payload)}\n${payload}`, 'utf8');
}
