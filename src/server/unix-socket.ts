// The control server's unix socket, as supervisord's http.py makes it and a little more: bound
// under a temporary name with a strict umask, given its mode (0700 unless chmod=) and owner, and
// only then hard-linked into place, so the configured path never exists with wider permissions,
// not even for an instant. A stale socket (nobody answers) is replaced; a live one, another
// daemon's, is never taken. And unlike a plain listen(), the socket comes back when its file is
// deleted (`rm`, a tmp cleaner): `restore()` rebinds it, and the daemon calls it on SIGHUP, on
// SIGUSR2, when a watch on the folder sees the name go, and from a periodic check
// (main/socket-keeper.ts).
//
// The fastify app is not listened on directly (fastify listens once per instance); each bound
// socket is a plain http.Server that hands its requests and client errors through a RequestGate
// to the app's own server (request-gate.ts: the app may come later), with the same timeouts and
// connection cap, so every socket generation is served by the same routes and hooks.

import { chmodSync, chownSync, linkSync, lstatSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { posix as path } from 'node:path';
import type { UnixServerConfig } from '../config/schema.js';
import { ListenError } from './listen.js';
import { gatedServer, type RequestGate } from './request-gate.js';

/** Is something answering HTTP on this unix socket? (supervisord connects and GETs /.) */
async function socketAnswers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: file, path: '/', method: 'GET', timeout: 2000 }, (res) => {
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

/**
 * Which file is at `file` (null: nothing). dev:ino alone is not enough: a socket bound right
 * after ours was deleted usually gets the same inode number, so the birth time is part of it (the
 * change time where the file system records no birth time).
 */
function identity(file: string): string | null {
  try {
    const st = lstatSync(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.birthtimeNs === 0n ? `c${st.ctimeNs}` : st.birthtimeNs}`;
  } catch {
    return null;
  }
}

function isSocket(file: string): boolean {
  try {
    return lstatSync(file).isSocket();
  } catch {
    return false;
  }
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'EIO';
}

/** supervisord's wording for a socket that cannot be made, plus what to do about it. */
function cannotOpen(server: UnixServerConfig, error: unknown): ListenError {
  const code = errnoOf(error);
  const folder = path.dirname(server.file);
  const why = code === 'ENOENT' ? `: the folder ${folder} (of [${server.section}] file=${server.file}) does not exist`
    : code === 'EACCES' ? `: no permission to create ${server.file} in ${folder}`
      : `: ${(error as Error).message}`;
  return new ListenError(`Cannot open an HTTP server: socket.error reported errno.${code}${why}`, { cause: error });
}

/**
 * Throws the refusal for a socket whose folder does not exist. Checked before binding because
 * libuv reports a bind in a missing folder as EACCES; exported for --check (main/refusals.ts).
 */
export function checkSocketFolder(server: UnixServerConfig): void {
  if (identity(path.dirname(server.file)) === null) throw cannotOpen(server, Object.assign(new Error('no such folder'), { code: 'ENOENT' }));
}

async function listenOn(server: Server, file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: file }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** How long close() lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 2000;

export class UnixSocket {
  private readonly gate: RequestGate;
  readonly config: UnixServerConfig;
  private readonly chownTo: { uid: number; gid: number } | null;
  private server: Server | null = null;
  /** identity() of the socket file we linked into place (so we never unlink someone else's). */
  private ours: string | null = null;
  private busy: Promise<string | null> | null = null;
  private closed = false;
  /** What the last restore() reported, so a lasting problem is logged once, not every check. */
  private lastProblem: string | null = null;

  private constructor(gate: RequestGate, config: UnixServerConfig, chownTo: { uid: number; gid: number } | null) {
    this.gate = gate;
    this.config = config;
    this.chownTo = chownTo;
  }

  /** Whether the last look found the socket in place (or put it back). */
  get inPlace(): boolean {
    return !this.closed && this.lastProblem === null;
  }

  /** Binds the socket; throws ListenError (another program has it, no such folder, ...). */
  static async open(gate: RequestGate, config: UnixServerConfig, chownTo: { uid: number; gid: number } | null): Promise<{ socket: UnixSocket; note: string | null }> {
    const socket = new UnixSocket(gate, config, chownTo);
    const note = await socket.bind('Shut this program down first before starting tssupervisord.');
    return { socket, note };
  }

  /** `whenTaken`: what to tell the operator if another program listens on the path. */
  private async bind(whenTaken: string): Promise<string | null> {
    const { file, section } = this.config;
    checkSocketFolder(this.config);
    let note: string | null = null;
    if (identity(file) !== null) {
      if (await socketAnswers(file)) {
        throw new ListenError(`Another program is already listening on ${file}, which [${section}] is configured to use.  ${whenTaken}`);
      }
      rmSync(file, { force: true });
      note = `Unlinked stale socket ${file}`;
    }
    // supervisord's temporary name: ours alone (by pid), in the same folder so link() works.
    const temp = `${file}.${process.pid}`;
    const server = gatedServer(this.gate);
    rmSync(temp, { force: true });
    // A strict umask while binding: the socket is born 0700, then given its configured mode and
    // owner while it is still only reachable under the temporary name.
    const previous = process.umask(0o077);
    try {
      await listenOn(server, temp);
    } catch (error) {
      throw cannotOpen(this.config, error);
    } finally {
      process.umask(previous);
    }
    try {
      chmodSync(temp, this.config.chmod);
      if (this.chownTo !== null) chownSync(temp, this.chownTo.uid, this.chownTo.gid);
      // link(), not rename(): it fails if something took the path meanwhile, instead of replacing it.
      linkSync(temp, file);
    } catch (error) {
      server.close();
      throw errnoOf(error) === 'EEXIST'
        ? new ListenError(`Another program took ${file} while [${section}] was binding it; not replacing it.`)
        : cannotOpen(this.config, error);
    } finally {
      // Node unlinks the name it bound (the temporary one) when the server closes; that name is
      // gone by then, so closing an old socket never removes the live one.
      rmSync(temp, { force: true });
    }
    this.ours = identity(file);
    const old = this.server;
    this.server = server;
    // The old listener is unreachable (its file is gone): stop it; its connections finish on their own.
    old?.close();
    return note;
  }

  /**
   * Rebinds the socket if its file is gone or is no longer ours; returns what to log (null: the
   * socket is in place, or the same problem as last time). `why` says who asked. Never throws.
   */
  async restore(why: string): Promise<string | null> {
    if (this.closed) return null;
    // One at a time: a signal and the periodic check may ask together.
    this.busy ??= this.restoreNow(why).finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private async restoreNow(why: string): Promise<string | null> {
    const now = identity(this.config.file);
    if (now !== null && now === this.ours) {
      this.lastProblem = null;
      return null;
    }
    try {
      // At start anything at the path is replaced when nobody answers on it (as supervisord); while
      // running, only a socket is: a file someone put there since is theirs.
      if (now !== null && !isSocket(this.config.file)) throw new ListenError(`${this.config.file} is now something other than a socket; not replacing it.`);
      const note = await this.bind('Not taking it; it is recreated once that program is gone.');
      this.lastProblem = null;
      return `recreated the control socket ${this.config.file} (${now === null ? 'it had been deleted' : 'it had been replaced'}; ${why})${note === null ? '' : `; ${note}`}`;
    } catch (error) {
      const problem = `cannot recreate the control socket ${this.config.file}: ${(error as Error).message}`;
      if (problem === this.lastProblem) return null;
      this.lastProblem = problem;
      return problem;
    }
  }

  /** Stops listening and removes the socket file, if it is still ours. */
  async close(): Promise<void> {
    this.closed = true;
    await this.busy;
    const server = this.server;
    if (server === null) return;
    if (identity(this.config.file) === this.ours) rmSync(this.config.file, { force: true });
    await new Promise<void>((resolve) => {
      const grace = setTimeout(() => {
        server.closeAllConnections();
      }, CLOSE_GRACE_MS);
      grace.unref();
      this.gate.drop();
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
      server.closeIdleConnections();
    });
  }
}
