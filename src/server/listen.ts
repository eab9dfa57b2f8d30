// Puts the control server on TCP, as supervisord's http.py does, but only on loopback unless
// credentials are configured. (The unix socket has its own module, unix-socket.ts.)

import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import type { InetServerConfig } from '../config/schema.js';

export class ListenError extends Error {
  override readonly name = 'ListenError';
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

export async function listenInet(app: FastifyInstance, server: InetServerConfig): Promise<void> {
  checkInetSecurity(server);
  await app.listen({ host: server.host === '' ? '0.0.0.0' : server.host, port: server.port });
}
