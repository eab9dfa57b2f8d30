// What a supervisor's runner needs from it. One small object per process, its methods shared by
// all of them: the callbacks a runner calls (state changes, its environment, its ends, the FATAL
// log lines) as closures of each process would cost ~350 B per process, with their contexts.

import type { ProcessConfig } from '../config/schema.js';
import type { Clock } from '../process/clock.js';
import type { FileFacts } from '../process/command.js';
import type { RunEnd } from '../process/machine.js';
import type { ProbeFactory } from '../process/probe.js';
import type { ChildOutput, RunnerDeps, RunnerLogLevel, StateChange } from '../process/runner.js';
import type { RunWatch } from '../process/run-watch.js';
import type { ChildHandle, Spawner } from '../process/spawner.js';
import { childEnvironment, type DaemonEnvironment } from './child-environment.js';
import type { FcgiSocket } from './fcgi-socket.js';

/** What every runner of one supervisor shares (made once by the supervisor). */
export interface RunnerHub {
  readonly spawner: Spawner;
  readonly clock: Clock;
  readonly stat: (file: string) => FileFacts | undefined;
  readonly log: (level: RunnerLogLevel, message: string) => void;
  readonly isRoot: boolean;
  readonly gidOf: (uid: number) => number | undefined;
  readonly probes: ProbeFactory | undefined;
  readonly daemonEnv: DaemonEnvironment;
  readonly serverUrl: string | null;
  stateChanged(change: StateChange): void;
  shuttingDown(): boolean;
  /** A run of `process` ended: its crash history keeps it, with its last lines of output. */
  ended(process: ProcessConfig, end: RunEnd, output: ChildOutput): void;
}

/** What differs between processes beyond their config. */
export interface RunnerParts {
  readonly output: ChildOutput;
  readonly watches: readonly RunWatch[];
  readonly fcgiSocket: FcgiSocket | null;
  readonly attachProtocol: ((child: ChildHandle) => (chunk: Buffer) => void) | null;
}

export class SupervisedRunnerDeps implements RunnerDeps {
  readonly output: ChildOutput;
  readonly watches: readonly RunWatch[];
  declare readonly probes?: ProbeFactory;
  declare readonly fcgiSocket?: FcgiSocket;
  declare readonly attachProtocol?: (child: ChildHandle) => (chunk: Buffer) => void;
  private readonly hub: RunnerHub;
  private readonly process: ProcessConfig;

  constructor(hub: RunnerHub, process: ProcessConfig, parts: RunnerParts) {
    this.hub = hub;
    this.process = process;
    this.output = parts.output;
    this.watches = parts.watches;
    if (hub.probes !== undefined) this.probes = hub.probes;
    if (parts.fcgiSocket !== null) this.fcgiSocket = parts.fcgiSocket;
    if (parts.attachProtocol !== null) this.attachProtocol = parts.attachProtocol;
  }

  get spawner(): Spawner {
    return this.hub.spawner;
  }

  get clock(): Clock {
    return this.hub.clock;
  }

  get stat(): (file: string) => FileFacts | undefined {
    return this.hub.stat;
  }

  get log(): (level: RunnerLogLevel, message: string) => void {
    return this.hub.log;
  }

  get isRoot(): boolean {
    return this.hub.isRoot;
  }

  get gidOf(): (uid: number) => number | undefined {
    return this.hub.gidOf;
  }

  onStateChange(change: StateChange): void {
    this.hub.stateChanged(change);
  }

  environment(): Readonly<Record<string, string>> {
    return childEnvironment(this.hub.daemonEnv, this.process, this.hub.serverUrl);
  }

  shuttingDown(): boolean {
    return this.hub.shuttingDown();
  }

  onEnded(end: RunEnd): void {
    this.hub.ended(this.process, end, this.output);
  }

  /**
   * After `gave up:`: why it died, from its last run's output, one main-log line per output line.
   * Once the run's pipes are closed (at once, or within the spawner's exit grace), so what it
   * wrote just before exiting is not missed.
   */
  logLastOutput(): void {
    const { name } = this.process;
    const { log } = this.hub;
    const run = this.output.lastRun?.() ?? null;
    const tell = (lines: readonly string[]): void => {
      if (lines.length === 0) log('info', `${name} wrote no output before FATAL`);
      // A child's bytes in the main log: control characters shown, never interpreted by a terminal.
      for (const line of lines) log('info', line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/gu, '\ufffd'));
    };
    if (run === null) {
      tell([]);
      return;
    }
    run.whenClosed(() => {
      tell([
        ...run.lines('stdout').map((line) => `${name} last stdout: ${line}`),
        ...run.lines('stderr').map((line) => `${name} last stderr: ${line}`),
      ]);
    });
  }
}
