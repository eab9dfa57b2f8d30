// A small typed bus for the engine's own waits: the control API, the dependency gate, the
// children record and tests wait on a runner's state change (with its config and snapshot) here
// (`waitFor(predicate, timeoutMs)`) instead of polling. What the world is told (group changes,
// shutdown, every PROCESS_STATE_*) goes through the typed event flow, src/events/flow.ts.

import type { ProcessConfig } from '../config/schema.js';
import type { StateChange } from '../process/runner.js';

export interface SupervisorEventMap {
  stateChanged: StateChange;
}

type Listener<T> = (payload: T) => void;

export class EventBus {
  private readonly listeners = new Map<keyof SupervisorEventMap, Set<Listener<never>>>();
  private readonly byProcess = new Map<ProcessConfig, Set<Listener<StateChange>>>();
  private readonly onError: (name: keyof SupervisorEventMap, error: unknown) => void;

  /** `onError` hears what a subscriber threw; the other subscribers and the emitter go on. */
  constructor(onError: (name: keyof SupervisorEventMap, error: unknown) => void = () => undefined) {
    this.onError = onError;
  }

  /**
   * One process's state changes only. A wait on one process (each of start all's or stop all's
   * thousand) registered on the whole bus was asked about every other process's change too:
   * 1000 waiters x 2000 changes, O(n^2); keyed, each change reaches only its own waiters.
   */
  onProcess(process: ProcessConfig, fn: Listener<StateChange>): () => void {
    let set = this.byProcess.get(process);
    if (set === undefined) {
      set = new Set();
      this.byProcess.set(process, set);
    }
    set.add(fn);
    const own = set;
    return () => {
      own.delete(fn);
      if (own.size === 0 && this.byProcess.get(process) === own) this.byProcess.delete(process);
    };
  }

  /** Resolves with `process`'s next state change. */
  async nextChangeOf(process: ProcessConfig): Promise<StateChange> {
    return new Promise((resolve) => {
      const off = this.onProcess(process, (change) => {
        off();
        resolve(change);
      });
    });
  }

  on<K extends keyof SupervisorEventMap>(name: K, fn: Listener<SupervisorEventMap[K]>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<K extends keyof SupervisorEventMap>(name: K, payload: SupervisorEventMap[K]): void {
    const keyed = this.byProcess.get(payload.process);
    for (const fn of [...(this.listeners.get(name) ?? []), ...(keyed ?? [])]) {
      try {
        (fn as Listener<SupervisorEventMap[K]>)(payload);
      } catch (error) {
        this.onError(name, error);
      }
    }
  }

  /** Resolves with the first event matching `predicate`; rejects after `timeoutMs` (if given). */
  async waitFor<K extends keyof SupervisorEventMap>(
    name: K, predicate: (payload: SupervisorEventMap[K]) => boolean, timeoutMs?: number,
  ): Promise<SupervisorEventMap[K]> {
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${name}`));
      }, timeoutMs);
      const off = this.on(name, (payload) => {
        if (!predicate(payload)) return;
        off();
        clearTimeout(timer);
        resolve(payload);
      });
    });
  }
}
