// The dashboard's feed (api/event-feed.ts) over the engine's event flow: process state changes and
// group additions/removals, nothing else. Output (PROCESS_LOG_*, PROCESS_COMMUNICATION_*) never goes
// in — the page tails log files for that — and ticks or remote events say nothing the page shows.

import type { EventFeed, FeedMessage } from '../api/event-feed.js';
import type { EventFlow } from '../events/flow.js';
import type { EngineEvent } from '../events/types.js';

/** The message the page gets for `event`, or null for events it does not follow. */
export function feedMessageOf(event: EngineEvent): FeedMessage | null {
  switch (event.name) {
    case 'PROCESS_STATE_STOPPED':
    case 'PROCESS_STATE_STARTING':
    case 'PROCESS_STATE_RUNNING':
    case 'PROCESS_STATE_BACKOFF':
    case 'PROCESS_STATE_STOPPING':
    case 'PROCESS_STATE_EXITED':
    case 'PROCESS_STATE_FATAL':
    case 'PROCESS_STATE_UNKNOWN':
      return {
        type: 'state', group: event.process.group, name: event.process.name, from: event.from, to: event.to,
        pid: event.pid, at: event.at, expected: event.to === 'EXITED' && event.expected,
      };
    case 'PROCESS_GROUP_ADDED':
      return { type: 'group-added', group: event.group, at: event.at };
    case 'PROCESS_GROUP_REMOVED':
      return { type: 'group-removed', group: event.group, at: event.at };
    case 'PROCESS_LOG_STDOUT':
    case 'PROCESS_LOG_STDERR':
    case 'PROCESS_COMMUNICATION_STDOUT':
    case 'PROCESS_COMMUNICATION_STDERR':
    case 'REMOTE_COMMUNICATION':
    case 'SUPERVISOR_STATE_CHANGE_RUNNING':
    case 'SUPERVISOR_STATE_CHANGE_STOPPING':
    case 'TICK_5':
    case 'TICK_60':
    case 'TICK_3600':
      return null;
  }
}

export function eventFeedOf(flow: EventFlow): EventFeed {
  return {
    subscribe(fn) {
      return flow.subscribe((event) => {
        const message = feedMessageOf(event);
        if (message !== null) fn(message);
      });
    },
  };
}
