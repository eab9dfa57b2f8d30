import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../config/parse-eventlistener.js';
import { EVENT_TYPE_NAMES, isSubtype } from './types.js';

describe('event type hierarchy (events.py EventTypes)', () => {
  it('delivers a subtype to a subscription to any of its ancestors', () => {
    expect(isSubtype('PROCESS_STATE_EXITED', 'PROCESS_STATE')).toBe(true);
    expect(isSubtype('PROCESS_STATE_EXITED', 'EVENT')).toBe(true);
    expect(isSubtype('PROCESS_STATE_EXITED', 'PROCESS_STATE_EXITED')).toBe(true);
    expect(isSubtype('TICK_60', 'TICK')).toBe(true);
    expect(isSubtype('PROCESS_LOG_STDOUT', 'PROCESS_COMMUNICATION')).toBe(false);
    expect(isSubtype('PROCESS_STATE_EXITED', 'PROCESS_STATE_FATAL')).toBe(false);
    expect(isSubtype('PROCESS_STATE', 'PROCESS_STATE_EXITED')).toBe(false);
  });

  it('knows exactly the names the config accepts in events=', () => {
    expect([...EVENT_TYPES].sort()).toEqual([...EVENT_TYPE_NAMES].sort());
    expect(EVENT_TYPE_NAMES).toHaveLength(27);
  });
});
