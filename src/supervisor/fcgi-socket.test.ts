import { describe, expect, it } from 'vitest';
import { FakeClock, FakeSpawner } from '../../test/support/fakes.js';
import { programConfig } from '../../test/support/supervisor-harness.js';
import { ProcessRunner } from '../process/runner.js';
import { FcgiSocket } from './fcgi-socket.js';

/** A socket whose open/close are recorded into the same list as the log lines. */
function fakeSocket(open: () => number | Error = () => 7) {
  const events: string[] = [];
  const socket = new FcgiSocket('unix:///run/x.sock', {
    open: () => {
      events.push('open');
      return open();
    },
    close: (fd) => events.push(`close ${fd}`),
  }, (level, message) => events.push(`${level} ${message}`));
  return { socket, events };
}

const settle = async (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FcgiSocket counts references as supervisord SocketManager does', () => {
  it('creates the socket on the first reference, shares it, and closes it with the last', () => {
    const { socket, events } = fakeSocket();
    expect(socket.acquire()).toBe(7);
    expect(socket.acquire()).toBe(7);
    expect(socket.refCount).toBe(2);
    socket.release();
    expect(events).toEqual(['info Creating socket unix:///run/x.sock', 'open']);
    socket.release();
    expect(events.slice(2)).toEqual(['info Closing socket unix:///run/x.sock', 'close 7']);
    expect(socket.acquire()).toBe(7);
    expect(events.slice(4)).toEqual(['info Creating socket unix:///run/x.sock', 'open']);
  });

  it('probe() creates and closes it at once (supervisord fails early when the group is made)', () => {
    const { socket, events } = fakeSocket();
    expect(socket.probe()).toBeNull();
    expect(events).toEqual(['info Creating socket unix:///run/x.sock', 'open', 'info Closing socket unix:///run/x.sock', 'close 7']);
    expect(socket.refCount).toBe(0);
  });

  it('a socket that cannot be made is an Error naming it, and holds no reference', () => {
    const { socket } = fakeSocket(() => new Error('bind: EADDRINUSE (address already in use)'));
    expect(socket.probe()?.message).toBe('Could not create FastCGI socket unix:///run/x.sock: bind: EADDRINUSE (address already in use)');
    expect(socket.refCount).toBe(0);
  });

  it('one release too many is logged, never thrown, and never closes twice', () => {
    const { socket, events } = fakeSocket();
    socket.acquire();
    socket.release();
    socket.release();
    expect(events.filter((e) => e.startsWith('close'))).toEqual(['close 7']);
    expect(events.at(-1)).toBe('error socket unix:///run/x.sock released more often than acquired (ignored)');
  });
});

function pool(socket: FcgiSocket, names: readonly string[], stat = (file: string) => (file.startsWith('/nonexistent') ? undefined : { isDirectory: false, mode: 0o755, executable: true })) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner();
  const runners = names.map((name) => new ProcessRunner(programConfig({ name, command: name === 'missing' ? '/nonexistent/x' : '/bin/fcgi', startMs: 0, autorestart: 'false' }), {
    spawner, clock, stat,
    log: () => undefined,
    onStateChange: () => undefined,
    environment: () => ({ PATH: '/bin' }),
    output: { attach: () => undefined },
    shuttingDown: () => false,
    isRoot: true,
    gidOf: () => undefined,
    fcgiSocket: socket,
  }));
  return { spawner, runners };
}

describe('runners of an fcgi group hold one reference per spawned process', () => {
  it('every child gets the socket as fd 0; it stays open until the last one has exited, and a new start reopens it', async () => {
    const { socket, events } = fakeSocket();
    const { spawner, runners } = pool(socket, ['x_0', 'x_1']);
    for (const r of runners) r.start();
    expect(spawner.children.map((c) => c.spec.stdinFd)).toEqual([7, 7]);
    expect(socket.refCount).toBe(2);
    spawner.children[0]?.exit({ code: 0, signal: null });
    await settle();
    expect(runners[0]?.snapshot.state).toBe('EXITED');
    expect(socket.refCount).toBe(1);
    expect(events).not.toContain('close 7');
    spawner.children[1]?.exit({ code: 0, signal: null });
    await settle();
    expect(socket.refCount).toBe(0);
    expect(events.filter((e) => e === 'open' || e === 'close 7')).toEqual(['open', 'close 7']);
    runners[1]?.start();
    expect(spawner.children[2]?.spec.stdinFd).toBe(7);
    expect(events.filter((e) => e === 'open')).toHaveLength(2);
  });

  it('a spawn that fails after taking the socket gives it back (supervisord: Creating, spawnerr, Closing)', () => {
    const { socket, events } = fakeSocket();
    const { runners } = pool(socket, ['missing']);
    runners[0]?.start();
    expect(runners[0]?.snapshot.spawnErr).toMatch(/can't find command|no such file/iu);
    expect(socket.refCount).toBe(0);
    expect(events).toEqual(['info Creating socket unix:///run/x.sock', 'open', 'info Closing socket unix:///run/x.sock', 'close 7']);
  });

  it('a socket that cannot be made fails the spawn with the reason', () => {
    const { socket } = fakeSocket(() => new Error('the native addon is not available: no build'));
    const { spawner, runners } = pool(socket, ['x_0']);
    runners[0]?.start();
    expect(spawner.children).toHaveLength(0);
    expect(runners[0]?.snapshot.spawnErr).toBe('Could not create FastCGI socket unix:///run/x.sock: the native addon is not available: no build');
    expect(runners[0]?.snapshot.state).toBe('BACKOFF');
    expect(socket.refCount).toBe(0);
  });

  it('a spawn dropped while it waited for its turn gives its reference back', () => {
    const { socket } = fakeSocket();
    const { spawner, runners } = pool(socket, ['x_0']);
    spawner.queued = true;
    runners[0]?.start();
    expect(socket.refCount).toBe(1);
    runners[0]?.stop();
    spawner.runQueued();
    expect(spawner.children).toHaveLength(0);
    expect(socket.refCount).toBe(0);
  });
});
