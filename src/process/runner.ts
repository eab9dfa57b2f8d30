// One process's life: owns its snapshot, feeds spawner/clock events to the pure machine and
// performs the effects it returns (spawn, signal, timer, log, state change).

import type { ProcessConfig } from '../config/schema.js';
import { shlexSplit } from '../config/shlex.js';
import type { Clock, Cancel } from './clock.js';
import { resolveCommand, type CommandResolution, type FileFacts } from './command.js';
import {
  transition, initialSnapshot, type Effect, type ProcessEvent, type ProcessSnapshot, type RestartCause, type RunEnd,
} from './machine.js';
import { hintOnce } from './package-hints.js';
import { spawnErrorMessage } from './spawn-errors.js';
import type { ChildHandle, SpawnOutcome, Spawner } from './spawner.js';
import type { Probe, ProbeFactory, ProbeRun } from './probe.js';
import type { RunWatch } from './run-watch.js';
import type { ProcessState } from './state.js';

const STOP_REPORT_MS = 2000;

export type RunnerLogLevel = 'critical' | 'error' | 'warn' | 'info' | 'debug' | 'blather';

export interface StateChange {
  readonly process: ProcessConfig;
  readonly from: ProcessState;
  readonly to: ProcessState;
  readonly expected?: boolean;
  /** The pid and backoff count at the change (PROCESS_STATE_* payloads carry them). */
  readonly pid: number;
  readonly tries: number;
  readonly snapshot: ProcessSnapshot;
}

/** Where a child's output goes (rotating files, or nothing); provided by logging/. */
export interface ChildOutput {
  /** `stdoutProtocol`: an eventlistener's stdout is read as the protocol (logged, never an event). */
  attach(child: ChildHandle, stdoutProtocol?: (chunk: Buffer) => void): void;
  /** Every chunk of the current run's stdout and stderr, as read (for log: probes). */
  watch?(fn: (chunk: Buffer, channel: 'stdout' | 'stderr') => void): () => void;
  /** The current (or last) run's last lines of output, null before the first spawn (crash history). */
  lastRun?(): RunLines | null;
}

/** One run's last lines per channel (logging/output-tail.ts RunOutput). */
export interface RunLines {
  lines(channel: 'stdout' | 'stderr'): string[];
  /** fn once the run's pipes are closed (at once if they are): its lines are then final. */
  whenClosed(fn: () => void): void;
}

export interface RunnerDeps {
  readonly spawner: Spawner;
  readonly clock: Clock;
  readonly stat: (file: string) => FileFacts | undefined;
  readonly log: (level: RunnerLogLevel, message: string) => void;
  readonly onStateChange: (change: StateChange) => void;
  /**
   * The daemon's environment plus SUPERVISOR_* for this process (see supervisor/), made when asked:
   * at each spawn, then let go. Held per process it would cost ~2 KB each while nothing reads it.
   */
  readonly environment: () => Readonly<Record<string, string>>;
  readonly output: ChildOutput;
  /** supervisord's mood <= RESTARTING: no automatic (re)spawns. */
  readonly shuttingDown: () => boolean;
  /** Resolves a user name to uid/gid, for `user=`; undefined if unknown. */
  readonly isRoot: boolean;
  readonly gidOf: (uid: number) => number | undefined;
  /** An eventlistener's: where the child's stdout goes as protocol (called at each spawn). */
  readonly attachProtocol?: (child: ChildHandle) => (chunk: Buffer) => void;
  /** Makes the ready= probe of a program that has one (see probe.ts). */
  readonly probes?: ProbeFactory;
  /** Commands whose package hint was already logged (default: one set for the whole daemon). */
  readonly hintedCommands?: Set<string>;
  /** An fcgi-program's shared listening socket: fd 0 of each child, one reference per spawn. */
  readonly fcgiSocket?: { acquire(): number | Error; release(): void };
  /** What watches each run while it is up (healthcheck=, max_memory): see run-watch.ts. */
  readonly watches?: readonly RunWatch[];
  /** A run ended (crash history keeps it). Called before the state changes the end causes are told. */
  readonly onEnded?: (end: RunEnd) => void;
  /** The process went FATAL: log its last lines of output (right after the `gave up:` line). */
  readonly logLastOutput?: () => void;
}

/** A watch that is running, and for which pid (a new run restarts it). */
interface ActiveWatch {
  readonly pid: number;
  readonly stop: () => void;
}

