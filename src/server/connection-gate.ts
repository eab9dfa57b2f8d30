// The control sockets listen before the HTTP app exists. The daemon binds them first, as
// supervisord opens its servers before any child starts (a program that asks the supervisor
// about itself at start must find the socket there), but it loads fastify and builds the app
// only once the first wave of autostart spawns is done: at 1000 programs that load (~120 ms on
// the test machine, interpreted) delayed the first spawn by as much. A connection that comes
// meanwhile waits here, accepted and paused, its bytes (and a client's half-close) unread in the
// kernel; the app's own http.Server then takes it as if it had accepted it (emit 'connection'),
// so it is parsed, timed out and answered exactly as any other.

import { createServer, type Server, type Socket } from 'node:net';
import { HTTP_LIMITS } from './http-limits.js';

/** Where the connections go: the app's own http.Server (fastify's `app.server`). */
export interface ConnectionTarget {
  emit(event: 'connection', socket: Socket): boolean;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/** `socket` to `target`, which then reads it: accepted paused, it reads only once resumed. */
function hand(target: ConnectionTarget, socket: Socket): void {
  target.emit('connection', socket);
  socket.resume();
}

export class ConnectionGate {
  #target: ConnectionTarget | null = null;
  readonly #held = new Set<Socket>();

  /** Connections waiting for the app (each socket's server caps how many it accepts). */
  get held(): number {
    return this.#held.size;
  }

  connection(socket: Socket): void {
    if (this.#target !== null) {
      hand(this.#target, socket);
      return;
    }
    this.#held.add(socket);
    socket.once('close', () => this.#held.delete(socket));
  }

  /** From now on every connection goes to `target`, those that waited first, in the order they came. */
  open(target: ConnectionTarget): void {
    this.#target = target;
    const held = [...this.#held];
    this.#held.clear();
    for (const socket of held) if (!socket.destroyed) hand(target, socket);
  }

  /** Closes the connections that are idle (or still waiting: nothing was read from them). */
  closeIdle(): void {
    for (const socket of this.#held) socket.destroy();
    this.#target?.closeIdleConnections();
  }

  closeAll(): void {
    this.closeIdle();
    this.#target?.closeAllConnections();
  }
}

/** A listener whose connections go through `gate`, paused until taken, at most the app's cap at once. */
export function gatedServer(gate: ConnectionGate): Server {
  const server = createServer({ pauseOnConnect: true }, (socket) => { gate.connection(socket); });
  server.maxConnections = HTTP_LIMITS.maxConnections;
  return server;
}
