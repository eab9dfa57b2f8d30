import { describe, expect, it } from 'vitest';
import { programConfig } from '../../test/support/supervisor-harness.js';
import { childEnvironment, daemonEnvironment } from './child-environment.js';

describe('child environment', () => {
  it('reads the daemon environment once, without its unset variables, and keeps it unchanged', () => {
    const source: Record<string, string | undefined> = { PATH: '/bin', GONE: undefined };
    const env = daemonEnvironment(source);
    source['PATH'] = '/changed';
    expect(env).toEqual({ PATH: '/bin' });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('layers the daemon env, SUPERVISOR_* and the program environment, a fresh object each time', () => {
    const daemon = daemonEnvironment({ PATH: '/bin', SUPERVISOR_GROUP_NAME: 'daemon', KEEP: 'k' });
    const p = programConfig({ name: 'web', command: 'web', environment: { PATH: '/opt/bin' } });
    const env = childEnvironment(daemon, p, 'unix:///tmp/s.sock');
    expect(env).toEqual({
      PATH: '/opt/bin', KEEP: 'k', SUPERVISOR_ENABLED: '1', SUPERVISOR_SERVER_URL: 'unix:///tmp/s.sock',
      SUPERVISOR_PROCESS_NAME: 'web', SUPERVISOR_GROUP_NAME: p.group,
    });
    expect(childEnvironment(daemon, p, null)).not.toBe(env);
    expect(childEnvironment(daemon, p, null)).not.toHaveProperty('SUPERVISOR_SERVER_URL');
    expect(daemon['PATH']).toBe('/bin');
  });
});