export class ProcessRunner {
  readonly config: ProcessConfig;
  private current: ProcessSnapshot = initialSnapshot();
  private readonly deps: RunnerDeps;
  private readonly queue: ProcessEvent[] = [];
  private draining = false;
  private cancelTimer: Cancel | null = null;
  private cancelStopReport: Cancel | null = null;
  private child: ChildHandle | null = null;
  /** A package hint for a missing command, logged once the spawn failure is. */
  private pendingHint: string | undefined;
  /** The fcgi socket's descriptor while this process holds a reference to it. */
  private socketFd: number | null = null;
  /** The ready= probe (null without one) and the stop function of its current run. */
  private readonly probe: Probe | null;
  private stopProbe: (() => void) | null = null;
  /** The current run as probes and watches see it (set at spawn, kept until the next); null
   *  for a process with neither, which then keeps no environment between spawns. */
  private run: ProbeRun | null = null;
  /** Made at the first watch: most processes have none, and an empty Map is ~300 B. */
  private activeWatches: Map<RunWatch, ActiveWatch> | null = null;

  constructor(config: ProcessConfig, deps: RunnerDeps) {
    this.config = config;
    this.deps = deps;
    this.probe = config.ready === null || deps.probes === undefined ? null : deps.probes(config.ready, { name: config.name, group: config.group });
  }

  /** What ready= checks, for status (`not ready yet: tcp:127.0.0.1:6380`); null without one. */
  get readyProbe(): string | null {
    return this.probe?.description ?? null;
  }

  /** What watches this process's runs (process-info asks a health check how it is doing). */
  get watches(): readonly RunWatch[] {
    return this.deps.watches ?? [];
  }

  /** The group is gone or the daemon exits: the probe's resources (a notify socket) go too. */
  close(): void {
    this.stopProbe?.();
    this.stopProbe = null;
    this.probe?.close();
    for (const active of this.activeWatches?.values() ?? []) active.stop();
    this.activeWatches = null;
  }

  get snapshot(): ProcessSnapshot {
    return this.current;
  }

  /** The running child's stdin, for sendProcessStdin. */
  get stdin(): ChildHandle['stdin'] | null {
    return this.child?.stdin ?? null;
  }

  start(): void {
    this.dispatch({ type: 'start', now: this.deps.clock.now() });
  }

  stop(): void {
    this.dispatch({ type: 'stop', now: this.deps.clock.now() });
  }

  /** Stop the run and start it again (a health check, max_memory); `message` goes to the main log. */
  restart(cause: RestartCause, message: string): void {
    this.dispatch({ type: 'restart', now: this.deps.clock.now(), cause, message });
  }

  /** Shutdown path for BACKOFF processes (supervisord's stop_all -> give_up). */
  giveUp(): void {
    this.dispatch({ type: 'giveUp', now: this.deps.clock.now() });
  }

  /** The file and argv `command=` resolves to now, or supervisord's spawn error for it (the
   *  program's own PATH first, as supervisord's get_execv_args). */
  resolveCommand(): CommandResolution {
    return this.resolveIn(this.deps.environment());
  }

  /** `env` is the child's: its PATH is the program's own if it has one, else the daemon's. */
  private resolveIn(env: Readonly<Record<string, string>>): CommandResolution {
    return resolveCommand(this.config.command, env['PATH'], this.deps.stat);
  }

  /** Sends a signal to the running child (supervisorctl signal), never to its group. */
  signal(signal: string): void {
    if (this.current.pid === 0) return;
    this.deps.spawner.kill(this.current.pid, signal, false);
  }

