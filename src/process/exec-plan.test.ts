import { describe, expect, it } from 'vitest';
import { execPlan } from './exec-plan.js';

const req = { file: '/usr/bin/redis-server', argv: ['redis-server', '/etc/r.conf'], uid: null, gid: null };

describe('execPlan', () => {
  it('runs the program itself, with its own argv[0], when no user is asked for', () => {
    expect(execPlan(req, { trampoline: false, setpriv: '/usr/bin/setpriv' }))
      .toEqual({ file: '/usr/bin/redis-server', args: ['/etc/r.conf'], argv0: 'redis-server', uid: null, gid: null });
  });

  it('joins stderr to stdout through sh when there are no real pipes', () => {
    expect(execPlan(req, { trampoline: true, setpriv: null })).toEqual({
      file: '/bin/sh', args: ['-c', 'exec "$@" 2>&1', 'tssupervisord-redirect', '/usr/bin/redis-server', '/etc/r.conf'],
      argv0: '/bin/sh', uid: null, gid: null,
    });
  });

  it("user= goes through setpriv --init-groups, which sets the user's supplementary groups and then execs the program", () => {
    expect(execPlan({ ...req, uid: 101, gid: 102 }, { trampoline: false, setpriv: '/usr/bin/setpriv' })).toEqual({
      file: '/usr/bin/setpriv', args: ['--reuid=101', '--regid=102', '--init-groups', '--', '/usr/bin/redis-server', '/etc/r.conf'],
      argv0: 'setpriv', uid: null, gid: null,
    });
  });

  it('without setpriv (or a known primary group) Node sets uid and gid, and the user gets no supplementary groups', () => {
    expect(execPlan({ ...req, uid: 101, gid: 102 }, { trampoline: false, setpriv: null })).toMatchObject({ file: '/usr/bin/redis-server', uid: 101, gid: 102 });
    expect(execPlan({ ...req, uid: 101, gid: null }, { trampoline: false, setpriv: '/usr/bin/setpriv' })).toMatchObject({ file: '/usr/bin/redis-server', uid: 101, gid: null });
  });

  it('user= and the sh trampoline together: setpriv execs sh, which execs the program', () => {
    expect(execPlan({ ...req, uid: 101, gid: 102 }, { trampoline: true, setpriv: '/usr/bin/setpriv' }).args)
      .toEqual(['--reuid=101', '--regid=102', '--init-groups', '--', '/bin/sh', '-c', 'exec "$@" 2>&1', 'tssupervisord-redirect', '/usr/bin/redis-server', '/etc/r.conf']);
  });
});
