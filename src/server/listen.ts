// Puts the control server on its sockets, as supervisord's http.py does: a unix socket created
// with its mode (0700 unless configured) and owner from the start, a stale socket replaced, a live
// one refused; TCP listeners only on loopback unless credentials are configured.

import type { FastifyInstance } from 'fastify';
import { chmodSync, chownSync, lstatSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { isIP } from 'node:net';
import type { InetServerConfig, UnixServerConfig } from '../config/schema.js';

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** Is something answering HTTP on this unix socket? (supervisord connects and GETs /.) */
async function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: path, path: '/', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(true);
    });
    req.on('error', () => {
      resolve(false);
    });
    req.end();
  });
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** The refusal for a TCP listener that anyone on the network could drive without a password. */
export function checkInetSecurity(server: InetServerConfig): void {
  if (server.credentials !== null || isLoopback(server.host)) return;
  const where = server.host === '' ? `*:${server.port} (all interfaces)` : `${server.host}:${server.port}`;
  throw new ListenError(
    `[${server.section}] would listen on ${where} without a password: anyone who can reach it could stop, start or run your programs. `
    + `Add username= and password= to [${server.section}] (password may be {SHA} + the hex sha1 of it), or listen on 127.0.0.1.`,
  );
}

/** Binds `app` to a unix socket with supervisord's checks; returns a note for the log, if any. */
export async function listenUnix(app: FastifyInstance, server: UnixServerConfig, chownTo: { uid: number; gid: number } | null): Promise<string | null> {
  let note: string | null = null;
  let exists = false;
  try {
    lstatSync(server.file);
    exists = true;
  } catch {
    exists = false;
  }
  if (exists) {
    if (await socketAnswers(server.file)) {
      throw new ListenError(`Another program is already listening on ${server.file}, which [${server.section}] is configured to use.  Shut this program down first before starting tssupervisord.`);
    }
    rmSync(server.file, { force: true });
    note = `Unlinked stale socket ${server.file}`;
  }
  // Create the socket under a strict umask so it is never reachable with wider permissions, then
  // set the configured mode (supervisord binds a temp name, chmods and links it into place).
  const previous = process.umask(0o077);
  try {
    await app.listen({ path: server.file });
  } finally {
    process.umask(previous);
  }
  chmodSync(server.file, server.chmod);
  if (chownTo !== null) chownSync(server.file, chownTo.uid, chownTo.gid);
  return note;
}

export async function listenInet(app: FastifyInstance, server: InetServerConfig): Promise<void> {
  checkInetSecurity(server);
  await app.listen({ host: server.host === '' ? '0.0.0.0' : server.host, port: server.port });
}
