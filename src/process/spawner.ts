// The one seam to the OS for children. Every child gets its own process group (supervisord's
// setpgrp), so signals aimed at the daemon's group never reach it and stopasgroup/killasgroup
// can signal -pid.
//
// Why node:child_process and not execa: a supervisor keeps every child object alive for as long as
// the child runs. execa's per-child machinery (promises, stream wrappers, abort plumbing) cost
// ~30 KB of heap per child: with 1000 children 39 MB of heap against 9 MB, and an idle daemon then
// spent ~0.3 s of CPU in V8's idle-time GC. We need none of its features here (no buffering, no
// promise of the result), so the spawner uses child_process directly; execa runs our CLIs in tests.

import { spawn, type StdioOptions } from 'node:child_process';
import { accessSync, closeSync, constants, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { Writable, type Readable } from 'node:stream';
import type { FileFacts } from './command.js';
import { execPlan } from './exec-plan.js';
import type { FifoPool, PipeEnds } from './fifo-pool.js';
import { SpawnQueue } from './spawn-queue.js';

export interface SpawnSpec {
  readonly file: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | null;
  readonly uid: number | null;
  readonly gid: number | null;
  readonly umask: number | null;
  /** fd 2 of the child is its stdout pipe (2>&1 at the fd level, as supervisord's dup2). */
  readonly redirectStderr: boolean;
  /**
   * fd 0 of the child is this descriptor instead of a pipe (an fcgi-program's listening socket,
   * as supervisord's dup2(sock, 0)); ChildHandle.stdin is then a closed stream.
   */
  readonly stdinFd?: number;
}

export interface ChildExit {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  /** Node's signal name ('SIGTERM') when killed by a signal. */
  readonly signal: string | null;
}

/** net's `onread` option: reads land in `buffer`, and `callback` gets them (false pauses). */
export interface SharedRead {
  readonly buffer: Uint8Array;
  readonly callback: (bytes: number, buf: Uint8Array) => boolean | undefined;
}

/**
 * An output pipe nobody reads yet (the native spawner's): its reader makes its one Socket, with
 * the `onread` it wants, instead of a Socket being made at spawn and then re-homed.
 */
export interface OutputPipe {
  /** Starts reading (once); the Socket pauses, resumes and closes as any. */
  read(onread: SharedRead): Socket;
  /**
   * While it is being read: asks the kernel for a pipe of `bytes` capacity. Returns the capacity
   * now, or undefined when it was refused, the pipe is not being read, or pipes cannot be resized.
   */
  grow?(bytes: number): number | undefined;
}

/** What sendProcessStdin and an eventlistener's pool use of a child's stdin (a Writable is one). */
export interface ChildStdin {
  readonly destroyed: boolean;
  readonly writable: boolean;
  write(chunk: Buffer | string): unknown;
  destroy(): unknown;
}

export interface ChildHandle {
  readonly pid: number;
  readonly stdout: Readable | OutputPipe;
  /** null when stderr is redirected into stdout. */
  readonly stderr: Readable | OutputPipe | null;
  /** Closed (destroyed) when stdin is not ours (SpawnSpec.stdinFd): sendProcessStdin gets NO_FILE. */
  readonly stdin: ChildStdin;
  /** Resolves when the child itself exits (not when its pipes close: a grandchild may hold them). */
  readonly exited: Promise<ChildExit>;
}

export type SpawnOutcome =
  | { readonly kind: 'spawned'; readonly child: ChildHandle }
  /** The kernel refused: `code` is its errno name ('EMFILE'), undefined if Node gave none. */
  | { readonly kind: 'failed'; readonly code: string | undefined }
  /** `wanted()` said no when the spawn's turn came. */
  | { readonly kind: 'cancelled' };

export interface SpawnRequest {
  readonly spec: SpawnSpec;
  /** Asked when the spawn's turn comes; false drops it (the process was stopped while it waited). */
  readonly wanted: () => boolean;
  /** Called once, with what became of the request. */
  readonly settle: (outcome: SpawnOutcome) => void;
  /** A start someone asked for (autostart, ctl start), not a restart the daemon does on its own. */
  readonly asked?: boolean;
}

export interface Spawner {
  /** Starts the child in a later event-loop turn (see spawn-queue.ts) and settles the request. */
  spawn(request: SpawnRequest): void;
  /**
   * Sends `signal` ('TERM', no SIG prefix) to pid, or to its process group. Without `failed` a
   * failed kill(2) throws; with it, the failure goes there, ESRCH included, and may come later:
   * the native spawner then sends from a spawn thread (the stop path, where 1000 signals cost
   * ~55 ms of kernel time). A signal name unknown here throws at once either way.
   */
  kill(pid: number, signal: string, group: boolean, failed?: KillFailed): void;
}

export type KillFailed = (error: NodeJS.ErrnoException) => void;

/** stat() for command resolution, following symlinks like Python's os.stat. */
export function statForExec(file: string): FileFacts | undefined {
  try {
    const st = statSync(file);
    let executable = true;
    try {
      accessSync(file, constants.X_OK);
    } catch {
      executable = false;
    }
    return { isDirectory: st.isDirectory(), mode: st.mode, executable };
  } catch {
    return undefined;
  }
}

/** util-linux's setpriv, for user= with supplementary groups (see exec-plan.ts); looked up once. */
let setprivPath: string | null | undefined;
function setpriv(): string | null {
  setprivPath ??= ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => statForExec(f)?.executable === true) ?? null;
  return setprivPath;
}

