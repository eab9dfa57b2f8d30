// ControlApi on the running daemon: supervisord's rpcinterface.py SupervisorNamespaceRPCInterface,
// method for method (names, arguments, results, faults, and the `wait` semantics of start/stop).

import type { ConfigInfo, ControlApi, DaemonState, ProcessEnd, ProcessInfo, ProcessResult } from '../api/control-api.js';
import { diffConfigs } from '../config/diff.js';
import type { LoadResult } from '../config/load.js';
import type { DaemonConfig } from '../config/schema.js';
import { formatIssue } from '../config/section-reader.js';
import { signal as parseSignal, SIGNALS, ValueProblem } from '../config/values.js';
import { SupervisorError } from '../errors.js';
import type { ChildLogs } from '../logging/child-output.js';
import { decodeLog, LogReadError, readLogSlice, tailLog } from '../logging/log-reader.js';
import { describeReady } from '../config/ready-spec.js';
import { healthKeys } from '../config/dump.js';
import { remoteEvent } from '../events/facts.js';
import type { Clock } from '../process/clock.js';
import type { ProcessRunner } from '../process/runner.js';
import { isRunningState, isSignallableState, isStoppedState } from '../process/state.js';
import { API_VERSION, SUPERVISOR_VERSION } from '../version.js';
import { makeNamespec, splitNamespec } from '../api/namespec.js';
import { namespecOf } from '../config/dependencies.js';
import type { StartOutcome } from './dependency-gate.js';
import { processEnd } from './crash-history.js';
import { processInfo } from './process-info.js';
import { healthOf } from '../process/health.js';
import { runForEach } from './process-results.js';
import type { ProcessGroup, Supervisor } from './supervisor.js';

export interface ControlHost {
  readonly supervisor: Supervisor;
  readonly clock: Clock;
  readonly config: () => DaemonConfig;
  readonly reload: () => LoadResult;
  readonly logsOf: (runner: ProcessRunner) => ChildLogs | undefined;
  readonly mainLogfile: () => string | null;
  readonly clearMainLog: () => void;
  readonly requestShutdown: () => void;
  readonly requestRestart: () => void;
}

/** supervisord's processes.sort(): by priority alone, stable, so equal priorities keep the group's
 *  configured order (`programs=w,quiet` with w numprocs=4: w_0 … w_3, then quiet). */
const byPriority = (a: ProcessRunner, b: ProcessRunner): number => a.config.priority - b.config.priority;

/** Started processes as supervisord reports them: spawned in one go, each RUNNING after its
 *  startsecs, so a shorter startsecs comes first (`c` startsecs=0 before `a` startsecs=1). */
const byStartsecs = (a: ProcessRunner, b: ProcessRunner): number => a.config.startMs - b.config.startMs;

/** Runs `work` now, turning a throw into a rejection: ControlApi methods never throw synchronously
 *  (a caller's `.catch()` or `rejects` must see every fault). */
function settled<T>(work: () => T | Promise<T>): Promise<T> {
  // The executor runs synchronously; a throw in it rejects the promise.
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}

function logError(error: unknown): SupervisorError {
  if (error instanceof LogReadError) return new SupervisorError(error.code);
  throw error;
}

/** FATAL with fatal_retry_after pending: `stop` keeps it down (supervisord has no such state to stop). */
function awaitsFatalRetry(runner: ProcessRunner): boolean {
  return runner.snapshot.state === 'FATAL' && runner.snapshot.delayUntil > 0;
}

export class SupervisorControl implements ControlApi {
  private readonly host: ControlHost;
  /** The config read by the last reloadConfig (supervisord's options.process_group_configs). */
  private pending: DaemonConfig;

  constructor(host: ControlHost) {
    this.host = host;
    this.pending = host.config();
  }

  private get supervisor(): Supervisor {
    return this.host.supervisor;
  }

  /** Every method refuses work while the daemon is stopping (supervisord's _update). */
  private checkState(): void {
    if (this.supervisor.mood !== 'RUNNING') throw new SupervisorError('SHUTDOWN_STATE');
  }

  private group(name: string): ProcessGroup {
    const group = this.supervisor.groupNamed(name);
    if (group === undefined) throw new SupervisorError('BAD_NAME', name);
    return group;
  }

  private lookup(namespec: string): { group: ProcessGroup; runner: ProcessRunner | null } {
    const [groupName, processName] = splitNamespec(namespec);
    const group = this.supervisor.groupNamed(groupName);
    if (group === undefined) throw new SupervisorError('BAD_NAME', namespec);
    if (processName === null) return { group, runner: null };
    const runner = group.runners.find((r) => r.config.name === processName);
    if (runner === undefined) throw new SupervisorError('BAD_NAME', namespec);
    return { group, runner };
  }

