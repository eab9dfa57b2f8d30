// In-memory doubles for the runner's seams: a clock whose time only moves when told, and a
// spawner whose children exit when the test says so.

import { PassThrough } from 'node:stream';
import type { Cancel, Clock } from '../../src/process/clock.js';
import type { ChildExit, SpawnRequest, SpawnSpec, Spawner } from '../../src/process/spawner.js';

export class FakeClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(at: number, fn: () => void): Cancel {
    const timer = { at, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.live = false;
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = end;
  }
}

export interface FakeChild {
  readonly pid: number;
  readonly spec: SpawnSpec;
  /** SpawnRequest.asked: a start someone asked for, not a restart. */
  readonly asked: boolean;
  exit(exit: ChildExit): void;
}

export class FakeSpawner implements Spawner {
  readonly children: FakeChild[] = [];
  readonly signals: { pid: number; signal: string; group: boolean }[] = [];
  /** With `queued`, requests wait here until runQueued() (the real spawner's later turn). */
  readonly queue: SpawnRequest[] = [];
  queued = false;
  private nextPid = 100;

  spawn(request: SpawnRequest): void {
    if (this.queued) this.queue.push(request);
    else this.start(request);
  }

  runQueued(): void {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) this.start(next);
  }

  private start(request: SpawnRequest): void {
    if (!request.wanted()) {
      request.settle({ kind: 'cancelled' });
      return;
    }
    let resolveExit: (exit: ChildExit) => void = () => undefined;
    const exited = new Promise<ChildExit>((resolve) => {
      resolveExit = resolve;
    });
    const pid = this.nextPid++;
    const spec: SpawnSpec = request.spec;
    this.children.push({ pid, spec, asked: request.asked === true, exit: resolveExit });
    request.settle({ kind: 'spawned', child: { pid, stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), exited } });
  }

  kill(pid: number, signal: string, group: boolean): void {
    this.signals.push({ pid, signal, group });
  }
}
