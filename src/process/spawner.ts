// The one seam to the OS for children (the only importer of execa). Every child gets its own
// process group (supervisord's setpgrp), so signals aimed at the daemon's group never reach it
// and stopasgroup/killasgroup can signal -pid.

import { execa } from 'execa';
import { accessSync, constants, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { FileFacts } from './command.js';

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

// `sh -c 'exec "$@" 2>&1'` merges stderr into stdout at the fd level and then becomes the program
// (same pid), which Node's stdio options cannot express.
const REDIRECT_TRAMPOLINE = ['-c', 'exec "$@" 2>&1', 'tssupervisord-redirect'];

export const execaSpawner: Spawner = {
  spawn(spec) {
    const [file, args] = spec.redirectStderr
      ? ['/bin/sh', [...REDIRECT_TRAMPOLINE, spec.file, ...spec.argv.slice(1)]]
      : [spec.file, spec.argv.slice(1)];
    // The child inherits the umask at fork time, and execa forks synchronously, so setting it
    // around the call applies it to this child only (Node has no per-child umask option).
    const previousUmask = spec.umask === null ? null : process.umask(spec.umask);
    let child;
    try {
      child = execa(file, args, {
        argv0: spec.argv[0] ?? spec.file,
        env: spec.env,
        extendEnv: false,
        ...(spec.cwd === null ? {} : { cwd: spec.cwd }),
        ...(spec.uid === null ? {} : { uid: spec.uid }),
        ...(spec.gid === null ? {} : { gid: spec.gid }),
        detached: true,
        buffer: false,
        reject: false,
        cleanup: false,
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: spec.redirectStderr ? 'ignore' : 'pipe',
        encoding: 'buffer',
        stripFinalNewline: false,
      });
    } finally {
      if (previousUmask !== null) process.umask(previousUmask);
    }
    if (child.pid === undefined) throw new Error(`couldn't exec ${spec.file}: spawn failed`);
    // execa's own promise waits for the pipes too; swallow it and watch the process itself.
    child.catch(() => undefined);
    const exited = new Promise<ChildExit>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve({ code, signal });
      });
    });
    return { pid: child.pid, stdout: child.stdout, stderr: child.stderr, stdin: child.stdin, exited };
  },

  kill(pid, signal, group) {
    process.kill(group ? -pid : pid, `SIG${signal}` as NodeJS.Signals);
  },
};
