// The gate between the control sockets, bound before any child starts, and the HTTP app, built
// after the first spawns: over a real unix socket, a request that comes before the app waits (its
// client's half-close too) and is answered once the app takes it; later ones go straight in.

import { createServer as createHttpServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { gatedServer, RequestGate } from './request-gate.js';

const REQUEST = 'POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello';

async function listening(server: Server): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tss-gate-'));
  const path = join(dir, 's.sock');
  await new Promise<void>((resolve) => { server.listen(path, resolve); });
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return path;
}

/** Sends REQUEST and half-closes at once, as some HTTP clients do; resolves with all it got back. */
function ask(path: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(path, () => {
      socket.end(REQUEST);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
    socket.on('close', () => { resolve(text); });
    socket.on('error', reject);
  });
}

/** The app: answers with the body it read. */
const app = (): Server => createHttpServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
  req.on('end', () => { res.end(`got ${body}`); });
});

describe('RequestGate', () => {
  it('holds a request until the app comes, then the app answers it; later ones go straight in', async () => {
    let wanted = 0;
    const gate = new RequestGate(() => { wanted++; });
    const path = await listening(gatedServer(gate));
    const early = ask(path);
    const second = ask(path);
    await expect.poll(() => gate.held).toBe(2);
    // Told once, at the first request that waits: someone wants the app now.
    expect(wanted).toBe(1);
    // Nothing answers while there is no app.
    expect(await Promise.race([early, new Promise((resolve) => { setTimeout(() => { resolve('still waiting'); }, 200); })])).toBe('still waiting');
    const target = app();
    gate.open(target);
    expect(gate.held).toBe(0);
    expect(await early).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ngot hello$/u);
    expect(await second).toMatch(/got hello$/u);
    expect(await ask(path)).toMatch(/got hello$/u);
    expect(wanted).toBe(1);
  });

  it('cuts off what waits when its socket closes before the app came', async () => {
    const gate = new RequestGate();
    const path = await listening(gatedServer(gate));
    const early = ask(path).catch((error: unknown) => (error as NodeJS.ErrnoException).code ?? 'error');
    await expect.poll(() => gate.held).toBe(1);
    gate.drop();
    expect(gate.held).toBe(0);
    // No answer: an end or a reset.
    expect(await early).toMatch(/^(?:|ECONNRESET)$/u);
  });
});