/** setpriv's path when it must change the user: initgroups needs root, as supervisord's does; a
 *  non-root daemon only runs as itself. */
export function setprivFor(spec: SpawnSpec): string | null {
  return spec.uid === null || process.getuid?.() !== 0 ? null : setpriv();
}

/** Pipes for stdout and (unless redirected) stderr, all or nothing. */
function openPipes(pool: FifoPool | null, redirectStderr: boolean): { out: PipeEnds; err: PipeEnds | null } | null {
  const out = pool?.openPipe() ?? null;
  if (out === null || redirectStderr) return out === null ? null : { out, err: null };
  const err = pool?.openPipe() ?? null;
  if (err === null) {
    closeSync(out.readFd);
    closeSync(out.writeFd);
    return null;
  }
  return { out, err };
}

function pipeReader(fd: number): Socket {
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.on('error', () => undefined);
  return socket;
}

function closePipes(pipes: { out: PipeEnds; err: PipeEnds | null } | null, end: 'readFd' | 'writeFd'): void {
  if (pipes !== null) for (const ends of [pipes.out, pipes.err]) if (ends !== null) closeSync(ends[end]);
}

/**
 * How long a child's output pipes stay open after it exited. What it wrote before exiting is
 * already in the pipe and reaches EOF within a few loop turns; only a grandchild still holding
 * the pipe keeps it open past that. supervisord reads once and closes at exit (finish -> drain,
 * close_parent_pipes); we give a loaded loop one second to read a full pipe buffer, and then close,
 * so a crash loop whose children leave daemons behind cannot pile up descriptors.
 */
export const EXIT_DRAIN_GRACE_MS = 1000;

/** At exit: stdin closed now, the output pipes at EOF or after the grace, whichever comes first. */
export function closeAfterExit(stdin: ChildStdin, readers: readonly Readable[]): void {
  stdin.destroy();
  const open = new Set(readers.filter((r) => !r.closed));
  if (open.size === 0) return;
  const grace = setTimeout(() => {
    for (const reader of open) reader.destroy();
  }, EXIT_DRAIN_GRACE_MS);
  grace.unref();
  for (const reader of open) {
    reader.once('close', () => {
      open.delete(reader);
      if (open.size === 0) clearTimeout(grace);
    });
  }
}

/** The stdin of a child whose fd 0 is not a pipe of ours: closed, as supervisord closes its dispatcher. */
export function closedStdin(): Writable {
  const stdin = new Writable();
  stdin.destroy();
  return stdin;
}