  private process(namespec: string): ProcessRunner {
    const { runner } = this.lookup(namespec);
    if (runner === null) throw new SupervisorError('BAD_NAME', namespec);
    return runner;
  }

  private allRunners(): ProcessRunner[] {
    return this.supervisor.groups.flatMap((g) => [...g.runners].sort(byPriority));
  }

  private namespecOf(runner: ProcessRunner): string {
    return makeNamespec(runner.config.group, runner.config.name);
  }

  getAPIVersion(): Promise<string> {
    return Promise.resolve(API_VERSION);
  }

  getSupervisorVersion(): Promise<string> {
    return Promise.resolve(SUPERVISOR_VERSION);
  }

  getIdentification(): Promise<string> {
    return Promise.resolve(this.host.config().supervisord.identifier);
  }

  getState(): Promise<DaemonState> {
    const states = { RUNNING: 1, RESTARTING: 0, SHUTDOWN: -1 } as const;
    const mood = this.supervisor.mood;
    return Promise.resolve({ statecode: states[mood], statename: mood });
  }

  getPID(): Promise<number> {
    return Promise.resolve(process.pid);
  }

  async readLog(offset: number, length: number): Promise<string> {
    this.checkState();
    const file = this.host.mainLogfile();
    if (file === null) throw new SupervisorError('NO_FILE');
    try {
      return await Promise.resolve(decodeLog(readLogSlice(file, offset, length)));
    } catch (error) {
      throw logError(error);
    }
  }

  clearLog(): Promise<boolean> {
    return settled(() => {
      this.checkState();
      if (this.host.mainLogfile() === null) throw new SupervisorError('NO_FILE');
      try {
        this.host.clearMainLog();
      } catch {
        throw new SupervisorError('FAILED');
      }
      return true;
    });
  }

  shutdown(): Promise<boolean> {
    return settled(() => {
      this.checkState();
      this.host.requestShutdown();
      return true;
    });
  }

  restart(): Promise<boolean> {
    return settled(() => {
      this.checkState();
      this.host.requestRestart();
      return true;
    });
  }

  reloadConfig(): Promise<[[string[], string[], string[]]]> {
    return settled((): [[string[], string[], string[]]] => {
      this.checkState();
      const loaded = this.host.reload();
      if (!loaded.ok) throw new SupervisorError('CANT_REREAD', loaded.issues.map((i) => formatIssue(i)).join('\n'));
      this.pending = loaded.config;
      const running = this.supervisor.groups.map((g) => g.config);
      const diff = diffConfigs(running, loaded.config.groups);
      const names = (groups: readonly { name: string }[]): string[] => groups.map((g) => g.name);
      return [[names(diff.added), names(diff.changed), names(diff.removed)]];
    });
  }

  addProcessGroup(name: string): Promise<boolean> {
    return settled(() => {
      this.checkState();
      const config = this.pending.groups.find((g) => g.name === name);
      if (config === undefined) throw new SupervisorError('BAD_NAME', name);
      if (this.supervisor.groups.some((g) => g.config.name === name)) throw new SupervisorError('ALREADY_ADDED', name);
      this.supervisor.startAutostart(this.supervisor.addGroup(config));
      return true;
    });
  }

  removeProcessGroup(name: string): Promise<boolean> {
    return settled(() => {
      this.checkState();
      const group = this.group(name);
      if (group.runners.some((r) => !isStoppedState(r.snapshot.state))) throw new SupervisorError('STILL_RUNNING', name);
      // The files close once what their pipes last gave is written; nobody needs to wait for that.
      for (const runner of group.runners) void this.host.logsOf(runner)?.close();
      this.supervisor.removeGroup(name);
      return true;
    });
  }

