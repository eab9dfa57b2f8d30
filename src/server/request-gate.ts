// The control sockets listen before the HTTP app exists. The daemon binds them first, as
// supervisord opens its servers before any child starts (a program that asks the supervisor
// about itself at start must find the socket there), but it loads fastify and builds the app
// only once the first wave of autostart spawns is done, or sooner if someone connects: at 1000
// programs that load (~120 ms on the test machine, interpreted) delayed the first spawn by as much.
// A request that comes meanwhile waits here, parsed, and is handed to the app's own server when it
// comes, to be served as any other. Each socket's http.Server (gatedServer) has the app's limits,
// and lets a client half-close: its request is still answered, then the connection ends.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HTTP_LIMITS } from './http-limits.js';

/** Where the requests go: the app's own server (fastify's `app.server`), which routes them. */
export interface RequestTarget {
  emit(event: 'request', req: IncomingMessage, res: ServerResponse): boolean;
  emit(event: 'clientError', error: Error, socket: Duplex): boolean;
}

type Held = { readonly kind: 'request'; readonly req: IncomingMessage; readonly res: ServerResponse }
  | { readonly kind: 'clientError'; readonly error: Error; readonly socket: Duplex };

export class RequestGate {
  #target: RequestTarget | null = null;
  readonly #held: Held[] = [];
  #wanted: (() => void) | null;

  /**
   * `wanted`: called once, at the first request that has to wait. Someone wants the API now, so
   * the app is built now rather than after the spawns: a first wave that never ends (a crash loop
   * keeps its programs STARTING) must not keep the API away.
   */
  constructor(wanted: () => void = () => undefined) {
    this.#wanted = wanted;
  }

  /** Requests and client errors waiting for the app (each socket caps its connections). */
  get held(): number {
    return this.#held.length;
  }

  request(req: IncomingMessage, res: ServerResponse): void {
    this.#pass({ kind: 'request', req, res });
  }

  clientError(error: Error, socket: Duplex): void {
    this.#pass({ kind: 'clientError', error, socket });
  }

  /** From now on everything goes to `target`, what waited first, in the order it came. */
  open(target: RequestTarget): void {
    this.#target = target;
    for (const held of this.#held.splice(0)) hand(target, held);
  }

  /** The socket closes before the app came: what waits is cut off, unanswered. */
  drop(): void {
    for (const held of this.#held.splice(0)) (held.kind === 'request' ? held.req.socket : held.socket).destroy();
  }

  #pass(held: Held): void {
    if (this.#target !== null) {
      hand(this.#target, held);
      return;
    }
    this.#held.push(held);
    const wanted = this.#wanted;
    this.#wanted = null;
    wanted?.();
  }
}

function hand(target: RequestTarget, held: Held): void {
  if (held.kind === 'request') target.emit('request', held.req, held.res);
  else target.emit('clientError', held.error, held.socket);
}

/** An http.Server that serves through `gate`, with the app's timeouts and connection cap. */
export function gatedServer(gate: RequestGate): Server {
  const server = createServer();
  server.requestTimeout = HTTP_LIMITS.requestTimeoutMs;
  server.headersTimeout = HTTP_LIMITS.headersTimeoutMs;
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = HTTP_LIMITS.maxConnections;
  server.setTimeout(0);
  // A request whose client half-closed right after sending it (a waiting one too) is answered,
  // then the connection ends; without it Node aborts the request at the client's FIN. (Node's own
  // field, set in its Server constructor; @types/node does not list it.)
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('request', (req, res) => { gate.request(req, res); });
  server.on('clientError', (error, socket) => { gate.clientError(error, socket); });
  return server;
}
