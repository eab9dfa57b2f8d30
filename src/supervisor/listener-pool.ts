// An [eventlistener:x] pool: supervisord's EventListenerPool. It takes the events its `events=`
// subscribe to from the event flow into a bounded buffer, and hands the oldest to the first of its
// processes that is RUNNING and READY, reading each one's stdout as the listener protocol.
// A rejected event, or one in flight when its listener exits, goes back to the head of the buffer.

import type { EventListenerExtras } from '../config/schema.js';
import type { EventFlow } from '../events/flow.js';
import { SerialCounter } from '../events/flow.js';
import { ListenerProtocol, type ListenerState } from '../events/listener-protocol.js';
import { envelope } from '../events/payload.js';
import { decodedOrUndecodable } from '../logging/python-bytes-repr.js';
import { isSubtype, type EngineEvent, type EventTypeName } from '../events/types.js';
import type { RunnerLogLevel } from '../process/runner.js';
import type { ProcessState } from '../process/state.js';

/** What the pool needs of one of its processes. */
export interface PoolMember {
  readonly name: string;
  state(): ProcessState;
}

/** Where the pool writes events: the listener's stdin; false when it is closed (EPIPE). */
export type EventWriter = (bytes: Buffer) => boolean;

interface Listener {
  protocol: ListenerProtocol;
  write: EventWriter;
  inFlight: EngineEvent | null;
}

export interface ListenerPoolDeps {
  readonly flow: EventFlow;
  /** The daemon's identifier, the envelope's `server:`. */
  readonly server: () => string;
  readonly log: (level: RunnerLogLevel, message: string) => void;
  /** Runs the dispatch later in this loop turn (default setImmediate; tests run it at once). */
  readonly defer?: (fn: () => void) => void;
}

const TICK_NAMES: readonly EventTypeName[] = ['TICK_5', 'TICK_60', 'TICK_3600'];

const PROCESS_EXIT_STATES: ReadonlySet<string> = new Set(['PROCESS_STATE_STOPPED', 'PROCESS_STATE_EXITED', 'PROCESS_STATE_BACKOFF']);

export class ListenerPool {
  readonly name: string;
  private readonly config: EventListenerExtras;
  private readonly deps: ListenerPoolDeps;
  private readonly buffer: EngineEvent[] = [];
  private readonly poolSerials = new WeakMap<EngineEvent, number>();
  private readonly serial = new SerialCounter();
  private members: readonly PoolMember[] = [];
  private readonly listeners = new Map<string, Listener>();
  private readonly unsubscribe: () => void;
  private dispatchScheduled = false;

  constructor(name: string, config: EventListenerExtras, deps: ListenerPoolDeps) {
    this.name = name;
    this.config = config;
    this.deps = deps;
    this.unsubscribe = deps.flow.subscribe((event) => {
      this.onEvent(event);
    });
  }

  /** The processes, in the group's order (supervisord tries them in that order). */
  setMembers(members: readonly PoolMember[]): void {
    this.members = members;
  }

  /** Events waiting for a listener (for tests and status). */
  get buffered(): readonly EngineEvent[] {
    return this.buffer;
  }

  listenerState(name: string): ListenerState | null {
    return this.listeners.get(name)?.protocol.state ?? null;
  }

  /** A member was spawned: a fresh protocol (ACKNOWLEDGED) and the sink for its stdout. */
  attach(name: string, write: EventWriter): (chunk: Buffer) => void {
    const log = this.deps.log;
    const listener: Listener = {
      write,
      inFlight: null,
      protocol: new ListenerProtocol({
        stateChanged: (from, to) => {
          log('debug', `${name}: ${from} -> ${to}`);
          if (to === 'UNKNOWN') {
            log('warn', `${name}: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol`);
          }
        },
        result: (body) => {
          this.handleResult(name, listener, body);
        },
        badResultLine: (line) => {
          log('warn', `${name}: bad result line: '${decodedOrUndecodable(line)}'`);
        },
        rejectInFlight: () => {
          this.rejected(listener);
        },
        clearEvent: () => {
          listener.inFlight = null;
        },
      }),
    };
    this.listeners.set(name, listener);
    // Dispatch once the whole chunk is read, as supervisord's next transition() would: READY
    // followed by garbage in one read is a protocol violation, not READY and then a result.
    return (chunk) => {
      listener.protocol.feed(chunk);
      this.scheduleDispatch();
    };
  }