  async startProcess(name: string, wait = true): Promise<boolean> {
    this.checkState();
    const { group, runner } = this.lookup(name);
    if (runner === null) {
      await this.startProcessGroup(group.config.name, wait);
      return true;
    }
    const resolved = runner.resolveCommand();
    if (!resolved.ok) throw new SupervisorError(resolved.kind, resolved.message);
    const { state } = runner.snapshot;
    if (isRunningState(state)) throw new SupervisorError('ALREADY_STARTED', name);
    if (state === 'UNKNOWN') throw new SupervisorError('FAILED', `${name} is in an unknown process state`);
    const outcome = this.startWithDependencies(runner);
    if (!this.supervisor.isWaiting(runner) && runner.snapshot.spawnErr !== null) throw new SupervisorError('SPAWN_ERROR', name);
    if (!wait) return true;
    // Held back for its dependencies: nothing of it to wait for until it is spawned, or never is.
    if (!(await outcome).started) throw new SupervisorError('SPAWN_ERROR', name);
    // Deferred like supervisord's onwait: RUNNING -> true; a spawn error or any other state -> fault.
    for (;;) {
      const s = runner.snapshot;
      if (s.spawnErr !== null) throw new SupervisorError('SPAWN_ERROR', name);
      if (s.state === 'RUNNING') return true;
      if (s.state !== 'STARTING') throw new SupervisorError('ABNORMAL_TERMINATION', name);
      await this.supervisor.events.nextChangeOf(runner.config);
    }
  }

  /**
   * Starts `runner`, after what it depends on: each stopped dependency is started first (and the
   * main log says so), and `runner` is spawned once its own dependencies are RUNNING.
   */
  private startWithDependencies(runner: ProcessRunner): Promise<StartOutcome> {
    const { plan } = this.supervisor;
    const self = namespecOf(runner.config);
    const needed = plan.transitiveDependencies(self);
    if (needed.length === 0) {
      runner.start();
      return Promise.resolve({ started: true });
    }
    const wanted = new Set([...needed, self]);
    for (const dep of needed) {
      const r = this.supervisor.runnerNamed(dep);
      if (r === undefined || !isStoppedState(r.snapshot.state) || this.supervisor.isWaiting(r)) continue;
      // Name the dependent this is for: the one asked for if it needs it directly.
      const by = [self, ...needed].find((n) => wanted.has(n) && plan.dependencies(n).includes(dep)) ?? self;
      this.supervisor.log('info', `starting ${dep} first: ${by} depends on it`);
      void this.supervisor.requestStart(r);
    }
    return this.supervisor.requestStart(runner);
  }

  /** Runners in the order to start them: the plan's (priority, then dependencies first). */
  private inStartOrder(runners: readonly ProcessRunner[]): ProcessRunner[] {
    const { plan } = this.supervisor;
    if (!plan.hasDependencies) return [...runners];
    const at = new Map(plan.startOrder().map((n, i) => [n, i]));
    return [...runners].sort((a, b) => (at.get(namespecOf(a.config)) ?? 0) - (at.get(namespecOf(b.config)) ?? 0));
  }

  startProcessGroup(name: string, wait = true): Promise<ProcessResult[]> {
    return settled(() => {
      this.checkState();
      const runners = this.inStartOrder([...this.group(name).runners].sort(byPriority));
      return runForEach(runners.filter((r) => !isRunningState(r.snapshot.state)), (r) => this.startProcess(this.namespecOf(r), wait), byStartsecs);
    });
  }

  startAllProcesses(wait = true): Promise<ProcessResult[]> {
    return settled(() => {
      this.checkState();
      return runForEach(this.inStartOrder(this.allRunners()).filter((r) => !isRunningState(r.snapshot.state)), (r) => this.startProcess(this.namespecOf(r), wait), byStartsecs);
    });
  }

  async stopProcess(name: string, wait = true): Promise<boolean> {
    this.checkState();
    const { group, runner } = this.lookup(name);
    if (runner === null) {
      await this.stopProcessGroup(group.config.name, wait);
      return true;
    }
    // Held back by depends_on: stopping it means it is not to be started after all.
    if (this.supervisor.cancelStart(runner, 'stopped by request while waiting')) return true;
    if (awaitsFatalRetry(runner)) {
      runner.stop(); // straight to STOPPED: nothing runs, nothing to wait for
      return true;
    }
    if (!isRunningState(runner.snapshot.state)) throw new SupervisorError('NOT_RUNNING', name);
    runner.stop();
    if (!wait) return true;
    runner.reportStopping();
    await this.supervisor.waitUntilStopped([runner]);
    return true;
  }

  stopProcessGroup(name: string, wait = true): Promise<ProcessResult[]> {
    return settled(() => {
      this.checkState();
      const runners = [...this.group(name).runners].sort(byPriority);
      return this.stopEach(runners.filter((r) => this.stoppable(r)), wait);
    });
  }

  stopAllProcesses(wait = true): Promise<ProcessResult[]> {
    return settled(() => {
      this.checkState();
      return this.stopEach(this.allRunners().filter((r) => this.stoppable(r)), wait);
    });
  }

