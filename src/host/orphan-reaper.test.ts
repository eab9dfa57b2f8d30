import { describe, expect, it } from 'vitest';
import { ppidOfStat } from './orphan-reaper.js';

describe('/proc reading for the orphan reaper', () => {
  it('takes the ppid after the last parenthesis, whatever the command name holds', () => {
    expect(ppidOfStat('4242 (sleep) S 1 4242 4242 0 -1 4194304')).toBe(1);
    expect(ppidOfStat('77 (a) b (c) R 12 77 77 0 -1')).toBe(12);
    expect(ppidOfStat('garbage')).toBeNull();
  });
});
