import { describe, expect, it } from 'vitest';
import { parseStat } from './proc-stat.js';

describe('/proc reading for the orphan reaper', () => {
  it('takes the ppid after the last parenthesis, whatever the command name holds', () => {
    expect(parseStat('4242 (sleep) S 1 4242 4242 0 -1 4194304')?.ppid).toBe(1);
    expect(parseStat('77 (a) b (c) R 12 77 77 0 -1')?.ppid).toBe(12);
    expect(parseStat('garbage')).toBeUndefined();
  });
});
