// A small typed bus for the engine's own waits: the control API, the dependency gate, the
// children record and tests wait on a runner's state change (with its config and snapshot) here
// (`waitFor(predicate, timeoutMs)`) instead of polling. What the world is told (group changes,
// shutdown, every PROCESS_STATE_*) goes through the typed event flow, src/events/flow.ts.

import type { StateChange } from '../process/runner.js';

export interface SupervisorEventMap {
  stateChanged: StateChange;
}

type Listener<T> = (payload: T) => void;

export class EventBus {
  private readonly listeners = new Map<keyof SupervisorEventMap, Set<Listener<never>>>();
  private readonly onError: (name: keyof SupervisorEventMap, error: unknown) => void;

  /** `onError` hears what a subscriber threw; the other subscribers and the emitter go on. */
  constructor(onError: (name: keyof SupervisorEventMap, error: unknown) => void = () => undefined) {
    this.onError = onError;
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
    for (const fn of [...(this.listeners.get(name) ?? [])]) {
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
