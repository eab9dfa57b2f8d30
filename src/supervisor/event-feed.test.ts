import { describe, expect, it } from 'vitest';
import { EventFlow } from '../events/flow.js';
import type { EngineEvent } from '../events/types.js';
import type { FeedMessage } from '../api/event-feed.js';
import { eventFeedOf, feedMessageOf } from './event-feed.js';

const web = { name: 'web', group: 'apps' };

describe('feedMessageOf', () => {
  it('maps a state change with group, name, from, to, pid, at', () => {
    expect(feedMessageOf({ name: 'PROCESS_STATE_RUNNING', at: 1000, process: web, from: 'STARTING', to: 'RUNNING', tries: 0, expected: false, pid: 42 }))
      .toEqual({ type: 'state', group: 'apps', name: 'web', from: 'STARTING', to: 'RUNNING', pid: 42, at: 1000, expected: false });
  });

  it('says expected only for an EXITED whose exit was expected (STARTING reuses the field for nothing the page shows)', () => {
    const exited = feedMessageOf({ name: 'PROCESS_STATE_EXITED', at: 1, process: web, from: 'RUNNING', to: 'EXITED', tries: 0, expected: true, pid: 7 });
    expect(exited).toMatchObject({ to: 'EXITED', expected: true });
    const backoff = feedMessageOf({ name: 'PROCESS_STATE_BACKOFF', at: 1, process: web, from: 'STARTING', to: 'BACKOFF', tries: 2, expected: true, pid: 0 });
    expect(backoff).toMatchObject({ to: 'BACKOFF', expected: false });
  });

  it('maps group additions and removals', () => {
    expect(feedMessageOf({ name: 'PROCESS_GROUP_ADDED', at: 5, group: 'apps' })).toEqual({ type: 'group-added', group: 'apps', at: 5 });
    expect(feedMessageOf({ name: 'PROCESS_GROUP_REMOVED', at: 6, group: 'apps' })).toEqual({ type: 'group-removed', group: 'apps', at: 6 });
  });

  it('drops output, ticks, remote and daemon events: no output bytes ever reach the feed', () => {
    const ignored: EngineEvent[] = [
      { name: 'PROCESS_LOG_STDOUT', at: 1, process: web, pid: 1, channel: 'stdout', data: Buffer.from('secret') },
      { name: 'PROCESS_COMMUNICATION_STDERR', at: 1, process: web, pid: 1, channel: 'stderr', data: Buffer.from('x') },
      { name: 'TICK_5', at: 1, when: 1 },
      { name: 'REMOTE_COMMUNICATION', at: 1, type: 't', data: 'd' },
      { name: 'SUPERVISOR_STATE_CHANGE_RUNNING', at: 1 },
    ];
    for (const event of ignored) expect(feedMessageOf(event)).toBeNull();
  });
});

describe('eventFeedOf', () => {
  it('passes mapped messages to subscribers until they unsubscribe', () => {
    const flow = new EventFlow(() => undefined);
    const got: FeedMessage[] = [];
    const unsubscribe = eventFeedOf(flow).subscribe((m) => got.push(m));
    flow.publish({ name: 'TICK_5', at: 1, when: 1 });
    flow.publish({ name: 'PROCESS_GROUP_ADDED', at: 2, group: 'g' });
    unsubscribe();
    flow.publish({ name: 'PROCESS_GROUP_REMOVED', at: 3, group: 'g' });
    expect(got).toEqual([{ type: 'group-added', group: 'g', at: 2 }]);
  });
});
