// The Spawner over the native addon's spawnAsync() (host.c): clone(CLONE_VM|CLONE_VFORK) + execve
// on pipe2() pipes, each exit seen through the child's own pidfd. The clone runs on one of the
// addon's spawn threads, so while the kernel makes one child (0.5-0.8 ms here, most of a spawn)
// the daemon's JavaScript sets up the last one, and CLONES_IN_FLIGHT clones overlap on the cores;
// pids and outcomes still come in the order the spawns were asked for. Against node:child_process, per
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
  closeAfterExit, closedStdin, queuedSpawner, setprivFor, settleGuarded,
  type ChildExit, type ChildStdin, type KillFailed, type OutputPipe, type SharedRead, type SpawnOutcome, type SpawnRequest, type SpawnSpec, type Spawner,
} from '../process/spawner.js';
import { errnoName, type NativeAddon, type NativeSpawnResult, type NativeSpawnSpec } from './native-addon.js';
import { decodeWaitStatus, signalNameOf, signalNumberOf } from './native-reaper.js';
import { claimChild, releaseChild } from './node-children.js';

/** The addon's parts this needs. */
export type SpawnAddon = Required<Pick<NativeAddon, 'spawn' | 'onChildExit' | 'canSpawn'>> & Pick<NativeAddon, 'spawnAsync' | 'killAll' | 'setPipeSize'>;

/**
 * Clones under way at once, one per spawn thread of the addon (SPAWN_THREADS in host.c): on two
 * cores, children exec while the main thread sets up the next ones. 1000 programs of the scale
 * bench, launch to all spawned: 1 at a time 1.68-1.73 s, 2: 1.53 s, 3: 1.43-1.52 s, 4: no better.
 */
export const CLONES_IN_FLIGHT = 3;

const ignore = (): void => undefined;

/** A child's stdout or stderr: the descriptor until its reader asks for the one Socket. */
class FdOutputPipe implements OutputPipe {
  private fd: number | null;
  /** The descriptor the reader's Socket owns: grown only while that Socket is open (never a reused number). */
  private readonly descriptor: number;
  private readonly resize: SpawnAddon['setPipeSize'];
  reader: Socket | null = null;

  constructor(fd: number, resize: SpawnAddon['setPipeSize']) {
    this.fd = fd;
    this.descriptor = fd;
    this.resize = resize;
  }

