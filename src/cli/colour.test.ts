import { describe, expect, it } from 'vitest';
import { colourWanted, stateColour } from './colour.js';

describe('when status uses colour', () => {
  it('only on a TTY and only without NO_COLOR (any value, even empty, turns it off)', () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(false, {})).toBe(false);
    expect(colourWanted(undefined, {})).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '0' })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '' })).toBe(false);
  });
});

describe('state colours', () => {
  it('green for RUNNING, yellow for the transitions, red for failures, none for STOPPED or a clean exit', () => {
    expect(stateColour('RUNNING', 0)).toBe('\x1b[32m');
    expect(stateColour('STARTING', 0)).toBe('\x1b[33m');
    expect(stateColour('BACKOFF', 0)).toBe('\x1b[33m');
    expect(stateColour('STOPPING', 0)).toBe('\x1b[33m');
    expect(stateColour('FATAL', 0)).toBe('\x1b[31m');
    expect(stateColour('UNKNOWN', 0)).toBe('\x1b[31m');
    expect(stateColour('EXITED', 1)).toBe('\x1b[31m');
    expect(stateColour('EXITED', 0)).toBeNull();
    expect(stateColour('STOPPED', 0)).toBeNull();
  });
});
