// tcp: probes connect through the native addon's bare non-blocking connect (host/tcp-connect.ts):
// it must say what Node's socket says (connected, or `connect ECONNREFUSED host:port`), settle
// once, stop on abort, and leave no descriptor behind. Real sockets on loopback.

import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../src/host/native-addon.js';
import { TIMED_OUT, tcpConnect } from '../src/host/tcp-connect.js';
import type { ProbeRun } from '../src/process/probe.js';
import { createCheck } from '../src/process/probes/index.js';
import { waitUntil } from './support/wait.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async (s) => new Promise((r) => { s.close(r); })));
});

async function listening(host = '127.0.0.1'): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    socket.on('error', () => undefined);
    socket.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => { server.listen(0, host, resolve); });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, accepted: () => accepted };
}

/** A port nothing listens on: one we had and closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const address = server.address();
  await new Promise((r) => { server.close(r); });
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const never = (): AbortSignal => new AbortController().signal;

describe('tcpConnect (tcp: probes)', () => {
  it('uses the native addon here (CI builds it): otherwise this file tests Node\'s socket only', () => {
    const addon = loadNativeAddon();
    expect('missing' in addon ? addon.missing : typeof addon.tcpConnect).toBe('function');
  });

  it('connects to a listener (IPv4, IPv6 and a host name), and the server sees it', async () => {
    const v4 = await listening();
    expect(await tcpConnect('127.0.0.1', v4.port, never())).toBeNull();
    await waitUntil(() => (v4.accepted() === 1 ? true : undefined), 5000, 'the server to accept');
    const v6 = await listening('::1');
    expect(await tcpConnect('::1', v6.port, never())).toBeNull();
    expect(await tcpConnect('localhost', v4.port, never())).toBeNull();
  });

  it('a refused connect says so in Node\'s words', async () => {
    const port = await closedPort();
    expect(await tcpConnect('127.0.0.1', port, never())).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(await tcpConnect('::1', port, never())).toBe(`connect ECONNREFUSED ::1:${port}`);
  });

  it('an abort settles the try as aborted at once, and no try leaves a descriptor open', async () => {
    const { port } = await listening();
    const before = openFds();
    const tries = Array.from({ length: 50 }, async (_, i) => {
      const controller = new AbortController();
      const outcome = tcpConnect('127.0.0.1', port, controller.signal);
      if (i % 2 === 0) controller.abort();
      return outcome;
    });
    const outcomes = await Promise.all(tries);
    expect(outcomes.filter((o) => o === 'aborted')).toHaveLength(25);
    expect(outcomes.filter((o) => o === null)).toHaveLength(25);
    await waitUntil(() => (openFds() <= before ? true : undefined), 5000, 'every socket closed');
    const closed = await closedPort();
    await Promise.all(Array.from({ length: 20 }, async () => tcpConnect('127.0.0.1', closed, never())));
    expect(openFds()).toBeLessThanOrEqual(before);
  });

  it('a listener that never accepts (its backlog full) times the try out: TIMED_OUT, and a check says so in its words', async () => {
    // Python, since Node's server accepts by itself: listen(0), never accept; the held connects fill it.
    const server = spawn('/usr/bin/python3', ['-c', [
      'import socket, sys, time', 's = socket.socket()', "s.bind(('127.0.0.1', 0))", 's.listen(0)',
      'print(s.getsockname()[1], flush=True)', 'sys.stdin.read()',
    ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const held: Socket[] = [];
    try {
      const port = Number(await new Promise<string>((resolve) => { server.stdout.once('data', (d: Buffer) => { resolve(d.toString()); }); }));
      for (let i = 0; i < 4; i++) held.push(connect(port, '127.0.0.1').on('error', () => undefined));
      // One is queued (backlog 0 holds one), the SYNs of the rest are dropped while it stays queued.
      await waitUntil(() => (held.some((h) => !h.connecting) ? true : undefined), 5000, 'the backlog to fill');
      const started = performance.now();
      expect(await tcpConnect('127.0.0.1', port, never(), 300)).toBe(TIMED_OUT);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      const check = createCheck({ kind: 'tcp', host: '127.0.0.1', port });
      expect(await check({} as ProbeRun, 300, never())).toEqual({ ok: false, reason: `tcp:127.0.0.1:${port} timed out after 0.3 s` });
    } finally {
      for (const h of held) h.destroy();
      server.kill();
    }
  });
});
