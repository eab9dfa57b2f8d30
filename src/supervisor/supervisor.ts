// The registry of process groups: builds one runner per configured process, starts autostart
// programs in priority order, and shuts down group by group in reverse priority, as supervisord.
// With depends_on (start-plan.ts, dependency-gate.ts) a process is spawned once what it depends
// on is RUNNING, and stopped only after what depends on it.

import { namespecOf } from '../config/dependencies.js';
import type { DaemonConfig, GroupConfig, ProcessConfig } from '../config/schema.js';
import type { Clock } from '../process/clock.js';
import type { RunEnd } from '../process/machine.js';
import type { FileFacts } from '../process/command.js';
import { ProcessRunner, type ChildOutput, type RunnerLogLevel } from '../process/runner.js';
import type { ProbeFactory } from '../process/probe.js';
import type { RunWatch } from '../process/run-watch.js';
import type { Spawner } from '../process/spawner.js';
import { isStoppedState } from '../process/state.js';
import { processStateEvent } from '../events/facts.js';
import { EventFlow } from '../events/flow.js';
import { Ticker } from '../events/ticks.js';
import type { EngineEvent } from '../events/types.js';
import { DependencyGate, type StartOutcome } from './dependency-gate.js';
import { EventBus } from './events.js';
import { ListenerPool } from './listener-pool.js';
import type { FcgiSocket } from './fcgi-socket.js';
import { StartPlan } from './start-plan.js';
import { CrashHistory, type HistoryEntry } from './crash-history.js';
import { daemonEnvironment } from './child-environment.js';
import { SupervisedRunnerDeps, type RunnerHub } from './runner-deps.js';

export interface SupervisorDeps {
  readonly spawner: Spawner;
  readonly clock: Clock;
  readonly stat: (file: string) => FileFacts | undefined;
  readonly log: (level: RunnerLogLevel, message: string) => void;
  readonly daemonEnv: Readonly<Record<string, string | undefined>>;
  /** SUPERVISOR_SERVER_URL for serverurl=AUTO: the first control server, if any. */
  readonly serverUrl: string | null;
  readonly outputFor: (process: ProcessConfig) => ChildOutput;
  readonly isRoot: boolean;
  readonly gidOf: (uid: number) => number | undefined;
  /** The daemon's identifier: `server:` in the envelope of every event sent to a listener. */
  readonly identifier?: () => string;
  /** Makes ready= probes (src/process/probes/); without it ready= is ignored. */
  readonly probes?: ProbeFactory;
  /** What watches each run of a process (healthcheck=, max_memory: run-watches.ts); none without it. */
  readonly watchesFor?: (process: ProcessConfig) => readonly RunWatch[];
  /** The listening socket of an fcgi group (see fcgi-socket.ts); null for other groups. */
  readonly fcgiSocketFor?: (group: GroupConfig) => FcgiSocket | null;
}

export interface ProcessGroup {
  readonly config: GroupConfig;
  readonly runners: readonly ProcessRunner[];
  /** An [eventlistener:x] group's pool; null for other kinds. */
  readonly pool: ListenerPool | null;
}

export type Mood = 'RUNNING' | 'RESTARTING' | 'SHUTDOWN';

/** supervisord's shutdown_report throttle: `waiting for a, b to die` every 3 s. */
const SHUTDOWN_REPORT_MS = 3000;

export class Supervisor {
  readonly events: EventBus;
  /** The typed event flow listener pools (and the dashboard, metrics) read. */
  readonly flow: EventFlow;
  private groupList: ProcessGroup[] = [];
  private moodValue: Mood = 'RUNNING';
  private readonly deps: SupervisorDeps;
  /** depends_on over the current groups; rebuilt when they change. */
  private planCache: StartPlan | null = null;
  private byName: Map<string, ProcessRunner> | null = null;
  private groupsByName: Map<string, ProcessGroup> | null = null;
  private readonly gate: DependencyGate;
  /** Each process's crash history, made at its first end (keyed by its config: runner.config). */
  private readonly histories = new WeakMap<ProcessConfig, CrashHistory>();
  /** What every runner shares (its daemonEnv read once: the children's environments share its strings). */
  private readonly hub: RunnerHub;
  /** TICK_* events, made while runTicks() is on and some listener pool takes them. */
  private ticker: Ticker | null = null;

