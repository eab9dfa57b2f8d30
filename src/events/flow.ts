// The engine's one event flow. Facts are published here once a transition's effects are done;
// listener pools, the dashboard's feed and metrics all subscribe. A subscriber that throws is
// logged and skipped: it can never stall the process whose change it was told about.

import type { EngineEvent } from './types.js';

export type EventSubscriber = (event: EngineEvent) => void;

/** supervisord's GlobalSerial / pool serials: -1 before the first, wrapping like Python's maxint. */
export class SerialCounter {
  private value = -1;

  next(): number {
    this.value = this.value === Number.MAX_SAFE_INTEGER ? 0 : this.value + 1;
    return this.value;
  }
}

export class EventFlow {
  private subscribers: readonly EventSubscriber[] = [];
  private readonly serials = new WeakMap<EngineEvent, number>();
  private readonly globalSerial = new SerialCounter();
  private readonly onError: (error: unknown, event: EngineEvent) => void;

  constructor(onError: (error: unknown, event: EngineEvent) => void) {
    this.onError = onError;
  }

  /** Subscribers are told in the order they subscribed (supervisord's callbacks list). */
  subscribe(fn: EventSubscriber): () => void {
    this.subscribers = [...this.subscribers, fn];
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== fn);
    };
  }

  publish(event: EngineEvent): void {
    for (const fn of this.subscribers) {
      try {
        fn(event);
      } catch (error) {
        this.onError(error, event);
      }
    }
  }

  /**
   * The event's global serial, numbered when a listener pool first accepts it (as supervisord's
   * _acceptEvent): events no pool takes use up no serial, so listeners see 0, 1, 2 ... as there.
   */
  serialOf(event: EngineEvent): number {
    let serial = this.serials.get(event);
    if (serial === undefined) {
      serial = this.globalSerial.next();
      this.serials.set(event, serial);
    }
    return serial;
  }
}