  /** The group is removed: no more events (supervisord's before_remove). */
  close(): void {
    this.unsubscribe();
  }

  /** default_handler: `OK` accepts; anything else rejects the event, which is sent again. */
  private handleResult(name: string, listener: Listener, body: Buffer): void {
    if (body.toString('latin1') === 'OK') {
      this.deps.log('debug', `${name}: event was processed`);
      listener.inFlight = null;
      listener.protocol.change('ACKNOWLEDGED');
      return;
    }
    this.deps.log('warn', `${name}: event was rejected`);
    listener.protocol.change('ACKNOWLEDGED');
    this.rejected(listener);
  }

  private rejected(listener: Listener): void {
    const event = listener.inFlight;
    listener.inFlight = null;
    if (event !== null) this.accept(event, true);
  }

  /** Whether any TICK_* is among what the pool takes (the daemon makes ticks only then). */
  wantsTicks(): boolean {
    return TICK_NAMES.some((name) => this.subscribes(name));
  }

  private subscribes(name: EventTypeName): boolean {
    return this.config.events.some((e) => isSubtype(name, e as EventTypeName));
  }

  private onEvent(event: EngineEvent): void {
    if (this.subscribes(event.name)) this.accept(event, false);
    if ('process' in event && event.process.group === this.name && 'from' in event) {
      const listener = this.listeners.get(event.process.name);
      // finish(): an event the listener had not answered is rejected, and so buffered again.
      if (listener !== undefined && PROCESS_EXIT_STATES.has(event.name) && listener.inFlight !== null) this.rejected(listener);
    }
    this.scheduleDispatch();
  }

  /**
   * Dispatch after what happens in this turn, as supervisord dispatches in the transition() after
   * its I/O and reaping: an event raised just before its listener is told to stop (the
   * SUPERVISOR_STATE_CHANGE_STOPPING of a shutdown) is then not sent to it, there as here.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    (this.deps.defer ?? setImmediate)(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  /** _acceptEvent: number it, and buffer it, discarding the oldest when the buffer is full. */
  private accept(event: EngineEvent, head: boolean): void {
    const serial = this.deps.flow.serialOf(event);
    if (this.poolSerials.has(event)) {
      this.deps.log('debug', `rebuffering event ${serial} for pool ${this.name} (buf size=${this.buffer.length}, max=${this.config.bufferSize})`);
    } else {
      this.poolSerials.set(event, this.serial.next());
    }
    if (this.buffer.length >= this.config.bufferSize) {
      const discarded = this.buffer.shift();
      if (discarded !== undefined) {
        this.deps.log('error', `pool ${this.name} event buffer overflowed, discarding event ${this.deps.flow.serialOf(discarded)}`);
      }
    }
    if (head) this.buffer.unshift(event);
    else this.buffer.push(event);
  }

  /** Hands buffered events, oldest first, to RUNNING and READY listeners while there are both. */
  private dispatch(): void {
    const capable = this.members.some((m) => m.state() === 'RUNNING' && this.listeners.get(m.name)?.protocol.state === 'READY');
    if (!capable) return;
    for (let event = this.buffer.shift(); event !== undefined; event = this.buffer.shift()) {
      if (!this.send(event)) {
        this.accept(event, true);
        return;
      }
    }
  }

  private send(event: EngineEvent): boolean {
    for (const member of this.members) {
      const listener = this.listeners.get(member.name);
      if (member.state() !== 'RUNNING' || listener?.protocol.state !== 'READY') continue;
      const serial = this.deps.flow.serialOf(event);
      const bytes = envelope(event, { server: this.deps.server(), serial, pool: this.name, poolSerial: this.poolSerials.get(event) ?? 0 });
      if (!listener.write(bytes)) {
        this.deps.log('debug', `epipe occurred while sending event ${serial} to listener ${member.name}, listener state unchanged`);
        continue;
      }
      listener.protocol.sent();
      listener.inFlight = event;
      this.deps.log('debug', `event ${serial} sent to listener ${member.name}`);
      return true;
    }
    return false;
  }
}