  constructor(config: DaemonConfig, deps: SupervisorDeps) {
    this.deps = deps;
    this.hub = {
      spawner: deps.spawner, clock: deps.clock, stat: deps.stat, log: deps.log, isRoot: deps.isRoot, gidOf: deps.gidOf,
      probes: deps.probes, daemonEnv: daemonEnvironment(deps.daemonEnv), serverUrl: deps.serverUrl,
      stateChanged: (change) => {
        this.flow.publish(processStateEvent(change, deps.clock.now()));
        this.events.emit('stateChanged', change);
      },
      shuttingDown: () => this.moodValue !== 'RUNNING',
      ended: (p, end, output) => {
        let history = this.histories.get(p);
        if (history === undefined) {
          history = new CrashHistory();
          this.histories.set(p, history);
        }
        history.record(end, output.lastRun?.() ?? null);
      },
    };
    this.events = new EventBus((name, error) => {
      deps.log('error', `a ${name} subscriber failed (supervision goes on): ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    });
    this.flow = new EventFlow((error, event) => {
      deps.log('error', `an event subscriber failed on ${event.name} (supervision goes on): ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    });
    this.gate = new DependencyGate({
      events: this.events, log: deps.log, plan: () => this.plan, runner: (name) => this.runnerNamed(name),
      mayStart: () => this.moodValue === 'RUNNING',
    });
    const byPriorityThenName = (a: GroupConfig, b: GroupConfig): number =>
      a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const group of [...config.groups].sort(byPriorityThenName)) this.addGroup(group);
  }

  get mood(): Mood {
    return this.moodValue;
  }

  /**
   * Groups in supervisord's order: by priority; among equal priorities in the order they were
   * added (the config's groups by name at startup, then each added group after the existing ones),
   * as supervisord stable-sorts its process_groups dict by priority alone. That order shows in
   * `clear all` / `signal all` results and in which of two equal-priority groups stops first.
   */
  get groups(): readonly ProcessGroup[] {
    return this.groupList;
  }

  runners(): ProcessRunner[] {
    return this.groupList.flatMap((g) => g.runners);
  }

  /** The depends_on plan over the groups held now, in their priority order. */
  get plan(): StartPlan {
    this.planCache ??= StartPlan.forGroups(this.groupList.map((g) => g.config));
    return this.planCache;
  }

  /** The group of that name. */
  groupNamed(name: string): ProcessGroup | undefined {
    this.groupsByName ??= new Map(this.groupList.map((g) => [g.config.name, g]));
    return this.groupsByName.get(name);
  }

  /** The runner of a namespec (`name` or `group:name`). */
  runnerNamed(namespec: string): ProcessRunner | undefined {
    this.byName ??= new Map(this.runners().map((r) => [namespecOf(r.config), r]));
    return this.byName.get(namespec);
  }

  /** The groups changed: the plan and the name index are rebuilt, and waits re-checked against them. */
  private groupsChanged(): void {
    this.planCache = null;
    this.byName = null;
    this.groupsByName = null;
    this.gate.reevaluate();
  }

  /**
   * Publishes TICK_5/60/3600 from now until the returned stop, as supervisord's runforever() does,
   * but only while a listener pool subscribes to one (adding or removing such a pool switches it): nothing
   * else reads ticks, and an idle daemon with none to make never wakes at all.
   */
  runTicks(): () => void {
    this.ticker?.stop();
    const ticker = new Ticker(this.deps.clock, (event) => {
      this.flow.publish(event);
    });
    this.ticker = ticker;
    ticker.want(this.ticksWanted());
    return () => {
      ticker.stop();
      if (this.ticker === ticker) this.ticker = null;
    };
  }

  /** Whether the ticker is running now. */
  get ticking(): boolean {
    return this.ticker?.running === true;
  }