  grow(bytes: number): number | undefined {
    if (this.resize === undefined || this.reader === null || this.reader.destroyed) return undefined;
    const size = this.resize(this.descriptor, bytes);
    return size < 0 ? undefined : size;
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

/** What became of a spawn, and what to do once its outcome is settled (see adopt). */
interface Adopted {
  readonly outcome: SpawnOutcome;
  readonly settled: () => void;
}

const NOTHING_MORE = (): void => undefined;

/**
 * A spawn's result as the Spawner's outcome: the child claimed, its pipes wrapped, its exit
 * watched from now. An exit seen before `settled()` waits for it: the outcome's receiver attaches
 * its readers first, so what the child wrote before exiting is read, not closed unread.
 */
function adopt(addon: SpawnAddon, started: NativeSpawnResult): Adopted {
  if ('errno' in started) return { outcome: { kind: 'failed', code: errnoName(started.errno) }, settled: NOTHING_MORE };
  // Before any other JavaScript runs: the PID 1 orphan reaper must leave this child to its pidfd
  // watch (until now the addon kept reap() off it).
  claimChild(started.pid);
  const stdout = new FdOutputPipe(started.stdout, addon.setPipeSize);
  const stderr = started.stderr < 0 ? null : new FdOutputPipe(started.stderr, addon.setPipeSize);
  const stdin: ChildStdin = started.stdin < 0 ? closedStdin() : new LazyStdin(started.stdin);
  let resolveExit: (exit: ChildExit) => void = NOTHING_MORE;
  const exited = new Promise<ChildExit>((resolve) => {
    resolveExit = resolve;
  });
  const onExit = (status: number): void => {
    const readers: Readable[] = [];
    for (const pipe of [stdout, stderr]) {
      if (pipe === null) continue;
      pipe.closeUnread();
      if (pipe.reader !== null) readers.push(pipe.reader);
    }
    closeAfterExit(stdin, readers);
    resolveExit(childExitOf(status));
  };
  const exit: { settled: boolean; early: number | null } = { settled: false, early: null };
  exitsFor(addon).set(started.pid, (status) => {
    if (exit.settled) onExit(status);
    else exit.early = status;
  });
  return {
    outcome: { kind: 'spawned', child: { pid: started.pid, stdout, stderr, stdin, exited } },
    settled: () => {
      exit.settled = true;
      if (exit.early !== null) onExit(exit.early);
    },
  };
}

/** Settles an adopted spawn's outcome, then lets a held-back exit through (see adopt). */
function deliver(adopted: Adopted, settle: SpawnRequest['settle']): void {
  try {
    settle(adopted.outcome);
  } finally {
    adopted.settled();
  }
}

/**
 * At most `limit` asynchronous clones at once; the rest start, in order, as earlier ones finish.
 * Each outcome is delivered only once every earlier one has been, so `spawned:` lines and state
 * changes come in the order the spawns were asked for (the addon already hands out pids in it).
 */
class CloneGate {
  private running = 0;
  private refillPending = false;
  private readonly waiting: (() => void)[] = [];
  private readonly order: { deliver: (() => void) | null }[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** No clone under way and no outcome waiting: a spawn now needs no order kept with others. */
  get idle(): boolean {
    return this.running === 0 && this.order.length === 0;
  }

  run(start: (finished: (deliver: () => void) => void) => void): void {
    if (this.running >= this.limit) {
      this.waiting.push(() => {
        this.run(start);
      });
      return;
    }
    this.running++;
    const slot: { deliver: (() => void) | null } = { deliver: null };
    this.order.push(slot);
    start((deliver) => {
      this.running--;
      slot.deliver = deliver;
      this.refillSoon();
      for (let head = this.order[0]; head?.deliver; head = this.order[0]) {
        this.order.shift();
        head.deliver();
      }
    });
  }

  /**
   * Waiting clones start in the next turn of the event loop, not straight from a finished one's
   * callback: when the loop is slow (a crash loop of hundreds of programs, their children eating
   * both cores), so is spawning, and the daemon's main thread is not crowded out by its own spawn
   * threads (the soak's RPC latency p99: 93 ms when refilled at once).
   */
  private refillSoon(): void {
    if (this.refillPending || this.waiting.length === 0) return;
    this.refillPending = true;
    setImmediate(() => {
      this.refillPending = false;
      while (this.running < this.limit && this.waiting.length > 0) this.waiting.shift()?.();
    });
  }
}

/**
 * One spawn. A start someone asked for (autostart, `start all`) goes to a spawn thread when others
 * are queued behind it or under way, so they overlap. The rest stay on the main thread, as one
 * spawn at a time: a start alone, where a thread would only add two wake-ups across cores (~1.5 ms
 * on the test machine's VM), and restarts the daemon does on its own, which under a crash loop of
 * hundreds of programs would have the spawn threads and their children crowd out the main thread
 * (the soak's RPC latency p99: 66-93 ms threaded, 33-44 ms on the main thread).
 */
function startNative(addon: SpawnAddon, gate: CloneGate, request: SpawnRequest, settle: SpawnRequest['settle'], alone: boolean): void {
  const native = nativeSpec(request.spec);
  const { spawnAsync } = addon;
  if (spawnAsync === undefined || request.asked !== true || (alone && gate.idle)) {
    deliver(adopt(addon, addon.spawn(native)), settle);
    return;
  }
  gate.run((finished) => {
    // Held back by the gate, it may no longer be wanted (stopped meanwhile, or shutting down).
    if (!request.wanted()) {
      finished(() => {
        settle({ kind: 'cancelled' });
      });
      return;
    }
    try {
      spawnAsync(native, (started) => {
        // Adopted now, though the gate may hold its outcome back behind an earlier one's: from
        // the end of this callback the addon no longer keeps reap() off the pid, and its pidfd
        // watch may see it exit.
        let adopted: Adopted;
        try {
          adopted = adopt(addon, started);
        } catch (error) {
          adopted = { outcome: { kind: 'failed', code: (error as NodeJS.ErrnoException).code }, settled: NOTHING_MORE };
        }
        // What throws before the outcome is settled is this spawn's failure, as a synchronous
        // start's is in queuedSpawner.
        finished(() => {
          settleGuarded(settle, (once) => {
            deliver(adopted, once);
          });
        });
      });
    } catch (error) {
      // Not queued (a spec the addon refused): its slot is free again, and this start failed.
      // Settled through the gate, not thrown: a start it held back runs inside another's done.
      finished(() => {
        settle({ kind: 'failed', code: (error as NodeJS.ErrnoException).code });
      });
    }
  });
}

/**
 * A turn's kills, sent in one killAll once the turn's I/O callbacks have run (setImmediate): one
 * thread woken for `stop all`'s 1000 signals, not one per signal (each wake-up costs about what
 * the kill does).
 */
class KillBatch {
  private pids: number[] = [];
  private signos: number[] = [];
  private failures: KillFailed[] = [];
  private readonly killAll: NonNullable<SpawnAddon['killAll']>;

  constructor(killAll: NonNullable<SpawnAddon['killAll']>) {
    this.killAll = killAll;
  }

  add(target: number, signo: number, failed: KillFailed): void {
    if (this.pids.length === 0) setImmediate(() => { this.send(); });
    this.pids.push(target);
    this.signos.push(signo);
    this.failures.push(failed);
  }

  private send(): void {
    const { pids, signos, failures } = this;
    this.pids = [];
    this.signos = [];
    this.failures = [];
    this.killAll(pids, signos, (errnos) => {
      errnos.forEach((errno, i) => {
        if (errno === 0) return;
        const code = errnoName(errno);
        failures[i]?.(Object.assign(new Error(`kill ${code}`), { code, errno: -errno, syscall: 'kill' }));
      });
    });
  }
}

/** The addon's spawning parts, if it has them and they work on this kernel (probed once). */
export function spawnAddonOf(addon: NativeAddon | { readonly missing: string }): SpawnAddon | null {
  if ('missing' in addon) return null;
  const { spawn, spawnAsync, killAll, onChildExit, canSpawn, setPipeSize } = addon;
  if (spawn === undefined || onChildExit === undefined || canSpawn === undefined || !canSpawn()) return null;
  return {
    spawn, onChildExit, canSpawn,
    ...(spawnAsync === undefined ? {} : { spawnAsync }), ...(killAll === undefined ? {} : { killAll }), ...(setPipeSize === undefined ? {} : { setPipeSize }),
  };
}

/** The native spawner; spawns wait their turn in `queue` as the other's. */
export function createNativeSpawner(addon: SpawnAddon, queue: SpawnQueue = new SpawnQueue(), clonesInFlight = CLONES_IN_FLIGHT): Spawner {
  const gate = new CloneGate(clonesInFlight);
  const spawner = queuedSpawner((request, settle) => {
    startNative(addon, gate, request, settle, queue.pending === 0);
  }, queue);
  const { killAll } = addon;
  if (killAll === undefined) return spawner;
  const batch = new KillBatch(killAll);
  return {
    ...spawner,
    kill(pid, signal, group, failed) {
      const signo = signalNumberOf(signal);
      // Not a signal this system knows: refused now, by the same check process.kill makes.
      if (failed === undefined || signo === undefined) spawner.kill(pid, signal, group, failed);
      else batch.add(group ? -pid : pid, signo, failed);
    },
  };
}
