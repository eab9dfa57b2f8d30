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
import type { Readable, Writable } from 'node:stream';
import type { FileFacts } from './command.js';
import { execPlan } from './exec-plan.js';
import type { FifoPool, PipeEnds } from './fifo-pool.js';

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
}

export interface ChildExit {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  /** Node's signal name ('SIGTERM') when killed by a signal. */
  readonly signal: string | null;
}

export interface ChildHandle {
  readonly pid: number;
  readonly stdout: Readable;
  /** null when stderr is redirected into stdout. */
  readonly stderr: Readable | null;
  readonly stdin: Writable;
  /** Resolves when the child itself exits (not when its pipes close: a grandchild may hold them). */
  readonly exited: Promise<ChildExit>;
}

export interface Spawner {
  /** Starts the child or throws an Error whose message is the spawnerr text. */
  spawn(spec: SpawnSpec): ChildHandle;
  /** Sends `signal` ('TERM', no SIG prefix) to pid, or to its process group. */
  kill(pid: number, signal: string, group: boolean): void;
}

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

/**
 * The spawner. With a FifoPool, a child's stdout/stderr are real pipes, as under supervisord
 * (programs may open /dev/stdout by path) and redirect_stderr needs no shell; without one, or when
 * the pool is momentarily empty, Node's socket pairs.
 */
export function createSpawner(pool: FifoPool | null): Spawner {
  return {
    spawn(spec) {
      const pipes = openPipes(pool, spec.redirectStderr);
      const trampoline = pipes === null && spec.redirectStderr;
      // setpriv's initgroups needs root, as supervisord's does; a non-root daemon only runs as itself.
      const plan = execPlan(spec, { trampoline, setpriv: spec.uid === null || process.getuid?.() !== 0 ? null : setpriv() });
      const stdio: StdioOptions = pipes === null
        ? ['pipe', 'pipe', spec.redirectStderr ? 'ignore' : 'pipe']
        : ['pipe', pipes.out.writeFd, (pipes.err ?? pipes.out).writeFd];
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
      } finally {
        if (previousUmask !== null) process.umask(previousUmask);
        // The child has its own copies; ours would keep the pipes from ever reaching EOF.
        if (pipes !== null) for (const ends of [pipes.out, pipes.err]) if (ends !== null) closeSync(ends.writeFd);
      }
      // Failures after fork (e.g. exec of a file that vanished) arrive as 'error' with no pid.
      child.on('error', () => undefined);
      if (child.pid === undefined) {
        if (pipes !== null) for (const ends of [pipes.out, pipes.err]) if (ends !== null) closeSync(ends.readFd);
        throw new Error(`couldn't exec ${spec.file}: spawn failed`);
      }
      const exited = new Promise<ChildExit>((resolve) => {
        // 'exit', not 'close': a grandchild may keep the pipes open long after the child is gone.
        child.once('exit', (code, signal) => {
          resolve({ code, signal });
        });
      });
      const stdout = pipes === null ? child.stdout : pipeReader(pipes.out.readFd);
      const stderr = pipes === null ? child.stderr : pipes.err === null ? null : pipeReader(pipes.err.readFd);
      const { stdin } = child;
      if (stdout === null || stdin === null) throw new Error('spawned child has no pipes');
      return { pid: child.pid, stdout, stderr, stdin, exited };
    },

    kill(pid, signal, group) {
      process.kill(group ? -pid : pid, `SIG${signal}` as NodeJS.Signals);
    },
  };
}

/** Socket-pair stdio: for tests and wherever no FifoPool is wanted. */
export const processSpawner: Spawner = createSpawner(null);