  private ticksWanted(): boolean {
    return this.groupList.some((g) => g.pool?.wantsTicks() === true);
  }

  /** Spawns `runner` once everything it depends on is RUNNING (at once if nothing); resolves then. */
  requestStart(runner: ProcessRunner): Promise<StartOutcome> {
    return this.gate.request(runner);
  }

  /** What a process waiting to be spawned still waits for ([] when it is not waiting). */
  waitingFor(runner: ProcessRunner): string[] {
    return this.gate.waitingFor(namespecOf(runner.config));
  }

  isWaiting(runner: ProcessRunner): boolean {
    return this.gate.isWaiting(namespecOf(runner.config));
  }

  /** Drops a waiting process's pending start (and so its waiting dependents'); false if it was not waiting. */
  cancelStart(runner: ProcessRunner, reason: string): boolean {
    return this.gate.cancel(namespecOf(runner.config), reason);
  }

  /** A line in the daemon's main log. */
  log(level: RunnerLogLevel, message: string): void {
    this.deps.log(level, message);
  }

  /** Publishes an event into the flow (remote events, ticks, output facts). */
  publish(event: EngineEvent): void {
    this.flow.publish(event);
  }

  addGroup(config: GroupConfig): ProcessGroup {
    const pool = config.eventListener === null ? null : new ListenerPool(config.name, config.eventListener, {
      flow: this.flow, server: this.deps.identifier ?? (() => 'supervisor'), log: this.deps.log,
    });
    const fcgiSocket = this.fcgiSocketOf(config);
    const runners = config.processes.map((p) => this.runnerFor(p, pool, fcgiSocket));
    pool?.setMembers(runners.map((r) => ({ name: r.config.name, state: () => r.snapshot.state })));
    const group = { config, runners, pool };
    // After the existing groups of its priority (a stable sort's order), without re-sorting the
    // list at each of a thousand adds; a new array, since callers may be iterating the old one.
    const at = this.groupList.findLastIndex((g) => g.config.priority <= config.priority) + 1;
    this.groupList = [...this.groupList.slice(0, at), group, ...this.groupList.slice(at)];
    this.groupsChanged();
    // Only a tick pool changes whether ticks are wanted: a reload of 1000 plain groups is no scan.
    if (pool?.wantsTicks() === true) this.ticker?.want(true);
    this.flow.publish({ name: 'PROCESS_GROUP_ADDED', at: this.deps.clock.now(), group: config.name });
    return group;
  }

  /** The last ends of a process, newest first ([] before its first). */
  historyOf(runner: ProcessRunner): HistoryEntry[] {
    return this.histories.get(runner.config)?.entries() ?? [];
  }

  /** The last end of a process alone (undefined before its first): cheaper than historyOf. */
  lastEndOf(runner: ProcessRunner): RunEnd | undefined {
    return this.histories.get(runner.config)?.latest();
  }

  private runnerFor(p: ProcessConfig, pool: ListenerPool | null, fcgiSocket: FcgiSocket | null): ProcessRunner {
    return new ProcessRunner(p, new SupervisedRunnerDeps(this.hub, p, {
      output: this.deps.outputFor(p),
      watches: this.deps.watchesFor?.(p) ?? [],
      fcgiSocket,
      // A listener's stdout is the protocol; the pool writes events to its stdin.
      attachProtocol: pool === null ? null : (child) => pool.attach(p.name, (bytes) => {
        if (child.stdin.destroyed || !child.stdin.writable) return false;
        child.stdin.write(bytes);
        return true;
      }),
    }));
  }

  /**
   * An fcgi group's socket, made once now to fail early, as supervisord's FastCGIProcessGroup.
   * supervisord then exits with a traceback; we log why and go on (each spawn then fails saying why).
   */
  private fcgiSocketOf(config: GroupConfig): FcgiSocket | null {
    const socket = this.deps.fcgiSocketFor?.(config) ?? null;
    const problem = socket?.probe() ?? null;
    if (problem !== null) this.deps.log('error', `[fcgi-program:${config.name}]: ${problem.message}; its processes cannot be spawned until it can be created`);
    return socket;
  }

