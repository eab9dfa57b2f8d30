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

/** Adds `fn` to `key`'s set (made on first use); the returned function takes it out again, and the
 *  set too once it is empty (a process's waits must not outlive it). */
function addTo<K, F>(map: Map<K, Set<F>>, key: K, fn: F): () => void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(fn);
  const own = set;
  return () => {
    own.delete(fn);
    if (own.size === 0 && map.get(key) === own) map.delete(key);
  };
}

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
    return addTo(this.byProcess, process, fn);
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
    return addTo<keyof SupervisorEventMap, Listener<never>>(this.listeners, name, fn);
  }

  /** Everyone on the bus first, then the process's own listeners. */
  emit<K extends keyof SupervisorEventMap>(name: K, payload: SupervisorEventMap[K]): void {
    this.callEach(this.listeners.get(name), name, payload);
    this.callEach(this.byProcess.get(payload.process), name, payload);
  }

  private callEach<K extends keyof SupervisorEventMap>(
    listeners: ReadonlySet<Listener<never>> | undefined, name: K, payload: SupervisorEventMap[K],
  ): void {
    if (listeners === undefined) return;
    // A copy: a listener may subscribe another, which must wait for the next event.
    for (const fn of [...listeners]) {
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