  /** Events raised while effects run are queued, so transitions never nest. */
  private dispatch(event: ProcessEvent): void {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        const result = transition(this.current, next, this.config);
        this.current = result.snapshot;
        // State changes are told only once the transition's effects are done: a subscriber that
        // throws (or waits on us) can then never leave a process STARTING with nothing spawned.
        const changes: StateChange[] = [];
        for (const effect of result.effects) {
          if (effect.type === 'stateChanged') changes.push(this.stateChange(effect));
          else this.perform(effect, next.type === 'start');
        }
        // A probe runs only while its run is STARTING: RUNNING, a stop or an exit end it.
        if (this.stopProbe !== null && this.current.state !== 'STARTING') {
          this.stopProbe();
          this.stopProbe = null;
        }
        this.syncWatches();
        for (const change of changes) this.deps.onStateChange(change);
        // As FastCGISubprocess: the socket reference goes once the exit (or failed spawn) is handled.
        if (next.type === 'exited' || next.type === 'spawnFailed' || next.type === 'spawnCancelled') this.releaseSocket();
        if (next.type === 'spawnFailed' && this.pendingHint !== undefined) {
          this.deps.log('info', this.pendingHint);
          this.pendingHint = undefined;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** `asked`: the transition answers a start (see SpawnRequest.asked). */
  private perform(effect: Effect, asked: boolean): void {
    switch (effect.type) {
      case 'spawn':
        this.spawn(asked);
        break;
      case 'signal':
        this.kill(effect.signal, effect.group);
        break;
      case 'setTimer':
        this.cancelTimer?.();
        this.cancelTimer = this.deps.clock.setTimer(effect.at, () => {
          this.cancelTimer = null;
          this.dispatch({ type: 'tick', now: this.deps.clock.now(), shuttingDown: this.deps.shuttingDown() });
        });
        break;
      case 'log':
        this.deps.log(effect.level, effect.message);
        break;
      case 'stateChanged':
        this.deps.onStateChange(this.stateChange(effect));
        break;
      case 'ended':
        this.deps.onEnded?.(effect.end);
        break;
      case 'logLastOutput':
        this.deps.logLastOutput?.();
        break;
    }
  }

  /** Each watch runs exactly during its phase of the current run (see run-watch.ts). */
  private syncWatches(): void {
    const watches = this.deps.watches;
    if (watches === undefined || watches.length === 0) return;
    const { state, pid } = this.current;
    const run = this.run;
    const activeWatches = (this.activeWatches ??= new Map<RunWatch, ActiveWatch>());
    for (const watch of watches) {
      const wanted = run !== null && pid !== 0 && run.pid === pid
        && (watch.during === 'running' ? state === 'RUNNING' : state === 'STARTING' || state === 'RUNNING');
      const active = activeWatches.get(watch);
      if (active !== undefined && (!wanted || active.pid !== pid)) {
        activeWatches.delete(watch);
        active.stop();
      }
      if (wanted && !activeWatches.has(watch)) {
        const stop = watch.start(run, (cause, message) => {
          // A late request (the run it watched is over) is dropped here; the machine ignores the rest.
          if (this.current.pid === run.pid) this.restart(cause, message);
        });
        activeWatches.set(watch, { pid, stop });
      }
    }
  }

  private stateChange(effect: Extract<Effect, { type: 'stateChanged' }>): StateChange {
    return {
      process: this.config, from: effect.from, to: effect.to, snapshot: this.current, pid: effect.pid, tries: effect.tries,
      ...(effect.expected === undefined ? {} : { expected: effect.expected }),
    };
  }

  /**
   * supervisord's stop_report: `waiting for x to stop` now, then every 2 s while STOPPING. Only a
   * `stop` request that waits for the stop says it (rpcinterface's stopProcess); a shutdown has
   * its own report (`waiting for a, b to die`), a restart by a watch none.
   */
  reportStopping(): void {
    this.cancelStopReport?.();
    const report = (): void => {
      this.cancelStopReport = null;
      if (this.current.state !== 'STOPPING') return;
      this.deps.log('info', `waiting for ${this.config.name} to stop`);
      this.cancelStopReport = this.deps.clock.setTimer(this.deps.clock.now() + STOP_REPORT_MS, report);
    };
    report();
  }

  private releaseSocket(): void {
    if (this.socketFd === null) return;
    this.socketFd = null;
    this.deps.fcgiSocket?.release();
  }

  private spawn(asked: boolean): void {
    const now = (): number => this.deps.clock.now();
    const { config, deps } = this;
    // FastCGISubprocess.before_spawn: the socket first (created if nobody holds it), then the rest.
    const socket = deps.fcgiSocket?.acquire();
    if (socket instanceof Error) {
      this.dispatch({ type: 'spawnFailed', now: now(), message: socket.message });
      return;
    }
    if (socket !== undefined) this.socketFd = socket;
    const base = deps.environment();
    const resolved = this.resolveIn(base);
    if (!resolved.ok) {
      // Logged right after the `spawnerr:` line of this spawnFailed.
      const program = resolved.kind === 'NO_FILE' ? shlexSplit(config.command)[0] : undefined;
      this.pendingHint = program === undefined ? undefined : hintOnce(program, deps.hintedCommands);
      this.dispatch({ type: 'spawnFailed', now: now(), message: resolved.message });
      return;
    }
    if (config.uid !== null && !deps.isRoot && config.uid !== process.getuid?.()) {
      this.dispatch({ type: 'spawnFailed', now: now(), message: `couldn't setuid to ${config.uid}: Can't drop privilege as nonroot user` });
      return;
    }
    if (config.directory !== null && deps.stat(config.directory)?.isDirectory !== true) {
      const errno = deps.stat(config.directory) === undefined ? 'ENOENT' : 'ENOTDIR';
      this.dispatch({ type: 'spawnFailed', now: now(), message: `couldn't chdir to ${config.directory}: ${errno}` });
      return;
    }
    const env = this.probe === null ? base : { ...base, ...this.probe.environment() };
    deps.spawner.spawn({
      spec: {
        file: resolved.file, argv: resolved.argv, env, cwd: config.directory,
        uid: config.uid, gid: config.uid === null ? null : deps.gidOf(config.uid) ?? null,
        umask: config.umask, redirectStderr: config.redirectStderr,
        ...(this.socketFd === null ? {} : { stdinFd: this.socketFd }),
      },
      // Nothing to start if it was stopped while the spawn waited for its turn (STOPPING, no
      // pid), or if the daemon began shutting down (its group would be stopped right after).
      wanted: () => this.current.state === 'STARTING' && !this.deps.shuttingDown(),
      asked,
      settle: (outcome) => {
        this.settleSpawn(outcome, resolved.file, env);
      },
    });
  }

  private settleSpawn(outcome: SpawnOutcome, file: string, env: Readonly<Record<string, string>>): void {
    const now = this.deps.clock.now();
    if (outcome.kind === 'cancelled') {
      this.dispatch({ type: 'spawnCancelled', now });
      return;
    }
    if (outcome.kind === 'failed') {
      this.dispatch({ type: 'spawnFailed', now, message: spawnErrorMessage(this.config.name, file, outcome.code) });
      return;
    }
    const { child } = outcome;
    this.child = child;
    const protocol = this.deps.attachProtocol?.(child);
    if (protocol === undefined) this.deps.output.attach(child);
    else this.deps.output.attach(child, protocol);
    const output = this.deps.output;
    // Only a probe or a watch looks at the run: without them its environment goes now.
    this.run = this.probe === null && this.watches.length === 0 ? null : {
      pid: child.pid, env, cwd: this.config.directory,
      watchOutput: (fn) => output.watch?.(fn) ?? ((): void => undefined),
    };
    this.dispatch({ type: 'spawned', now, pid: child.pid });
    if (this.run !== null) this.startProbe(this.run);
    void child.exited.then((exit) => {
      if (this.child === child) this.child = null;
      this.dispatch({ type: 'exited', now: this.deps.clock.now(), code: exit.code, signal: exit.signal, shuttingDown: this.deps.shuttingDown() });
    });
  }

  private startProbe(run: ProbeRun): void {
    const { probe } = this;
    const { pid } = run;
    if (probe === null || this.current.state !== 'STARTING' || this.current.pid !== pid) return;
    this.stopProbe?.();
    this.stopProbe = probe.start(run, () => {
      // A late pass (after a stop, or from an earlier run) is ignored by the machine.
      if (this.current.pid === pid) this.dispatch({ type: 'ready', now: this.deps.clock.now(), by: probe.description });
    }, (reason) => {
      // It can never pass in this run (notify without the addon ...): no point waiting for ready_timeout.
      if (this.current.pid === pid) this.dispatch({ type: 'probeFailed', now: this.deps.clock.now(), reason });
    });
    // It may have passed at once (start() called ready()): then its run is over already.
    if (this.snapshot.state !== 'STARTING') {
      this.stopProbe();
      this.stopProbe = null;
    }
  }

  private kill(signal: string, group: boolean): void {
    const pid = this.current.pid;
    if (pid === 0) return;
    const failed = (error: NodeJS.ErrnoException): void => {
      // ESRCH: it is already gone; the exit event will settle the state (as supervisord). A late
      // failure of a run that has ended since is no news about the current one.
      if (error.code === 'ESRCH' || this.current.pid !== pid) return;
      this.dispatch({ type: 'signalFailed', now: this.deps.clock.now(), message: error.message });
    };
    try {
      this.deps.spawner.kill(pid, signal, group, failed);
    } catch (error) {
      failed(error as NodeJS.ErrnoException);
    }
  }
}