  removeGroup(name: string): void {
    const removed = this.groupList.filter((g) => g.config.name === name);
    this.groupList = this.groupList.filter((g) => g.config.name !== name);
    this.groupsChanged();
    if (removed.some((g) => g.pool?.wantsTicks() === true)) this.ticker?.want(this.ticksWanted());
    for (const g of removed) {
      g.pool?.close();
      for (const r of g.runners) r.close();
    }
    this.flow.publish({ name: 'PROCESS_GROUP_REMOVED', at: this.deps.clock.now(), group: name });
  }

  /**
   * Drops every group without telling anyone, as supervisord's reload does (it clears its
   * subscribers and groups and starts over: no PROCESS_GROUP_REMOVED events).
   */
  clearGroups(): void {
    for (const g of this.groupList) {
      g.pool?.close();
      for (const r of g.runners) r.close();
    }
    this.groupList = [];
    this.gate.cancelAll('the configuration is reloaded');
    this.groupsChanged();
    this.ticker?.want(false);
  }

  /** SUPERVISOR_STATE_CHANGE_RUNNING: supervisord's runforever() begins (at start and after a reload). */
  announceRunning(): void {
    this.flow.publish({ name: 'SUPERVISOR_STATE_CHANGE_RUNNING', at: this.deps.clock.now() });
  }

  /**
   * Spawns every autostart process, groups in priority order. With depends_on, in the plan's
   * order, each as soon as what it depends on is RUNNING: independent branches in parallel.
   */
  startAutostart(group?: ProcessGroup): void {
    const runners = (group === undefined ? this.groupList : [group]).flatMap((g) => g.runners);
    const wanted = (r: ProcessRunner): boolean => r.config.autostart && r.snapshot.laststart === 0;
    if (!this.plan.hasDependencies) {
      for (const runner of runners) if (wanted(runner)) runner.start();
      return;
    }
    for (const name of this.plan.startOrder(runners.map((r) => namespecOf(r.config)))) {
      const runner = this.runnerNamed(name);
      if (runner !== undefined && wanted(runner)) void this.gate.request(runner);
    }
  }

  /**
   * Resolves once nothing among `among` that depends on `runner` (directly or not) is running
   * any more: stopping goes dependents first. Immediate without depends_on.
   */
  async dependentsStopped(runner: ProcessRunner, among: ReadonlySet<ProcessRunner>): Promise<void> {
    const dependents = this.plan.transitiveDependents(namespecOf(runner.config))
      .map((name) => this.runnerNamed(name))
      .filter((r): r is ProcessRunner => r !== undefined && among.has(r));
    await this.waitUntilStopped(dependents);
  }

  /** Tells one process to stop as stop_all does: RUNNING/STARTING get their signal, BACKOFF gives up. */
  private stopOne(runner: ProcessRunner): void {
    const { state } = runner.snapshot;
    if (state === 'RUNNING' || state === 'STARTING') runner.stop();
    else if (state === 'BACKOFF') runner.giveUp();
  }

  /** Stops `runners` dependents first: each is told once what depends on it among them has stopped. */
  private async stopInDependencyOrder(runners: readonly ProcessRunner[]): Promise<void> {
    const among = new Set(runners);
    const byPriorityDesc = [...runners].sort((a, b) => a.config.priority - b.config.priority).reverse();
    await Promise.all(byPriorityDesc.map(async (runner) => {
      await this.dependentsStopped(runner, among);
      this.stopOne(runner);
    }));
    await this.waitUntilStopped(runners);
  }

  /** Stops one group: RUNNING/STARTING get their stop signal, BACKOFF gives up (stop_all). */
  async stopGroup(group: ProcessGroup): Promise<void> {
    if (this.plan.hasDependencies) {
      await this.stopInDependencyOrder(group.runners);
      return;
    }
    // stop_all: processes.sort(); processes.reverse(): equal priorities go in reverse config
    // order too (x_01 is told before x_00), not just the priorities.
    const byPriorityDesc = [...group.runners].sort((a, b) => a.config.priority - b.config.priority).reverse();
    for (const runner of byPriorityDesc) this.stopOne(runner);
    await this.waitUntilStopped(group.runners);
  }

