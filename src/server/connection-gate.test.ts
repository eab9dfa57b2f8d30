// The gate between the control sockets, bound before any child starts, and the HTTP app, built
// after the first spawns: over a real unix socket, a connection that comes before the app waits
// unread (its half-close too) and is answered once the app takes it; later ones go straight in.

import { createServer as createHttpServer } from 'node:http';
import { connect, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConnectionGate, gatedServer } from './connection-gate.js';

const REQUEST = 'POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello';

async function listening(server: Server): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tss-gate-'));
  const path = join(dir, 's.sock');
  await new Promise<void>((resolve) => { server.listen(path, resolve); });
  onTestFinished(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return path;
}

/** Sends REQUEST and half-closes at once, as some HTTP clients do; resolves with all it got back. */
function ask(path: string): { answer: Promise<string>; connected: Promise<void> } {
  let connected = (): void => undefined;
  const whenConnected = new Promise<void>((resolve) => { connected = resolve; });
  const answer = new Promise<string>((resolve, reject) => {
    const socket = connect(path, () => {
      socket.end(REQUEST);
      connected();
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
    socket.on('close', () => { resolve(text); });
    socket.on('error', reject);
  });
  return { answer, connected: whenConnected };
}

const app = () => createHttpServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
  req.on('end', () => { res.end(`got ${body}`); });
});

describe('ConnectionGate', () => {
  it('holds a connection unread until the app comes, then the app answers it; later ones go straight in', async () => {
    const gate = new ConnectionGate();
    const path = await listening(gatedServer(gate));
    const early = ask(path);
    await early.connected;
    await expect.poll(() => gate.held).toBe(1);
    // Nothing answers while there is no app, however long it takes to come.
    const pending = await Promise.race([early.answer, new Promise((resolve) => { setTimeout(() => { resolve('still waiting'); }, 200); })]);
    expect(pending).toBe('still waiting');
    const target = app();
    gate.open(target);
    expect(gate.held).toBe(0);
    expect(await early.answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ngot hello$/u);
    expect(await ask(path).answer).toMatch(/got hello$/u);
    target.close();
  });

  it('closes a waiting connection when the socket closes before the app came', async () => {
    const gate = new ConnectionGate();
    const path = await listening(gatedServer(gate));
    const early = ask(path);
    await expect.poll(() => gate.held).toBe(1);
    gate.closeIdle();
    // Cut with its request unread: a reset, or an end, and no answer either way.
    expect(await early.answer.catch((error: unknown) => (error as NodeJS.ErrnoException).code)).toMatch(/^(?:|ECONNRESET)$/u);
    await expect.poll(() => gate.held).toBe(0);
  });
});