  /** What `stop` acts on: a started process, or one waiting for its dependencies to be spawned. */
  private stoppable(runner: ProcessRunner): boolean {
    return isRunningState(runner.snapshot.state) || this.supervisor.isWaiting(runner) || awaitsFatalRetry(runner);
  }

  /** stopProcess for each, dependents first: each is stopped once what depends on it among them has stopped. */
  private stopEach(runners: readonly ProcessRunner[], wait: boolean): Promise<ProcessResult[]> {
    if (!this.supervisor.plan.hasDependencies) return runForEach(runners, (r) => this.stopProcess(this.namespecOf(r), wait));
    const among = new Set(runners);
    return runForEach(runners, async (r) => {
      await this.supervisor.dependentsStopped(r, among);
      return this.stopProcess(this.namespecOf(r), wait);
    });
  }

  async signalProcess(name: string, signal: string): Promise<boolean> {
    this.checkState();
    const { group, runner } = this.lookup(name);
    if (runner === null) {
      await this.signalProcessGroup(group.config.name, signal);
      return true;
    }
    let sig: string;
    try {
      sig = parseSignal(signal);
    } catch (error) {
      if (error instanceof ValueProblem) throw new SupervisorError('BAD_SIGNAL', signal);
      throw error;
    }
    if (SIGNALS[sig] === undefined) throw new SupervisorError('BAD_SIGNAL', signal);
    if (!isSignallableState(runner.snapshot.state)) throw new SupervisorError('NOT_RUNNING', name);
    try {
      runner.signal(sig);
    } catch (error) {
      throw new SupervisorError('FAILED', (error as Error).message);
    }
    return true;
  }

  signalProcessGroup(name: string, signal: string): Promise<ProcessResult[]> {
    return settled(() => {
      this.checkState();
      const runners = [...this.group(name).runners].sort(byPriority);
      return runForEach(runners.filter((r) => isSignallableState(r.snapshot.state)), (r) => this.signalProcess(this.namespecOf(r), signal));
    });
  }

  signalAllProcesses(signal: string): Promise<ProcessResult[]> {
    return settled(() => {
      this.checkState();
      return runForEach(this.allRunners().filter((r) => isSignallableState(r.snapshot.state)), (r) => this.signalProcess(this.namespecOf(r), signal));
    });
  }

  private info(runner: ProcessRunner): ProcessInfo {
    const logs = this.host.logsOf(runner);
    return processInfo({
      name: runner.config.name, group: runner.config.group, snapshot: runner.snapshot,
      stdoutLogfile: logs?.stdoutPath ?? '', stderrLogfile: logs?.stderrPath ?? '', nowMs: this.host.clock.now(), readyProbe: runner.readyProbe,
      waitingFor: this.supervisor.waitingFor(runner), health: healthOf(runner.watches),
    });
  }

  getProcessInfo(name: string): Promise<ProcessInfo> {
    return settled(() => {
      this.checkState();
      return this.info(this.process(name));
    });
  }

  getAllProcessInfo(): Promise<ProcessInfo[]> {
    return settled(() => {
      this.checkState();
      // Lexical order: groups by name, then processes by name (supervisord's _getAllProcesses(lexical=True)).
      const byName = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
      const groups = [...this.supervisor.groups].sort(byName((g) => g.config.name));
      return groups.flatMap((g) => [...g.runners].sort(byName((r) => r.config.name)).map((r) => this.info(r)));
    });
  }

  getProcessHistory(name: string): Promise<ProcessEnd[]> {
    return settled(() => {
      this.checkState();
      const runner = this.process(name);
      return this.supervisor.historyOf(runner).map((entry) => processEnd(runner.config.name, runner.config.group, entry));
    });
  }

  getAllConfigInfo(): Promise<ConfigInfo[]> {
    return settled(() => this.configInfo());
  }

