// Per-process counters for /metrics and the JSON API's `restarts`, counted from the engine's
// event flow: spawns (restarts are the spawns after the first) and ends on its own, by expected
// or not. Plain numbers in one small object per process that ever changed state; a removed
// group's go with it. Nothing else is kept: state, start time and last exit code are read from
// the runner and its crash history when asked.

import type { EventFlow } from '../events/flow.js';
import type { EngineEvent } from '../events/types.js';

export interface Counts {
  /** PROCESS_STATE_STARTING events: every spawn attempt, automatic or asked for. */
  starts: number;
  /** EXITED with an exit code listed in exitcodes=. */
  exitsExpected: number;
  /** EXITED with another code, or an exit (or a failed spawn) while STARTING: STARTING -> BACKOFF. */
  exitsUnexpected: number;
}

const ZERO: Readonly<Counts> = Object.freeze({ starts: 0, exitsExpected: 0, exitsUnexpected: 0 });

/** A group's names and a process's, joined by a character neither may hold. */
const keyOf = (group: string, name: string): string => `${group}\n${name}`;

/** What one event changes in `counts` (pure); false when it is not a counted fact. */
export function count(counts: Counts, event: EngineEvent): boolean {
  if (!event.name.startsWith('PROCESS_STATE_') || !('from' in event)) return false;
  if (event.to === 'STARTING') counts.starts++;
  else if (event.to === 'EXITED' && event.expected) counts.exitsExpected++;
  else if (event.to === 'EXITED' || (event.to === 'BACKOFF' && event.from === 'STARTING')) counts.exitsUnexpected++;
  else return false;
  return true;
}

export class ProcessCounters {
  private readonly byProcess = new Map<string, Counts>();
  private readonly unsubscribe: () => void;

  constructor(flow: EventFlow) {
    this.unsubscribe = flow.subscribe((event) => {
      this.take(event);
    });
  }

  private take(event: EngineEvent): void {
    if (event.name === 'PROCESS_GROUP_REMOVED') {
      this.forgetGroup(event.group);
      return;
    }
    if (!('from' in event)) return;
    const key = keyOf(event.process.group, event.process.name);
    let counts = this.byProcess.get(key);
    if (counts === undefined) {
      counts = { ...ZERO };
      if (!count(counts, event)) return;
      this.byProcess.set(key, counts);
      return;
    }
    count(counts, event);
  }

  private forgetGroup(group: string): void {
    const prefix = keyOf(group, '');
    for (const key of this.byProcess.keys()) if (key.startsWith(prefix)) this.byProcess.delete(key);
  }

  /** The counts of one process (zeros before its first spawn). Read only. */
  of(group: string, name: string): Readonly<Counts> {
    return this.byProcess.get(keyOf(group, name)) ?? ZERO;
  }

  /** Spawns after the first. */
  restartsOf(group: string, name: string): number {
    return Math.max(0, this.of(group, name).starts - 1);
  }

  /**
   * Drops the counts of processes no longer loaded (a reload replaces the groups without
   * PROCESS_GROUP_REMOVED, as supervisord's): `loaded` holds `group`, `name` pairs.
   */
  retain(loaded: readonly { readonly group: string; readonly name: string }[]): void {
    const keep = new Set(loaded.map((p) => keyOf(p.group, p.name)));
    for (const key of this.byProcess.keys()) if (!keep.has(key)) this.byProcess.delete(key);
  }

  close(): void {
    this.unsubscribe();
  }
}
