import { describe, expect, it } from 'vitest';
import { systemdNotifier, takeSystemdEnvironment } from './systemd-notify.js';

describe('takeSystemdEnvironment', () => {
  it('takes NOTIFY_SOCKET and every variable systemd gives the main process out of the environment, and nothing else', () => {
    const env: Record<string, string | undefined> = {
      NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '1', WATCHDOG_PID: '2', LISTEN_FDS: '1', LISTEN_PID: '2', LISTEN_FDNAMES: 'a', PATH: '/bin', INVOCATION_ID: 'x',
    };
    expect(takeSystemdEnvironment(env)).toBe('/run/systemd/notify');
    expect(env).toEqual({ PATH: '/bin', INVOCATION_ID: 'x' });
    expect(takeSystemdEnvironment({ NOTIFY_SOCKET: '' })).toBeNull();
    expect(takeSystemdEnvironment({})).toBeNull();
  });
});

describe('systemdNotifier', () => {
  it('sends the lines as one datagram; reports a failure once per errno', () => {
    const sent: [string, string][] = [];
    let answer = 0;
    const errors: string[] = [];
    const notifier = systemdNotifier('@sock', (path, message) => {
      sent.push([path, message]);
      return answer;
    }, (message) => errors.push(message));
    notifier?.notify(['READY=1', 'STATUS=up']);
    answer = 111;
    notifier?.notify(['RELOADING=1']);
    notifier?.notify(['READY=1']);
    answer = 11;
    notifier?.notify(['STOPPING=1']);
    expect(sent).toEqual([['@sock', 'READY=1\nSTATUS=up'], ['@sock', 'RELOADING=1'], ['@sock', 'READY=1'], ['@sock', 'STOPPING=1']]);
    expect(errors).toEqual([
      'could not notify systemd at NOTIFY_SOCKET=@sock (RELOADING=1): ECONNREFUSED',
      'could not notify systemd at NOTIFY_SOCKET=@sock (STOPPING=1): EAGAIN',
    ]);
    expect(systemdNotifier(null, () => 0, () => undefined)).toBeNull();
  });
});