  private configInfo(): ConfigInfo[] {
    this.checkState();
    const active = new Set(this.supervisor.groups.map((g) => g.config.name));
    const logName = (t: { kind: string; path?: string }): string => (t.kind === 'file' ? t.path ?? '' : t.kind);
    const infos = this.pending.groups.flatMap((g) => g.processes.map((p): ConfigInfo => ({
      autostart: p.autostart, directory: p.directory ?? 'none', uid: p.uid ?? 'none', command: p.command, exitcodes: p.exitCodes,
      group: g.name, group_prio: g.priority, inuse: active.has(g.name), killasgroup: p.killAsGroup, name: p.name,
      process_prio: p.priority, redirect_stderr: p.redirectStderr, startretries: p.startRetries, startsecs: p.startMs / 1000,
      stdout_capture_maxbytes: p.stdout.captureMaxBytes, stdout_events_enabled: p.stdout.eventsEnabled,
      stdout_logfile: logName(p.stdout.logfile), stdout_logfile_backups: p.stdout.backups, stdout_logfile_maxbytes: p.stdout.maxBytes,
      stdout_syslog: p.stdout.syslog, stopsignal: SIGNALS[p.stopSignal] ?? 15, stopwaitsecs: p.stopWaitMs / 1000,
      stderr_capture_maxbytes: p.stderr.captureMaxBytes, stderr_events_enabled: p.stderr.eventsEnabled,
      stderr_logfile: logName(p.stderr.logfile), stderr_logfile_backups: p.stderr.backups, stderr_logfile_maxbytes: p.stderr.maxBytes,
      stderr_syslog: p.stderr.syslog, serverurl: p.serverurl ?? 'none',
      // tssupervisor extension, as written; the stock supervisorctl reads only the keys it knows.
      depends_on: p.dependsOn.join(', '),
      ready: p.ready === null ? '' : describeReady(p.ready), ready_timeout: p.readyTimeoutMs / 1000,
      ...healthKeys(p),
    })));
    return infos.sort((a, b) => (String(a['name']) < String(b['name']) ? -1 : 1));
  }

  private logPath(name: string, channel: 'stdout' | 'stderr'): string {
    const logs = this.host.logsOf(this.process(name));
    return (channel === 'stdout' ? logs?.stdoutPath : logs?.stderrPath) ?? '';
  }

  private readProcessLog(name: string, channel: 'stdout' | 'stderr', offset: number, length: number): Promise<string> {
    return settled(() => {
      this.checkState();
      const file = this.logPath(name, channel);
      if (file === '') throw new SupervisorError('NO_FILE', 'none');
      try {
        return decodeLog(readLogSlice(file, offset, length));
      } catch (error) {
        const failure = logError(error);
        throw failure.fault === 'NO_FILE' ? new SupervisorError('NO_FILE', file) : failure;
      }
    });
  }

  readProcessStdoutLog(name: string, offset: number, length: number): Promise<string> {
    return this.readProcessLog(name, 'stdout', offset, length);
  }

  readProcessStderrLog(name: string, offset: number, length: number): Promise<string> {
    return this.readProcessLog(name, 'stderr', offset, length);
  }

  private tailProcessLog(name: string, channel: 'stdout' | 'stderr', offset: number, length: number): Promise<[string, number, boolean]> {
    return settled((): [string, number, boolean] => {
      this.checkState();
      const file = this.logPath(name, channel);
      if (file === '') return ['', 0, false];
      const tail = tailLog(file, offset, length);
      return [decodeLog(tail.bytes), tail.offset, tail.overflow];
    });
  }

  tailProcessStdoutLog(name: string, offset: number, length: number): Promise<[string, number, boolean]> {
    return this.tailProcessLog(name, 'stdout', offset, length);
  }

  tailProcessStderrLog(name: string, offset: number, length: number): Promise<[string, number, boolean]> {
    return this.tailProcessLog(name, 'stderr', offset, length);
  }

  clearProcessLogs(name: string): Promise<boolean> {
    return settled(() => {
      this.checkState();
      const runner = this.process(name);
      try {
        this.host.logsOf(runner)?.clear();
      } catch {
        throw new SupervisorError('FAILED', name);
      }
      return true;
    });
  }

  clearAllProcessLogs(): Promise<ProcessResult[]> {
    return settled(() => {
      this.checkState();
      return runForEach(this.allRunners(), (r) => this.clearProcessLogs(this.namespecOf(r)));
    });
  }

  sendProcessStdin(name: string, chars: string): Promise<boolean> {
    return settled(() => {
      this.checkState();
      if (typeof chars !== 'string') throw new SupervisorError('INCORRECT_PARAMETERS', String(chars));
      const runner = this.process(name);
      const stdin = runner.stdin;
      if (runner.snapshot.pid === 0 || runner.snapshot.killing || stdin === null) throw new SupervisorError('NOT_RUNNING', name);
      if (stdin.destroyed || !stdin.writable) throw new SupervisorError('NO_FILE', name);
      stdin.write(Buffer.from(chars, 'utf8'));
      return true;
    });
  }

  sendRemoteCommEvent(type: string, data: string): Promise<boolean> {
    return settled(() => {
      this.supervisor.publish(remoteEvent(type, data, this.host.clock.now()));
      return true;
    });
  }
}
