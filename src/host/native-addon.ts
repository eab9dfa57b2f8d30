// The optional native addon (src/host/native/host.c, built by scripts/build-native.mjs into
// build/native/): the system calls Node does not expose. Absent when the machine had no C
// compiler or Node headers at install time; callers then do without, and say so.

import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';

/** Node's name for an errno the addon answered with ('EMFILE'), or undefined for one it lacks. */
export function errnoName(errno: number): string | undefined {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return undefined;
  }
}

/** What listenSocket() answers: the descriptor, or why not (an errno, or getaddrinfo's error). */
export type ListenResult =
  | { readonly fd: number }
  | { readonly errno: number; readonly syscall: string }
  | { readonly gai: number; readonly message: string };

export type ListenSpec =
  | { readonly path: string; readonly backlog: number; readonly mode?: number; readonly uid?: number; readonly gid?: number }
  | { readonly host: string; readonly port: number; readonly backlog: number };

/** An open notify socket (closeNotifySocket's argument); opaque. */
export interface NotifySocketHandle {
  readonly __notifySocket: unique symbol;
}

/** A datagram on a notify socket: its bytes (a copy of our own), the sender's pid and uid. */
export type NotifyDatagram = (data: Buffer, pid: number, uid: number) => void;

export type NotifySocketResult =
  | { readonly handle: NotifySocketHandle }
  | { readonly errno: number; readonly syscall: string };

/** spawn()'s argument: argv includes argv[0], env is ["K=V", ...], file a path (no PATH search). */
export interface NativeSpawnSpec {
  readonly file: string;
  readonly argv: readonly string[];
  readonly env: readonly string[];
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly umask?: number;
  /** fd 0 of the child is this descriptor, not a pipe (then stdin is -1). */
  readonly stdinFd?: number;
  /** fd 2 of the child is its stdout pipe (then stderr is -1). */
  readonly redirectStderr?: boolean;
}

/** The daemon's ends of a spawned child's pipes (-1 where none), or why it could not start. */
export type NativeSpawnResult =
  | { readonly pid: number; readonly stdin: number; readonly stdout: number; readonly stderr: number }
  | { readonly errno: number; readonly syscall: string };

export interface NativeAddon {
  /** waitpid(pid, WNOHANG): { pid, status } once collected, null while it runs or if not ours,
   *  'busy' while a spawnAsync() child may be that pid and is not yet handed over. */
  readonly reap: (pid: number) => { readonly pid: number; readonly status: number } | null | 'busy';
  /** socket/bind/listen, blocking and close-on-exec, without libuv seeing the descriptor. */
  readonly listenSocket: (spec: ListenSpec) => ListenResult;
  /** A unix datagram socket bound at path (mode applied), read by a thread of its own, each
   *  datagram handed to onMessage on the main thread. Absent in a build older than ready=notify:
   *  optional, so such a build still reaps and makes fcgi sockets. */
  readonly openNotifySocket?: (path: string, mode: number, onMessage: NotifyDatagram) => NotifySocketResult;
  /** Stops the socket's thread and closes it (idempotent); the file stays. */
  readonly closeNotifySocket?: (handle: NotifySocketHandle) => void;
  /** One datagram to the notify socket at path ('@name' = abstract): 0, or the errno. Absent in
   *  builds older than it. */
  readonly notifySend?: (path: string, message: string) => number;
  /** A non-blocking TCP connect to an IP literal, closed at once: done(errno) in a later turn (0 =
   *  connected, ETIMEDOUT after timeoutMs). Returns the try's id (for tcpCancel), 0 when host is not
   *  an IP literal, or -errno when no socket could be made. Absent in builds older than it. */
  readonly tcpConnect?: (host: string, port: number, timeoutMs: number, done: (errno: number) => void) => number;
  /** Ends a try in flight without calling its done (idempotent). */
  readonly tcpCancel?: (id: number) => void;
  /** execv(file, args): replaces the process image (same pid); returns the errno only on failure.
   *  Absent in builds older than it. */
  readonly execv?: (file: string, args: readonly string[]) => number;
  /** clone(CLONE_VM|CLONE_VFORK) + execve on fresh pipes; its exit goes to onChildExit's callback.
   *  Absent in builds older than it. */
  readonly spawn?: (spec: NativeSpawnSpec) => NativeSpawnResult;
  /** spawn()'s work with the clone on a libuv pool thread: done(result) in a later turn (a malformed
   *  spec throws at once). Until done has run, reap() answers "busy" for the child. Absent in builds
   *  older than it. */
  readonly spawnAsync?: (spec: NativeSpawnSpec, done: (result: NativeSpawnResult) => void) => void;
  /** kill(pids[i], signos[i]) for each i, in order, on a spawn thread (a negative pid: a process
   *  group): done(errnos) in a later turn, 0 where sent. Absent in builds older than it. */
  readonly killAll?: (pids: readonly number[], signos: readonly number[], done: (errnos: readonly number[]) => void) => void;
  /** The one callback for every spawn()ed child, once collected: (pid, raw wait status, -1 if
   *  someone else collected it). Replaces an earlier one. */
  readonly onChildExit?: (callback: (pid: number, status: number) => void) => void;
  /** Whether spawn() works on this kernel (CLONE_PIDFD, pollable pidfds); tried with a real child. */
  readonly canSpawn?: () => boolean;
  /** An inotify watch on a folder for entries named in `names` ('/'-separated) coming and going,
   *  and the folder itself going: onChange() in the turn that reads it. Returns the watch's id
   *  (> 0) or -errno. Two watches on one folder are independent (each its names, callback, id).
   *  Absent in builds older than it. */
  readonly watchFolder?: (folder: string, names: string, onChange: () => void) => number;
  /** Ends a watch (idempotent). */
  readonly unwatchFolder?: (id: number) => void;
  /** fcntl(fd, F_SETPIPE_SZ, bytes): the pipe's capacity now, or -errno (EPERM past the user's
   *  pipe limits: the pipe keeps its size). Absent in builds older than it. */
  readonly setPipeSize?: (fd: number, bytes: number) => number;
  /** write(2)s of buffer[offset, offset + length) in pieces of at most `piece` bytes, on a libuv
   *  pool thread: done(errno, written) in a later turn; errno 0 once any byte was written (a
   *  partial write). Absent in builds older than it. */
  readonly writePieces?: (fd: number, buffer: Buffer, offset: number, length: number, piece: number,
    done: (errno: number, written: number) => void) => void;
}

// Same depth from src/host/ (tests) and dist/host/ (the built daemon) to the repository root.
const ADDON = new URL('../../build/native/host.node', import.meta.url);

let loaded: NativeAddon | { readonly missing: string } | undefined;

/** The addon (loaded once), or the reason it cannot be had. */
export function loadNativeAddon(): NativeAddon | { readonly missing: string } {
  loaded ??= load();
  return loaded;
}

function load(): NativeAddon | { readonly missing: string } {
  try {
    const addon = createRequire(import.meta.url)(ADDON.pathname) as Partial<Record<keyof NativeAddon, unknown>>;
    for (const name of ['reap', 'listenSocket'] as const) {
      if (typeof addon[name] !== 'function') return { missing: `${ADDON.pathname} has no ${name}() (an old build: run npm install)` };
    }
    return addon as NativeAddon;
  } catch (error) {
    return { missing: `${ADDON.pathname} could not be loaded (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; run npm install with gcc and libc6-dev present)` };
  }
}