  /** Resolves once every runner is in a stopped state. */
  async waitUntilStopped(runners: readonly ProcessRunner[]): Promise<void> {
    // Each runner's own changes, and a count: not a scan of them all at every change.
    let left = 0;
    await new Promise<void>((resolve) => {
      for (const runner of runners) {
        if (isStoppedState(runner.snapshot.state)) continue;
        left++;
        const off = this.events.onProcess(runner.config, (change) => {
          if (!isStoppedState(change.to)) return;
          off();
          if (--left === 0) resolve();
        });
      }
      if (left === 0) resolve();
    });
  }

  /**
   * supervisord's shutdown_report: while the daemon stops, every process not stopped yet, in
   * every group (told to stop yet or not), in one line at once and then every 3 s, each one's
   * state at BLAT. Returns the cancel.
   */
  private reportUnstopped(): () => void {
    let cancel = (): void => undefined;
    const report = (): void => {
      const left = this.runners().filter((r) => !isStoppedState(r.snapshot.state));
      if (left.length === 0) return;
      this.deps.log('info', `waiting for ${left.map((r) => r.config.name).join(', ')} to die`);
      for (const r of left) this.deps.log('blather', `${r.config.name} state: ${r.snapshot.state}`);
      cancel = this.deps.clock.setTimer(this.deps.clock.now() + SHUTDOWN_REPORT_MS, report);
    };
    report();
    return () => {
      cancel();
    };
  }

  /** Orderly stop of everything: one group at a time, highest priority value first. */
  async shutdown(mood: Exclude<Mood, 'RUNNING'> = 'SHUTDOWN'): Promise<void> {
    this.moodValue = mood;
    this.flow.publish({ name: 'SUPERVISOR_STATE_CHANGE_STOPPING', at: this.deps.clock.now() });
    this.gate.cancelAll('the daemon is stopping');
    let stopReport: (() => void) | null = null;
    try {
      for (const group of [...this.groupList].reverse()) {
        const stopped = this.plan.hasDependencies ? this.stopWithDependents(group) : this.stopGroup(group);
        // The first report comes right after the first group was told to stop, as in
        // supervisord's first turn of its loop once the mood dropped.
        stopReport ??= this.reportUnstopped();
        // supervisord gives each group at least one turn of its main loop, and every turn ends in
        // its pools' dispatch: what was published before or while this group was told to stop
        // reaches the listeners still RUNNING (a listener with a low priority value, stopped last,
        // gets the SUPERVISOR_STATE_CHANGE_STOPPING). Groups with nothing to stop would otherwise
        // all pass within this turn, and the listener be signalled before the deferred dispatch.
        await nextTurn();
        await stopped;
      }
    } finally {
      stopReport?.();
    }
  }

  /**
   * Shutdown's step for one group with depends_on: what depends on its processes, wherever it
   * is, stops first (dependents before dependencies), so the group order never stops a
   * dependency under a running dependent.
   */
  private async stopWithDependents(group: ProcessGroup): Promise<void> {
    const names = group.runners.flatMap((r) => [namespecOf(r.config), ...this.plan.transitiveDependents(namespecOf(r.config))]);
    const runners = this.plan.stopOrder(names).map((n) => this.runnerNamed(n)).filter((r): r is ProcessRunner => r !== undefined);
    await this.stopInDependencyOrder(runners.filter((r) => !isStoppedState(r.snapshot.state) || group.runners.includes(r)));
  }

  /** After a reload has stopped everything: accept work again. */
  resume(): void {
    this.moodValue = 'RUNNING';
  }
}

/** Resolves after the I/O and setImmediate callbacks already queued (the pools' dispatch) have run. */
async function nextTurn(): Promise<void> {
  await new Promise<void>((resolve) => {
    setImmediate(resolve);
  });
}
