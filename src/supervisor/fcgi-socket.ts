// The listening socket of one [fcgi-program:x] group, shared by its processes: supervisord's
// SocketManager (socket_manager.py). Each spawn takes a reference (the socket is created when the
// count leaves zero) and gives it back when that process has exited or its spawn failed; the last
// one closes it, and the next spawn creates it again. A unix socket's file stays where it is when
// closed, as supervisord's close() leaves it; the next creation unlinks it first. The I/O (the
// native listenSocket, close) comes in as `SocketOps`, so the counting is tested without sockets.

import type { GroupConfig } from '../config/schema.js';
import type { ListenSpec } from '../host/native-addon.js';
import type { RunnerLogLevel } from '../process/runner.js';
import { fcgiSocketSpec, type SocketOwnerFacts } from './fcgi-socket-spec.js';

/** What a runner of an fcgi group holds (RunnerDeps.fcgiSocket). */
export interface FcgiSocketSource {
  /** A reference to the socket (fd), created now if nobody holds one, or why it cannot be made. */
  acquire(): number | Error;
  /** Gives back one reference; the last one closes the socket. */
  release(): void;
}

export interface SocketOps {
  /** Creates, binds and listens: the descriptor, or the reason (its message is the whole reason). */
  readonly open: () => number | Error;
  readonly close: (fd: number) => void;
}

export class FcgiSocket implements FcgiSocketSource {
  /** As supervisord logs it: `unix:///path` or `tcp://host:port`. */
  readonly url: string;
  private readonly ops: SocketOps;
  private readonly log: (level: RunnerLogLevel, message: string) => void;
  private fd: number | null = null;
  private refs = 0;

  constructor(url: string, ops: SocketOps, log: (level: RunnerLogLevel, message: string) => void) {
    this.url = url;
    this.ops = ops;
    this.log = log;
  }

  get refCount(): number {
    return this.refs;
  }

  acquire(): number | Error {
    if (this.fd === null) {
      this.log('info', `Creating socket ${this.url}`);
      const opened = this.ops.open();
      if (opened instanceof Error) return new Error(`Could not create FastCGI socket ${this.url}: ${opened.message}`, { cause: opened });
      this.fd = opened;
    }
    this.refs += 1;
    return this.fd;
  }

  release(): void {
    // supervisord raises here; a daemon must not: one release too many is a bug to log, not a crash.
    if (this.refs <= 0 || this.fd === null) {
      this.log('error', `socket ${this.url} released more often than acquired (ignored)`);
      return;
    }
    this.refs -= 1;
    if (this.refs > 0) return;
    this.log('info', `Closing socket ${this.url}`);
    const { fd } = this;
    this.fd = null;
    try {
      this.ops.close(fd);
    } catch (error) {
      this.log('error', `closing socket ${this.url} failed: ${(error as Error).message}`);
    }
  }

  /**
   * supervisord's FastCGIProcessGroup creates the socket once when the group is made, to fail
   * early, and drops it at once (`Creating socket`, `Closing socket`). The error, if any.
   */
  probe(): Error | null {
    const got = this.acquire();
    if (got instanceof Error) return got;
    this.release();
    return null;
  }
}

/** The socket of an fcgi group (null for any other group), made with `listen` and closed with `close`. */
export function fcgiSocketOf(
  group: GroupConfig, facts: SocketOwnerFacts, io: { readonly listen: (spec: ListenSpec) => number | Error; readonly close: (fd: number) => void },
  log: (level: RunnerLogLevel, message: string) => void,
): FcgiSocket | null {
  if (group.fcgi === null) return null;
  // Every process of the group has the same user= (one section).
  const spec = fcgiSocketSpec(group.fcgi, group.processes[0]?.uid ?? null, facts);
  const { listen } = spec;
  return new FcgiSocket(spec.url, { open: () => (listen instanceof Error ? listen : io.listen(listen)), close: io.close }, log);
}
