import { describe, expect, it } from 'vitest';
import type { NativeAddon } from '../../host/native-addon.js';
import type { ProbeRun } from '../probe.js';
import { notifyProbe, saysReady, senderMayNotify } from './notify.js';

const run: ProbeRun = { pid: 4242, env: {}, cwd: null, watchOutput: () => () => undefined };

async function failureOf(probe: ReturnType<typeof notifyProbe>): Promise<string> {
  return new Promise((resolve, reject) => {
    probe.start(run, () => { reject(new Error('ready without a socket')); }, resolve);
  });
}

describe('sd_notify datagrams', () => {
  it('READY=1 is one line of the datagram, exactly', () => {
    expect(saysReady(Buffer.from('READY=1'))).toBe(true);
    expect(saysReady(Buffer.from('STATUS=Ready to accept connections\nREADY=1\n'))).toBe(true);
    expect(saysReady(Buffer.from('READY=1\nSTATUS=up'))).toBe(true);
    expect(saysReady(Buffer.from('STATUS=READY=1\n'))).toBe(false);
    expect(saysReady(Buffer.from('READY=0\nRELOADING=1\n'))).toBe(false);
    expect(saysReady(Buffer.from(''))).toBe(false);
  });

  it('counts the child, the child\'s user and root; not another user', () => {
    expect(senderMayNotify({ pid: 10, uid: 1000 }, 10, 1000)).toBe(true);
    expect(senderMayNotify({ pid: 11, uid: 1000 }, 10, 1000)).toBe(true);
    expect(senderMayNotify({ pid: 11, uid: 0 }, 10, 1000)).toBe(true);
    expect(senderMayNotify({ pid: 11, uid: 65534 }, 10, 1000)).toBe(false);
    // The child is gone (its uid unknown): only its own pid would still count.
    expect(senderMayNotify({ pid: 11, uid: 1000 }, 10, null)).toBe(false);
    expect(senderMayNotify({ pid: 10, uid: 1000 }, 10, null)).toBe(true);
  });
});

describe('notifyProbe without the socket', () => {
  it('without the native addon: no NOTIFY_SOCKET, and each start() fails saying why (never hangs)', async () => {
    const probe = notifyProbe({ missing: '/x/host.node could not be loaded (ENOENT; run npm install with gcc and libc6-dev present)' });
    expect(probe.environment()).toEqual({});
    expect(await failureOf(probe)).toBe('ready=notify cannot work: the native addon is not available: /x/host.node could not be loaded (ENOENT; run npm install with gcc and libc6-dev present)');
    probe.close();
  });

  it('with an addon built before ready=notify: says to rebuild it', async () => {
    const old: NativeAddon = { reap: () => null, listenSocket: () => ({ errno: 1, syscall: 'socket' }) };
    const probe = notifyProbe(old);
    expect(probe.environment()).toEqual({});
    expect(await failureOf(probe)).toMatch(/an old build: run npm install/u);
  });

  it('a socket the kernel refuses: the errno, named', async () => {
    const refusing: NativeAddon = {
      reap: () => null, listenSocket: () => ({ errno: 1, syscall: 'socket' }),
      openNotifySocket: () => ({ errno: 24, syscall: 'socket' }), closeNotifySocket: () => undefined,
    };
    const probe = notifyProbe(refusing);
    expect(probe.environment()).toEqual({});
    expect(await failureOf(probe)).toMatch(/^ready=notify cannot work: cannot make the notify socket \/.+\.sock: socket: EMFILE/u);
  });

  it('a start() stopped at once reports nothing', async () => {
    const probe = notifyProbe({ missing: 'gone' });
    probe.environment();
    let told = false;
    const stop = probe.start(run, () => { told = true; }, () => { told = true; });
    stop();
    await new Promise((resolve) => { setImmediate(resolve); });
    expect(told).toBe(false);
  });
});
