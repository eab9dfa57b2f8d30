// Holds back the spawn of a process until every process it `depends_on` is RUNNING (with
// `ready=`, RUNNING means ready). Driven by the supervisor's stateChanged events, never by a
// poll: each change re-checks only the waits that depend on the process that changed. A
// dependency that ends up FATAL, or stopped with nobody about to start it, ends the waits on it
// (and, through them, on their own dependents) with a log line saying why.

import { namespecOf } from '../config/dependencies.js';
import type { ProcessRunner, RunnerLogLevel } from '../process/runner.js';
import type { ProcessState } from '../process/state.js';
import type { EventBus } from './events.js';
import type { StartPlan } from './start-plan.js';

export type StartOutcome = { readonly started: true } | { readonly started: false; readonly reason: string };

export interface GateDeps {
  readonly events: EventBus;
  readonly log: (level: RunnerLogLevel, message: string) => void;
  readonly plan: () => StartPlan;
  readonly runner: (namespec: string) => ProcessRunner | undefined;
  /** False once the daemon is stopping: nothing waiting is spawned any more. */
  readonly mayStart: () => boolean;
}

interface Wait {
  readonly runner: ProcessRunner;
  readonly settle: ((outcome: StartOutcome) => void)[];
}

/** States a dependency does not leave by itself: waiting on one of them would last for ever. */
const SETTLED: readonly ProcessState[] = ['STOPPED', 'EXITED', 'FATAL', 'UNKNOWN'];

export class DependencyGate {
  private readonly deps: GateDeps;
  private readonly waits = new Map<string, Wait>();

  constructor(deps: GateDeps) {
    this.deps = deps;
    deps.events.on('stateChanged', (change) => {
      if (this.waits.size === 0) return;
      // After every subscriber has heard this change: a dependent's STARTING must never reach
      // them before the RUNNING that allowed it.
      queueMicrotask(() => {
        try {
          for (const dependent of this.deps.plan().dependents(namespecOf(change.process))) this.evaluate(dependent);
        } catch (error) {
          // Out of the event bus's reach here: say it, never take the daemon down.
          this.deps.log('error', `depends_on: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        }
      });
    });
  }

  /** Spawns `runner` now if what it depends on is RUNNING, else as soon as it is; resolves then. */
  request(runner: ProcessRunner): Promise<StartOutcome> {
    const name = namespecOf(runner.config);
    return new Promise((resolve) => {
      const existing = this.waits.get(name);
      if (existing !== undefined) {
        existing.settle.push(resolve);
        return;
      }
      this.waits.set(name, { runner, settle: [resolve] });
      this.evaluate(name);
      if (this.waits.has(name)) this.deps.log('debug', `${name} waits for ${this.waitingFor(name).join(', ')} (depends_on)`);
    });
  }

  isWaiting(name: string): boolean {
    return this.waits.has(name);
  }

  /** The dependencies a waiting process still waits for (its status description); [] if it is not waiting. */
  waitingFor(name: string): string[] {
    if (!this.waits.has(name)) return [];
    return this.deps.plan().dependencies(name).filter((dep) => {
      const state = this.deps.runner(dep)?.snapshot.state;
      return state !== undefined && state !== 'RUNNING';
    });
  }

  /** Ends one wait without starting it (an operator's stop); false if it was not waiting. */
  cancel(name: string, reason: string): boolean {
    if (!this.waits.has(name)) return false;
    this.deps.log('info', `not starting ${name}: ${reason}`);
    this.finish(name, { started: false, reason });
    return true;
  }

  /** Ends every wait without starting anything (shutdown, reload). */
  cancelAll(reason: string): void {
    const waits = [...this.waits.values()];
    this.waits.clear();
    for (const wait of waits) for (const settle of wait.settle) settle({ started: false, reason });
  }

  /** Re-checks waits after the plan changed (a group added or removed). */
  reevaluate(): void {
    for (const name of [...this.waits.keys()]) {
      if (this.deps.runner(name) === undefined) this.finish(name, { started: false, reason: 'its group was removed' });
      else this.evaluate(name);
    }
  }

  private evaluate(name: string): void {
    const wait = this.waits.get(name);
    if (wait === undefined) return;
    const blocking: string[] = [];
    for (const dep of this.deps.plan().dependencies(name)) {
      const state = this.deps.runner(dep)?.snapshot.state;
      if (state === undefined || state === 'RUNNING') continue;
      if (SETTLED.includes(state) && !this.waits.has(dep)) {
        const reason = `it depends on ${dep}, which is ${state}`;
        this.deps.log('warn', `not starting ${name}: ${reason}`);
        this.finish(name, { started: false, reason });
        return;
      }
      blocking.push(dep);
    }
    if (blocking.length > 0) return;
    if (!this.deps.mayStart()) {
      this.finish(name, { started: false, reason: 'the daemon is stopping' });
      return;
    }
    this.waits.delete(name);
    wait.runner.start();
    for (const settle of wait.settle) settle({ started: true });
  }

  private finish(name: string, outcome: StartOutcome): void {
    const wait = this.waits.get(name);
    if (wait === undefined) return;
    this.waits.delete(name);
    for (const settle of wait.settle) settle(outcome);
    // Who waited on this process now waits on something that will not start by itself.
    for (const dependent of this.deps.plan().dependents(name)) this.evaluate(dependent);
  }
}