/** fork + exec now (the queue decided it is this request's turn) and settle the request. */
function startChild(pool: FifoPool | null, spec: SpawnSpec, settle: SpawnRequest['settle']): void {
  const pipes = openPipes(pool, spec.redirectStderr);
  const trampoline = pipes === null && spec.redirectStderr;
  const plan = execPlan(spec, { trampoline, setpriv: setprivFor(spec) });
  // A descriptor as stdio[0] is dup2()ed to fd 0 in the child by libuv; the parent keeps its own.
  const fd0 = spec.stdinFd ?? 'pipe';
  const stdio: StdioOptions = pipes === null
    ? [fd0, 'pipe', spec.redirectStderr ? 'ignore' : 'pipe']
    : [fd0, pipes.out.writeFd, (pipes.err ?? pipes.out).writeFd];
  // The child inherits the umask at fork time, and spawn() forks synchronously, so setting it
  // around the call applies it to this child only (Node has no per-child umask option).
  const previousUmask = spec.umask === null ? null : process.umask(spec.umask);
  let child;
  try {
    child = spawn(plan.file, plan.args, {
      argv0: plan.argv0,
      env: spec.env,
      ...(spec.cwd === null ? {} : { cwd: spec.cwd }),
      ...(plan.uid === null ? {} : { uid: plan.uid }),
      ...(plan.gid === null ? {} : { gid: plan.gid }),
      detached: true,
      stdio,
    });
  } catch (error) {
    // Errors Node does not count as run-time ones (EINVAL, EPERM ...) are thrown.
    closePipes(pipes, 'readFd');
    settle({ kind: 'failed', code: (error as NodeJS.ErrnoException).code });
    return;
  } finally {
    if (previousUmask !== null) process.umask(previousUmask);
    // The child has its own copies; ours would keep the pipes from ever reaching EOF.
    closePipes(pipes, 'writeFd');
  }
  if (child.pid === undefined) {
    // EMFILE, ENFILE, EAGAIN, EACCES, ENOENT: Node reports them as 'error' on the next tick.
    closePipes(pipes, 'readFd');
    child.once('error', (error: NodeJS.ErrnoException) => {
      settle({ kind: 'failed', code: error.code });
    });
    return;
  }
  // Later errors (a kill of a reaped child) must not crash the daemon.
  child.on('error', () => undefined);
  const stdout = pipes === null ? child.stdout : pipeReader(pipes.out.readFd);
  const stderr = pipes === null ? child.stderr : pipes.err === null ? null : pipeReader(pipes.err.readFd);
  const stdin = spec.stdinFd === undefined ? child.stdin : closedStdin();
  if (stdout === null || stdin === null) throw new Error('spawned child has no pipes');
  // Nobody writes to stdin unless asked (sendProcessStdin); a closed stdin must not crash us.
  stdin.on('error', () => undefined);
  const exited = new Promise<ChildExit>((resolve) => {
    // 'exit', not 'close': a grandchild may keep the pipes open long after the child is gone.
    child.once('exit', (code, signal) => {
      closeAfterExit(stdin, stderr === null ? [stdout] : [stdout, stderr]);
      resolve({ code, signal });
    });
  });
  settle({ kind: 'spawned', child: { pid: child.pid, stdout, stderr, stdin, exited } });
}

/** Starts one child now and settles its request (it may settle later, but only once). */
export type StartChild = (request: SpawnRequest, settle: SpawnRequest['settle']) => void;

/**
 * Runs `attempt` with `settle`. Nothing thrown before the outcome is settled may escape into the
 * event loop (it would take the daemon down): it becomes a failed spawn of this one process.
 */
export function settleGuarded(settle: SpawnRequest['settle'], attempt: (settle: SpawnRequest['settle']) => void): void {
  const progress = { settled: false };
  const once = (outcome: SpawnOutcome): void => {
    progress.settled = true;
    settle(outcome);
  };
  try {
    attempt(once);
  } catch (error) {
    if (progress.settled) throw error;
    once({ kind: 'failed', code: (error as NodeJS.ErrnoException).code });
  }
}

/** A Spawner over `start`: spawns wait their turn in `queue`, and nothing `start` throws escapes. */
export function queuedSpawner(start: StartChild, queue: SpawnQueue): Spawner {
  return {
    spawn(request) {
      queue.push(() => {
        if (!request.wanted()) {
          request.settle({ kind: 'cancelled' });
          return;
        }
        settleGuarded(request.settle, (settle) => {
          start(request, settle);
        });
      });
    },

    kill(pid, signal, group, failed) {
      try {
        process.kill(group ? -pid : pid, `SIG${signal}` as NodeJS.Signals);
      } catch (error) {
        // kill(2)'s own failures (an ErrnoException from syscall 'kill'); a bad name still throws.
        if (failed === undefined || (error as NodeJS.ErrnoException).syscall !== 'kill') throw error;
        failed(error as NodeJS.ErrnoException);
      }
    },
  };
}

/**
 * The spawner over node:child_process. With a FifoPool, a child's stdout/stderr are real pipes, as
 * under supervisord (programs may open /dev/stdout by path) and redirect_stderr needs no shell;
 * without one, or when the pool is momentarily empty, Node's socket pairs. Spawns wait their turn
 * in `queue`.
 */
export function createSpawner(pool: FifoPool | null, queue: SpawnQueue = new SpawnQueue()): Spawner {
  return queuedSpawner((request, settle) => {
    startChild(pool, request.spec, settle);
  }, queue);
}

/** Socket-pair stdio: for tests and wherever no FifoPool is wanted. */
export const processSpawner: Spawner = createSpawner(null);
