import { describe, expect, it } from 'vitest';
import { fdinfoFlags, inheritable } from './fds.js';

describe('fdinfo flags', () => {
  it('reads the octal flags line of /proc/<pid>/fdinfo/<fd>', () => {
    expect(fdinfoFlags('pos:\t0\nflags:\t02100000\nmnt_id:\t25\nino:\t5\n')).toBe(0o2100000);
    expect(fdinfoFlags('pos:\t0\nflags:\t0100001\n')).toBe(0o100001);
    expect(fdinfoFlags('pos:\t0\n')).toBeNull();
  });

  it('a descriptor without O_CLOEXEC (02000000) is inherited by children', () => {
    expect(inheritable(0o100000)).toBe(true);
    expect(inheritable(0o2100000)).toBe(false);
    expect(inheritable(0o2004002)).toBe(false);
  });
});
