// The Spawner over the native addon's spawn() (host.c): clone(CLONE_VM|CLONE_VFORK) + execve on
// pipe2() pipes, each exit seen through the child's own pidfd. Against node:child_process, per
// child: no ChildProcess/ProcessWrap, no fork() of the daemon's memory, no waitpid over every
// child at each SIGCHLD, and at most one Socket per output pipe, made by its reader with the
// shared read buffer (OutputPipe), and stdin's Socket only at its first write (most never get one).
// Real pipes, so /dev/stdout is openable by path and redirect_stderr is a dup2, as supervisord's.

import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { execPlan } from '../process/exec-plan.js';
import { SpawnQueue } from '../process/spawn-queue.js';
import {
  closeAfterExit, closedStdin, queuedSpawner, setprivFor,
  type ChildExit, type ChildStdin, type OutputPipe, type SharedRead, type SpawnRequest, type SpawnSpec, type Spawner,
} from '../process/spawner.js';
import { errnoName, type NativeAddon, type NativeSpawnSpec } from './native-addon.js';
import { decodeWaitStatus, signalNameOf } from './native-reaper.js';
import { claimChild, releaseChild } from './node-children.js';

/** The addon's parts this needs. */
export type SpawnAddon = Required<Pick<NativeAddon, 'spawn' | 'onChildExit' | 'canSpawn'>>;

const ignore = (): void => undefined;

/** A child's stdout or stderr: the descriptor until its reader asks for the one Socket. */
class FdOutputPipe implements OutputPipe {
  private fd: number | null;
  reader: Socket | null = null;

  constructor(fd: number) {
    this.fd = fd;
  }

  read(onread: SharedRead): Socket {
    if (this.fd === null) throw new Error('output pipe already read or closed');
    // onread is a constructor option @types/node's SocketConstructorOpts lacks.
    const options = { fd: this.fd, readable: true, writable: false, onread };
    const reader = new Socket(options);
    this.fd = null;
    reader.on('error', ignore);
    this.reader = reader;
    return reader;
  }

  /** At exit, nobody reading: the descriptor goes now (a reader's Socket is closeAfterExit's). */
  closeUnread(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** A child's stdin: the descriptor, and a Socket only once something is written. */
class LazyStdin implements ChildStdin {
  private fd: number | null;
  private writer: Socket | null = null;

  constructor(fd: number) {
    this.fd = fd;
  }

  get destroyed(): boolean {
    return this.writer?.destroyed ?? this.fd === null;
  }

  get writable(): boolean {
    return this.writer?.writable ?? this.fd !== null;
  }

  write(chunk: Buffer | string): boolean {
    if (this.writer === null) {
      if (this.fd === null) return false;
      this.writer = new Socket({ fd: this.fd, readable: false, writable: true });
      this.fd = null;
      // EPIPE once the child closed its stdin: the write is lost, as supervisord's.
      this.writer.on('error', ignore);
    }
    return this.writer.write(chunk);
  }

  destroy(): void {
    this.writer?.destroy();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** A raw wait status as ChildProcess 'exit' gives it; -1 (collected elsewhere) as neither. */
export function childExitOf(status: number): ChildExit {
  if (status < 0) return { code: null, signal: null };
  const { code, signo } = decodeWaitStatus(status);
  return signo === null ? { code, signal: null } : { code: null, signal: signalNameOf(signo) ?? `SIG${signo}` };
}

/** The addon's spawn() argument for a spec: the exec plan (setpriv for user= as root), env pairs. */
function nativeSpec(spec: SpawnSpec): NativeSpawnSpec {
  const plan = execPlan(spec, { trampoline: false, setpriv: setprivFor(spec) });
  return {
    file: plan.file,
    argv: [plan.argv0, ...plan.args],
    env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    ...(spec.cwd === null ? {} : { cwd: spec.cwd }),
    ...(plan.uid === null ? {} : { uid: plan.uid }),
    ...(plan.gid === null ? {} : { gid: plan.gid }),
    ...(spec.umask === null ? {} : { umask: spec.umask }),
    ...(spec.stdinFd === undefined ? {} : { stdinFd: spec.stdinFd }),
    redirectStderr: spec.redirectStderr,
  };
}

/** Per addon, the children still running: pid -> what their exit does. One callback for all. */
const exitsOf = new WeakMap<SpawnAddon, Map<number, (status: number) => void>>();
function exitsFor(addon: SpawnAddon): Map<number, (status: number) => void> {
  let exits = exitsOf.get(addon);
  if (exits === undefined) {
    const map = new Map<number, (status: number) => void>();
    addon.onChildExit((pid, status) => {
      const exited = map.get(pid);
      map.delete(pid);
      releaseChild(pid);
      exited?.(status);
    });
    exitsOf.set(addon, map);
    exits = map;
  }
  return exits;
}

function startNative(addon: SpawnAddon, spec: SpawnSpec, settle: SpawnRequest['settle']): void {
  const started = addon.spawn(nativeSpec(spec));
  if ('errno' in started) {
    settle({ kind: 'failed', code: errnoName(started.errno) });
    return;
  }
  // Before any JavaScript runs: the PID 1 orphan reaper must leave this child to its pidfd watch.
  claimChild(started.pid);
  const stdout = new FdOutputPipe(started.stdout);
  const stderr = started.stderr < 0 ? null : new FdOutputPipe(started.stderr);
  const stdin: ChildStdin = started.stdin < 0 ? closedStdin() : new LazyStdin(started.stdin);
  const exited = new Promise<ChildExit>((resolve) => {
    exitsFor(addon).set(started.pid, (status) => {
      const readers: Readable[] = [];
      for (const pipe of [stdout, stderr]) {
        if (pipe === null) continue;
        pipe.closeUnread();
        if (pipe.reader !== null) readers.push(pipe.reader);
      }
      closeAfterExit(stdin, readers);
      resolve(childExitOf(status));
    });
  });
  settle({ kind: 'spawned', child: { pid: started.pid, stdout, stderr, stdin, exited } });
}

/** The addon's spawning parts, if it has them and they work on this kernel (probed once). */
export function spawnAddonOf(addon: NativeAddon | { readonly missing: string }): SpawnAddon | null {
  if ('missing' in addon) return null;
  const { spawn, onChildExit, canSpawn } = addon;
  if (spawn === undefined || onChildExit === undefined || canSpawn === undefined || !canSpawn()) return null;
  return { spawn, onChildExit, canSpawn };
}

/** The native spawner; spawns wait their turn in `queue` as the other's. */
export function createNativeSpawner(addon: SpawnAddon, queue: SpawnQueue = new SpawnQueue()): Spawner {
  return queuedSpawner((spec, settle) => {
    startNative(addon, spec, settle);
  }, queue);
}
