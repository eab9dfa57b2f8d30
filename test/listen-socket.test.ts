// The native listenSocket() behind [fcgi-program:x] sockets (src/host/native/host.c), on real
// sockets: what the children inherit (blocking, close-on-exec until dup2'd to fd 0) and how its
// failures are named.

import { closeSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openListenSocket } from '../src/host/listen-socket.js';
import { freePort } from './support/ports.js';
import { tempDir } from './support/tmp.js';

/** The open flags of one of our descriptors, from /proc/self/fdinfo (octal). */
function flagsOf(fd: number): number {
  const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').find((l) => l.startsWith('flags:')) ?? '';
  return Number.parseInt(line.slice('flags:'.length).trim(), 8);
}
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

function opened(result: number | Error): number {
  if (result instanceof Error) throw result;
  onTestFinished(() => {
    closeSync(result);
  });
  return result;
}

async function connects(target: { path: string } | { port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const s = 'path' in target ? connect(target.path) : connect(target.port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      resolve(false);
    });
  });
}

describe('openListenSocket (native addon)', () => {
  it('tcp: a blocking, close-on-exec listening socket that libuv never accepts on', async () => {
    const port = await freePort();
    const fd = opened(openListenSocket({ host: '127.0.0.1', port, backlog: 8 }));
    expect(flagsOf(fd) & O_CLOEXEC).toBe(O_CLOEXEC);
    expect(flagsOf(fd) & O_NONBLOCK).toBe(0);
    expect(await connects({ port })).toBe(true);
    // SO_REUSEADDR, as supervisord: a second bind fails only because this one still listens.
    expect(openListenSocket({ host: '127.0.0.1', port, backlog: 8 })).toEqual(new Error('bind: EADDRINUSE (address already in use)'));
  });

  it('tcp: a host name that does not resolve is getaddrinfo\'s error', () => {
    const result = openListenSocket({ host: 'no-such-host.invalid', port: 9000, backlog: 8 });
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/^getaddrinfo: /u);
  });

  it('unix: a file already at the path is replaced; the socket gets its mode before anyone can connect', async () => {
    const dir = tempDir();
    const path = `${dir}/x.sock`;
    writeFileSync(path, 'stale');
    opened(openListenSocket({ path, backlog: 8, mode: 0o640 }));
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(await connects({ path })).toBe(true);
  });

  it('unix: failures name the step and the errno', () => {
    const dir = tempDir();
    expect(openListenSocket({ path: `${dir}/missing/x.sock`, backlog: 8 })).toEqual(new Error('bind: ENOENT (no such file or directory)'));
    expect(openListenSocket({ path: `${dir}/${'x'.repeat(120)}.sock`, backlog: 8 })).toEqual(new Error('bind: ENAMETOOLONG (name too long)'));
  });
});
