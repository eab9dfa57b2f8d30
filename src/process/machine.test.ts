import { describe, expect, it } from 'vitest';
import { initialSnapshot, transition, EXITED_TOO_QUICKLY } from './machine.js';
import type { Effect, MachineProgram, ProcessEvent, ProcessSnapshot } from './machine.js';
import { STATE_CODES, STOPPED_STATES, RUNNING_STATES, SIGNALLABLE_STATES, stateFromCode } from './state.js';

const T0 = 1_700_000_000_000;

function prog(over: Partial<MachineProgram> = {}): MachineProgram {
  return {
    name: 'x', startMs: 1000, startRetries: 3, autorestart: 'unexpected', exitCodes: [0],
    stopSignal: 'TERM', stopWaitMs: 10_000, stopAsGroup: false, killAsGroup: false, ready: null, readyTimeoutMs: 60_000,
    backoff: 'linear', backoffMaxMs: 60_000, fatalRetryAfterMs: 0, ...over,
  };
}

function snap(over: Partial<ProcessSnapshot> = {}): ProcessSnapshot {
  return { ...initialSnapshot(), ...over };
}

const ev = {
  start: (now = T0): ProcessEvent => ({ type: 'start', now }),
  spawned: (pid: number, now = T0): ProcessEvent => ({ type: 'spawned', now, pid }),
  spawnFailed: (message: string, now = T0): ProcessEvent => ({ type: 'spawnFailed', now, message }),
  exit: (code: number | null, now = T0, signal: string | null = null): ProcessEvent =>
    ({ type: 'exited', now, code, signal }),
  tick: (now = T0): ProcessEvent => ({ type: 'tick', now }),
  stop: (now = T0): ProcessEvent => ({ type: 'stop', now }),
  giveUp: (now = T0): ProcessEvent => ({ type: 'giveUp', now }),
  signalFailed: (message: string, now = T0): ProcessEvent => ({ type: 'signalFailed', now, message }),
  spawnCancelled: (now = T0): ProcessEvent => ({ type: 'spawnCancelled', now }),
};

const sc = (from: string, to: string): Partial<Effect> => ({ type: 'stateChanged', from, to } as Partial<Effect>);
const info = (message: string): Effect => ({ type: 'log', level: 'info', message });
const warn = (message: string): Effect => ({ type: 'log', level: 'warn', message });
const debug = (message: string): Effect => ({ type: 'log', level: 'debug', message });

const running = snap({ state: 'RUNNING', pid: 123, laststart: T0 - 5000 });
const starting = snap({ state: 'STARTING', pid: 123, laststart: T0 - 500, delayUntil: T0 + 501 });
const startingNoPid = snap({ state: 'STARTING', pid: 0, laststart: T0, delayUntil: T0 + 1001 });
const stopping = snap({ state: 'STOPPING', pid: 123, laststart: T0 - 9000, killing: true, delayUntil: T0 + 10_000 });
const backoff = snap({ state: 'BACKOFF', backoff: 1, delayUntil: T0 + 1000, spawnErr: EXITED_TOO_QUICKLY });

interface Row {
  name: string; from: ProcessSnapshot; event: ProcessEvent; program?: Partial<MachineProgram>;
  to: Partial<ProcessSnapshot>; effects: readonly Partial<Effect>[];
}

const spawnFx = (now = T0, startMs = 1000): Partial<Effect>[] =>
  [{ type: 'spawn' }, { type: 'setTimer', at: now + startMs + 1 }];

const rows: Row[] = [
  // start
  { name: 'STOPPED + start', from: snap(), event: ev.start(), to: { state: 'STARTING', pid: 0, laststart: T0 },
    effects: [sc('STOPPED', 'STARTING'), ...spawnFx()] },
  { name: 'EXITED + start', from: snap({ state: 'EXITED', exitStatus: 0 }), event: ev.start(),
    to: { state: 'STARTING', exitStatus: null }, effects: [sc('EXITED', 'STARTING'), ...spawnFx()] },
  { name: 'FATAL + start', from: snap({ state: 'FATAL', spawnErr: 'boom' }), event: ev.start(),
    to: { state: 'STARTING', spawnErr: null, backoff: 0 }, effects: [sc('FATAL', 'STARTING'), ...spawnFx()] },
  { name: 'BACKOFF + start keeps the counter', from: backoff, event: ev.start(), to: { state: 'STARTING', backoff: 1 },
    effects: [sc('BACKOFF', 'STARTING'), ...spawnFx()] },
  { name: 'RUNNING + start refused', from: running, event: ev.start(), to: running, effects: [] },
  { name: 'STARTING + start refused', from: starting, event: ev.start(), to: starting, effects: [] },
  { name: 'STOPPING + start refused', from: stopping, event: ev.start(), to: stopping, effects: [] },
  { name: 'UNKNOWN + start refused', from: snap({ state: 'UNKNOWN', pid: 9 }), event: ev.start(), to: { state: 'UNKNOWN' }, effects: [] },
  // spawned / spawnFailed
  { name: 'STARTING + spawned', from: startingNoPid, event: ev.spawned(42), to: { state: 'STARTING', pid: 42 },
    effects: [info("spawned: 'x' with pid 42"), { type: 'setTimer', at: T0 + 1000 + 1 }] },
  { name: 'STARTING + spawned after waiting its turn: startsecs counts from the fork', from: startingNoPid,
    event: ev.spawned(42, T0 + 700), to: { state: 'STARTING', pid: 42, laststart: T0 + 700, delayUntil: T0 + 700 + 1000 + 1 },
    effects: [info("spawned: 'x' with pid 42"), { type: 'setTimer', at: T0 + 700 + 1000 + 1 }] },
  { name: 'STARTING + spawned, startsecs=0', from: startingNoPid, event: ev.spawned(42), program: { startMs: 0 },
    to: { state: 'RUNNING', pid: 42, backoff: 0 },
    effects: [info("spawned: 'x' with pid 42"), sc('STARTING', 'RUNNING'),
      info('success: x entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)')] },
  { name: 'STARTING + spawnFailed', from: startingNoPid, event: ev.spawnFailed("can't find command 'nope'"),
    to: { state: 'BACKOFF', backoff: 1, delayUntil: T0 + 1000, spawnErr: "can't find command 'nope'" },
    effects: [info("spawnerr: can't find command 'nope'"), sc('STARTING', 'BACKOFF'), { type: 'setTimer', at: T0 + 1000 }] },
  { name: 'STARTING + spawnFailed, retries exhausted', from: snap({ ...startingNoPid, backoff: 3 }), event: ev.spawnFailed('e'),
    to: { state: 'FATAL', backoff: 0, delayUntil: 0, systemStop: true, spawnErr: 'e' },
    effects: [info('spawnerr: e'), sc('STARTING', 'BACKOFF'), sc('BACKOFF', 'FATAL'),
      info('gave up: x entered FATAL state, too many start retries too quickly'), { type: 'logLastOutput' }] },
  { name: 'RUNNING + spawned ignored', from: running, event: ev.spawned(7), to: running, effects: [] },
  // STARTING ticks and exits
  { name: 'STARTING + tick at exactly startsecs', from: starting, event: ev.tick(T0 + 500), to: { state: 'STARTING' },
    effects: [{ type: 'setTimer', at: T0 + 501 }] },
  { name: 'STARTING + tick past startsecs', from: starting, event: ev.tick(T0 + 501), to: { state: 'RUNNING', backoff: 0, delayUntil: 0 },
    effects: [sc('STARTING', 'RUNNING'), info('success: x entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)')] },
  { name: 'STARTING + tick, fractional startsecs', from: starting, event: ev.tick(T0 + 1001), program: { startMs: 1500 },
    to: { state: 'RUNNING' }, effects: [sc('STARTING', 'RUNNING'),
      info('success: x entered RUNNING state, process has stayed up for > than 1.5 seconds (startsecs)')] },
  { name: 'STARTING + exit 0 too quickly', from: starting, event: ev.exit(0),
    to: { state: 'BACKOFF', backoff: 1, exitStatus: null, spawnErr: EXITED_TOO_QUICKLY, pid: 0, laststop: T0, expected: false },
    effects: [sc('STARTING', 'BACKOFF'), warn('exited: x (exit status 0; not expected)'), { type: 'setTimer', at: T0 + 1000 }] },
  { name: 'STARTING + exit at exactly startsecs passes through RUNNING', from: starting, event: ev.exit(0, T0 + 500),
    to: { state: 'EXITED', exitStatus: 0, expected: true },
    effects: [sc('STARTING', 'RUNNING'), { type: 'stateChanged', from: 'RUNNING', to: 'EXITED', expected: true },
      info('exited: x (exit status 0; expected)')] },
  // RUNNING exits and autorestart
  { name: 'RUNNING + exit 0, unexpected policy', from: running, event: ev.exit(0),
    to: { state: 'EXITED', pid: 0, exitStatus: 0, expected: true, laststop: T0 },
    effects: [{ type: 'stateChanged', from: 'RUNNING', to: 'EXITED', expected: true }, info('exited: x (exit status 0; expected)')] },
  { name: 'RUNNING + exit 1, unexpected policy → respawn', from: { ...running, backoff: 2 }, event: ev.exit(1),
    to: { state: 'STARTING', pid: 0, backoff: 0, laststart: T0, spawnErr: null },
    effects: [{ type: 'stateChanged', from: 'RUNNING', to: 'EXITED', expected: false }, warn('exited: x (exit status 1; not expected)'),
      sc('EXITED', 'STARTING'), ...spawnFx()] },
  { name: 'RUNNING + SIGKILL, false policy', from: running, event: ev.exit(null, T0, 'SIGKILL'), program: { autorestart: 'false' },
    to: { state: 'EXITED', exitStatus: -1, expected: false, spawnErr: 'Bad exit code -1' },
    effects: [{ type: 'stateChanged', from: 'RUNNING', to: 'EXITED', expected: false },
      warn('exited: x (terminated by SIGKILL; not expected)')] },
  { name: 'RUNNING + exit 0, true policy → respawn', from: running, event: ev.exit(0), program: { autorestart: 'true' },
    to: { state: 'STARTING' }, effects: [sc('RUNNING', 'EXITED'), info('exited: x (exit status 0; expected)'), sc('EXITED', 'STARTING'), ...spawnFx()] },
  { name: 'RUNNING + exit while shutting down: no respawn', from: running,
    event: { type: 'exited', now: T0, code: 1, signal: null, shuttingDown: true },
    to: { state: 'EXITED' }, effects: [sc('RUNNING', 'EXITED'), warn('exited: x (exit status 1; not expected)')] },
  { name: 'EXITED + tick, true policy', from: snap({ state: 'EXITED', expected: true, exitStatus: 0 }), event: ev.tick(),
    program: { autorestart: 'true' }, to: { state: 'STARTING' }, effects: [sc('EXITED', 'STARTING'), ...spawnFx()] },
  { name: 'EXITED + tick, false policy', from: snap({ state: 'EXITED', expected: false }), event: ev.tick(),
    program: { autorestart: 'false' }, to: { state: 'EXITED' }, effects: [] },
  // stop
  { name: 'RUNNING + stop', from: running, event: ev.stop(),
    to: { state: 'STOPPING', killing: true, administrativeStop: true, delayUntil: T0 + 10_000, lastSignal: 'TERM' },
    effects: [debug('killing x (pid 123) with signal SIGTERM'), sc('RUNNING', 'STOPPING'),
      { type: 'signal', signal: 'TERM', group: false }, { type: 'setTimer', at: T0 + 10_000 }] },
  { name: 'RUNNING + stop, stopasgroup', from: running, event: ev.stop(), program: { stopAsGroup: true, killAsGroup: true, stopSignal: 'INT' },
    to: { state: 'STOPPING' }, effects: [debug('killing x (pid 123) process group with signal SIGINT'), sc('RUNNING', 'STOPPING'),
      { type: 'signal', signal: 'INT', group: true }, { type: 'setTimer', at: T0 + 10_000 }] },
  { name: 'STARTING + stop', from: starting, event: ev.stop(), to: { state: 'STOPPING', killing: true },
    effects: [debug('killing x (pid 123) with signal SIGTERM'), sc('STARTING', 'STOPPING'),
      { type: 'signal', signal: 'TERM', group: false }, { type: 'setTimer', at: T0 + 10_000 }] },
  { name: 'STARTING (spawn in flight) + stop', from: startingNoPid, event: ev.stop(), to: { state: 'STOPPING', killing: true, pid: 0, delayUntil: 0 },
    effects: [sc('STARTING', 'STOPPING')] },
  { name: 'STOPPING (spawn in flight) + spawned → signal', from: snap({ state: 'STOPPING', killing: true, laststart: T0 }),
    event: ev.spawned(55), to: { state: 'STOPPING', pid: 55 },
    effects: [info("spawned: 'x' with pid 55"), debug('killing x (pid 55) with signal SIGTERM'),
      { type: 'signal', signal: 'TERM', group: false }, { type: 'setTimer', at: T0 + 10_000 }] },
  { name: 'STOPPING (spawn in flight) + spawnFailed', from: snap({ state: 'STOPPING', killing: true, laststart: T0 }),
    event: ev.spawnFailed('e'), to: { state: 'STOPPED', killing: false, spawnErr: 'e' }, effects: [info('spawnerr: e'), sc('STOPPING', 'STOPPED')] },
  { name: 'STOPPING (spawn still queued) + spawnCancelled', from: snap({ state: 'STOPPING', killing: true, laststart: T0 }),
    event: ev.spawnCancelled(), to: { state: 'STOPPED', killing: false, pid: 0 },
    effects: [sc('STOPPING', 'STOPPED'), info('stopped: x (before it was spawned)')] },
  { name: 'STARTING (spawn still queued, daemon shutting down) + spawnCancelled', from: startingNoPid, event: ev.spawnCancelled(),
    to: { state: 'STOPPED', pid: 0 }, effects: [sc('STARTING', 'STOPPED'), info('stopped: x (before it was spawned)')] },
  { name: 'STOPPING with a pid + spawnCancelled refused', from: stopping, event: ev.spawnCancelled(), to: stopping, effects: [] },
  { name: 'BACKOFF + stop: no signal, backoff kept', from: backoff, event: ev.stop(),
    to: { state: 'STOPPED', backoff: 1, administrativeStop: true },
    effects: [debug('Attempted to kill x, which is in BACKOFF state.'), sc('BACKOFF', 'STOPPED')] },
  { name: 'STOPPED + stop no-op', from: snap(), event: ev.stop(), to: { state: 'STOPPED', administrativeStop: false }, effects: [] },
  { name: 'EXITED + stop no-op', from: snap({ state: 'EXITED' }), event: ev.stop(), to: { state: 'EXITED' }, effects: [] },
  { name: 'FATAL + stop no-op', from: snap({ state: 'FATAL' }), event: ev.stop(), to: { state: 'FATAL' }, effects: [] },
  { name: 'STOPPING + stop no-op', from: stopping, event: ev.stop(), to: stopping, effects: [] },
  // STOPPING
  { name: 'STOPPING + tick before stopwaitsecs', from: stopping, event: ev.tick(T0 + 9999), to: { state: 'STOPPING' },
    effects: [{ type: 'setTimer', at: T0 + 10_000 }] },
  { name: 'STOPPING + tick at stopwaitsecs → SIGKILL', from: stopping, event: ev.tick(T0 + 10_000),
    to: { state: 'STOPPING', delayUntil: T0 + 20_000, lastSignal: 'KILL' },
    effects: [warn("killing 'x' (123) with SIGKILL"), debug('killing x (pid 123) with signal SIGKILL'),
      { type: 'signal', signal: 'KILL', group: false }, { type: 'setTimer', at: T0 + 20_000 }] },
  { name: 'STOPPING + tick → SIGKILL to the group', from: stopping, event: ev.tick(T0 + 10_000), program: { killAsGroup: true },
    to: { state: 'STOPPING' }, effects: [warn("killing 'x' (123) with SIGKILL"), debug('killing x (pid 123) process group with signal SIGKILL'),
      { type: 'signal', signal: 'KILL', group: true }, { type: 'setTimer', at: T0 + 20_000 }] },
  { name: 'STOPPING + exit by SIGTERM', from: stopping, event: ev.exit(null, T0, 'SIGTERM'),
    to: { state: 'STOPPED', pid: 0, killing: false, exitStatus: -1, delayUntil: 0 },
    effects: [sc('STOPPING', 'STOPPED'), warn('stopped: x (terminated by SIGTERM)')] },
  { name: 'STOPPING + exit 0', from: stopping, event: ev.exit(0), to: { state: 'STOPPED', exitStatus: 0 },
    effects: [sc('STOPPING', 'STOPPED'), info('stopped: x (exit status 0)')] },
  { name: 'STOPPING + exit, autorestart=true still STOPPED', from: stopping, event: ev.exit(0), program: { autorestart: 'true' },
    to: { state: 'STOPPED' }, effects: [sc('STOPPING', 'STOPPED'), info('stopped: x (exit status 0)')] },
  // BACKOFF
  { name: 'BACKOFF + early tick', from: backoff, event: ev.tick(T0 + 999), to: { state: 'BACKOFF' }, effects: [{ type: 'setTimer', at: T0 + 1000 }] },
  { name: 'BACKOFF + tick at delay → respawn', from: backoff, event: ev.tick(T0 + 1000), to: { state: 'STARTING', backoff: 1 },
    effects: [sc('BACKOFF', 'STARTING'), ...spawnFx(T0 + 1000)] },
  { name: 'BACKOFF + tick while shutting down', from: backoff, event: { type: 'tick', now: T0 + 1000, shuttingDown: true },
    to: { state: 'BACKOFF' }, effects: [] },
  { name: 'BACKOFF + giveUp → FATAL silently', from: backoff, event: ev.giveUp(), to: { state: 'FATAL', backoff: 0, systemStop: true },
    effects: [sc('BACKOFF', 'FATAL')] },
  { name: 'RUNNING + giveUp no-op', from: running, event: ev.giveUp(), to: running, effects: [] },
  // FATAL / UNKNOWN
  { name: 'FATAL + tick stays', from: snap({ state: 'FATAL' }), event: ev.tick(T0 + 99_999), to: { state: 'FATAL' }, effects: [] },
  { name: 'STOPPING + signalFailed → UNKNOWN', from: stopping, event: ev.signalFailed('EPERM'),
    to: { state: 'UNKNOWN', killing: false, delayUntil: 0, pid: 123 },
    effects: [{ type: 'log', level: 'critical', message: 'unknown problem killing x (123):EPERM' }, sc('STOPPING', 'UNKNOWN')] },
  { name: 'STOPPED + signalFailed ignored', from: snap(), event: ev.signalFailed('x'), to: { state: 'STOPPED' }, effects: [] },
  { name: 'UNKNOWN + exit → EXITED', from: snap({ state: 'UNKNOWN', pid: 9, laststart: T0 - 5000 }), event: ev.exit(0),
    to: { state: 'EXITED', pid: 0 }, effects: [sc('UNKNOWN', 'EXITED'), info('exited: x (exit status 0; expected)')] },
  { name: 'exit with no child ignored', from: snap({ state: 'EXITED' }), event: ev.exit(0), to: { state: 'EXITED' }, effects: [] },
];

describe('transition edges', () => {
  it.each(rows)('$name', ({ from, event, program, to, effects }) => {
    const r = transition(from, event, prog(program));
    expect(r.snapshot).toMatchObject(to);
    // A run's `ended` facts have their own tests (crash history, below).
    const shown = r.effects.filter((e) => e.type !== 'ended');
    expect(shown).toMatchObject(effects);
    expect(shown).toHaveLength(effects.length);
  });
});

/** Drives one process against a fake clock, acting as the runner would. */
class Harness {
  now = T0;
  s = initialSnapshot();
  readonly effects: { at: number; e: Effect }[] = [];
  timer: number | null = null;
  nextPid = 100;
  readonly p: MachineProgram;
  constructor(p: MachineProgram) { this.p = p; }
  send(e: ProcessEvent): readonly Effect[] {
    const r = transition(this.s, e, this.p);
    this.s = r.snapshot;
    for (const x of r.effects) {
      this.effects.push({ at: this.now, e: x });
      if (x.type === 'setTimer') this.timer = x.at;
    }
    return r.effects;
  }
  /** Advance to the pending timer and tick. */
  fire(): void {
    if (this.timer === null) throw new Error('no timer');
    this.now = this.timer;
    this.timer = null;
    this.send({ type: 'tick', now: this.now });
  }
  of<K extends Effect['type']>(type: K): { at: number; e: Extract<Effect, { type: K }> }[] {
    return this.effects.filter((x): x is { at: number; e: Extract<Effect, { type: K }> } => x.e.type === type);
  }
  logs(): string[] { return this.of('log').filter((x) => x.e.level !== 'debug').map((x) => `${x.e.level} ${x.e.message}`); }
}

describe('scenarios', () => {
  it('startretries=3 and a program that exits at once: 4 spawns, waits 1, 2, 3 s, then FATAL', () => {
    const h = new Harness(prog({ startRetries: 3, startMs: 500 }));
    h.send({ type: 'start', now: h.now });
    for (let i = 0; i < 4; i++) {
      h.send({ type: 'spawned', now: h.now, pid: h.nextPid++ });
      h.now += 10;
      h.send({ type: 'exited', now: h.now, code: 1, signal: null });
      if (h.s.state === 'FATAL') break;
      expect(h.s.state).toBe('BACKOFF');
      expect(h.timer).toBe(h.now + (i + 1) * 1000);
      h.fire();
    }
    const spawns = h.of('spawn').map((x) => x.at - T0);
    expect(spawns).toEqual([0, 1010, 3020, 6030]);
    const backoffTimers = h.of('setTimer').filter((x) => x.e.at - x.at >= 1000).map((x) => x.e.at - x.at);
    expect(backoffTimers).toEqual([1000, 2000, 3000]);
    expect(h.s).toMatchObject({ state: 'FATAL', backoff: 0, spawnErr: EXITED_TOO_QUICKLY });
    expect(h.logs().slice(-3)).toEqual([
      "info spawned: 'x' with pid 103",
      'warn exited: x (exit status 1; not expected)',
      'info gave up: x entered FATAL state, too many start retries too quickly',
    ]);
    // FATAL is never retried; ticks change nothing; a manual start works and starts counting afresh.
    expect(h.send({ type: 'tick', now: h.now + 60_000 })).toEqual([]);
    h.send({ type: 'start', now: h.now });
    expect(h.s).toMatchObject({ state: 'STARTING', backoff: 0 });
    h.send({ type: 'spawned', now: h.now, pid: 200 });
    h.send({ type: 'exited', now: h.now, code: 1, signal: null });
    expect(h.s).toMatchObject({ state: 'BACKOFF', backoff: 1 });
  });

  it('startretries=0: one attempt then FATAL in the same transition', () => {
    const h = new Harness(prog({ startRetries: 0 }));
    h.send({ type: 'start', now: h.now });
    h.send({ type: 'spawnFailed', now: h.now, message: "can't find command '/nonexistent/cmd'" });
    expect(h.s.state).toBe('FATAL');
    expect(h.s.spawnErr).toBe("can't find command '/nonexistent/cmd'");
    expect(h.of('stateChanged').map((x) => x.e.to)).toEqual(['STARTING', 'BACKOFF', 'FATAL']);
  });

  it('startsecs=0: RUNNING on spawn, a crash logs success then exited and respawns forever', () => {
    const h = new Harness(prog({ startMs: 0, autorestart: 'unexpected' }));
    h.send({ type: 'start', now: h.now });
    h.send({ type: 'spawned', now: h.now, pid: 1 });
    expect(h.s.state).toBe('RUNNING');
    h.send({ type: 'exited', now: h.now, code: 2, signal: null });
    expect(h.s).toMatchObject({ state: 'STARTING', backoff: 0 });
    expect(h.logs()).toEqual([
      "info spawned: 'x' with pid 1",
      'info success: x entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)',
      'warn exited: x (exit status 2; not expected)',
    ]);
  });

  const restartCases: [MachineProgram['autorestart'], number | null, string | null, boolean, readonly number[]][] = [
    ['true', 0, null, true, [0]], ['true', 3, null, true, [0]], ['true', null, 'SIGTERM', true, [0]],
    ['false', 0, null, false, [0]], ['false', 3, null, false, [0]], ['false', null, 'SIGKILL', false, [0]],
    ['unexpected', 0, null, false, [0]], ['unexpected', 3, null, true, [0]], ['unexpected', null, 'SIGSEGV', true, [0]],
    ['unexpected', 3, null, false, [0, 3]], ['unexpected', 0, null, true, [1, 2]],
  ];
  it.each(restartCases)('autorestart=%s, exit code %s, signal %s → respawn %s (exitcodes %j)', (autorestart, code, signal, respawn, exitCodes) => {
    const h = new Harness(prog({ autorestart, exitCodes }));
    h.send({ type: 'start', now: h.now });
    h.send({ type: 'spawned', now: h.now, pid: 1 });
    h.fire();
    expect(h.s.state).toBe('RUNNING');
    h.now += 60_000;
    h.send({ type: 'exited', now: h.now, code, signal });
    expect(h.s.state).toBe(respawn ? 'STARTING' : 'EXITED');
    expect(h.of('spawn')).toHaveLength(respawn ? 2 : 1);
    const exitedChange = h.of('stateChanged').find((x) => x.e.to === 'EXITED');
    const expected = signal === null && code !== null && exitCodes.includes(code);
    expect(exitedChange?.e.expected).toBe(expected);
  });

  it('stop during STARTING, SIGKILL escalation after stopwaitsecs (killasgroup), then STOPPED', () => {
    const h = new Harness(prog({ stopWaitMs: 2000, stopAsGroup: true, killAsGroup: true }));
    h.send({ type: 'start', now: h.now });
    h.send({ type: 'spawned', now: h.now, pid: 77 });
    h.now += 300;
    h.send({ type: 'stop', now: h.now });
    expect(h.s.state).toBe('STOPPING');
    expect(h.timer).toBe(T0 + 2300);
    h.fire();
    h.fire(); // SIGKILL repeats every stopwaitsecs, as supervisord's transition() does
    h.send({ type: 'exited', now: h.now + 5, code: null, signal: 'SIGKILL' });
    expect(h.s).toMatchObject({ state: 'STOPPED', pid: 0, killing: false });
    expect(h.of('signal').map((x) => [x.at - T0, x.e.signal, x.e.group])).toEqual([
      [300, 'TERM', true], [2300, 'KILL', true], [4300, 'KILL', true],
    ]);
    expect(h.logs().slice(-2)).toEqual(["warn killing 'x' (77) with SIGKILL", 'warn stopped: x (terminated by SIGKILL)']);
  });

  it('stopping a BACKOFF process sends nothing and keeps the counter (supervisord quirk)', () => {
    const h = new Harness(prog({ startRetries: 1 }));
    h.send({ type: 'start', now: h.now });
    h.send({ type: 'spawnFailed', now: h.now, message: 'e' });
    h.send({ type: 'stop', now: h.now });
    expect(h.s).toMatchObject({ state: 'STOPPED', backoff: 1 });
    expect(h.of('signal')).toEqual([]);
    h.fire(); // the stale BACKOFF timer is harmless
    expect(h.s.state).toBe('STOPPED');
    h.send({ type: 'start', now: h.now });
    h.send({ type: 'spawnFailed', now: h.now, message: 'e' });
    expect(h.s.state).toBe('FATAL');
  });

  it('state codes and groupings match states.py', () => {
    expect(STATE_CODES).toEqual({ STOPPED: 0, STARTING: 10, RUNNING: 20, BACKOFF: 30, STOPPING: 40, EXITED: 100, FATAL: 200, UNKNOWN: 1000 });
    expect(STOPPED_STATES).toEqual(['STOPPED', 'EXITED', 'FATAL', 'UNKNOWN']);
    expect(RUNNING_STATES).toEqual(['RUNNING', 'BACKOFF', 'STARTING']);
    expect(SIGNALLABLE_STATES).toEqual(['RUNNING', 'STARTING', 'STOPPING']);
    expect(stateFromCode(200)).toBe('FATAL');
    expect(stateFromCode(5)).toBeUndefined();
  });
});

describe('ready= (tssupervisor extension): STARTING -> RUNNING needs startsecs and the probe', () => {
  const probe = prog({ ready: { kind: 'tcp' }, readyTimeoutMs: 5000 });
  const run = (events: ProcessEvent[], program = probe): { snapshot: ProcessSnapshot; effects: Effect[] } => {
    let snapshot = initialSnapshot();
    const effects: Effect[] = [];
    for (const e of events) {
      const r = transition(snapshot, e, program);
      snapshot = r.snapshot;
      effects.push(...r.effects);
    }
    return { snapshot, effects };
  };
  const logs = (fx: Effect[]): string[] => fx.flatMap((e) => (e.type === 'log' ? [e.message] : []));

  it('stays STARTING past startsecs until ready, then names the probe in the success line', () => {
    const waiting = run([ev.start(), ev.spawned(7), ev.tick(T0 + 1001)]);
    expect(waiting.snapshot.state).toBe('STARTING');
    expect(waiting.effects).toContainEqual({ type: 'setTimer', at: T0 + 5000 });
    const ready = run([ev.start(), ev.spawned(7), ev.tick(T0 + 1001), { type: 'ready', now: T0 + 1500, by: 'tcp:127.0.0.1:1' }]);
    expect(ready.snapshot.state).toBe('RUNNING');
    expect(logs(ready.effects)).toContain('success: x entered RUNNING state, process has stayed up for > than 1 seconds (startsecs) and is ready (tcp:127.0.0.1:1)');
  });

  it('ready before startsecs still waits for startsecs', () => {
    const early = run([ev.start(), ev.spawned(7), { type: 'ready', now: T0 + 200, by: 'notify' }]);
    expect(early.snapshot.state).toBe('STARTING');
    const later = run([ev.start(), ev.spawned(7), { type: 'ready', now: T0 + 200, by: 'notify' }, ev.tick(T0 + 1001)]);
    expect(later.snapshot.state).toBe('RUNNING');
  });

  it('startsecs=0 with a probe: RUNNING the moment it is ready, not at spawn', () => {
    const p0 = prog({ ready: { kind: 'notify' }, readyTimeoutMs: 5000, startMs: 0 });
    expect(run([ev.start(), ev.spawned(7)], p0).snapshot.state).toBe('STARTING');
    expect(run([ev.start(), ev.spawned(7), { type: 'ready', now: T0 + 3, by: 'notify' }], p0).snapshot.state).toBe('RUNNING');
  });

  it('not ready at ready_timeout: stopped as by stop, and its exit is a failed start (BACKOFF, then FATAL after startretries)', () => {
    const timedOut = run([ev.start(), ev.spawned(7), ev.tick(T0 + 5000)]);
    expect(timedOut.snapshot).toMatchObject({ state: 'STOPPING', readyFailed: true, killing: true });
    expect(timedOut.effects).toContainEqual({ type: 'signal', signal: 'TERM', group: false });
    expect(logs(timedOut.effects)).toContain('not ready: x did not pass its ready probe within 5 seconds (ready_timeout); stopping it');
    const exited = run([ev.start(), ev.spawned(7), ev.tick(T0 + 5000), ev.exit(null, T0 + 5010, 'SIGTERM')]);
    expect(exited.snapshot).toMatchObject({ state: 'BACKOFF', backoff: 1, spawnErr: 'not ready within 5 seconds (ready_timeout)' });
    expect(logs(exited.effects)).toContain('exited: x (terminated by SIGTERM; not ready in time)');
    let s = exited.snapshot;
    const one = prog({ ready: { kind: 'tcp' }, readyTimeoutMs: 5000, startRetries: 0 });
    s = transition(snap({ ...s }), ev.tick(T0 + 9000), one).snapshot;
    expect(s.state).toBe('FATAL');
  });

  it('an exit after startsecs but before the probe passed is a failed start, not RUNNING -> EXITED', () => {
    const r = run([ev.start(), ev.spawned(7), ev.tick(T0 + 1001), ev.exit(0, T0 + 2000)]);
    expect(r.snapshot.state).toBe('BACKOFF');
    expect(r.effects.flatMap((e) => (e.type === 'stateChanged' ? [e.to] : []))).not.toContain('RUNNING');
  });

  it('a probe that can never pass (probeFailed) stops the child at once, and its exit is a failed start naming why', () => {
    const r = run([ev.start(), ev.spawned(7), { type: 'probeFailed', now: T0 + 3, reason: 'the native addon is not available' }]);
    expect(r.snapshot).toMatchObject({ state: 'STOPPING', readyFailed: true });
    expect(logs(r.effects)).toContain('not ready: x cannot pass its ready probe: the native addon is not available; stopping it');
    const exited = run([ev.start(), ev.spawned(7), { type: 'probeFailed', now: T0 + 3, reason: 'no addon' }, ev.exit(null, T0 + 9, 'SIGTERM')]);
    expect(exited.snapshot).toMatchObject({ state: 'BACKOFF', spawnErr: 'ready probe cannot pass: no addon' });
  });

  it('an operator stop during a ready-timeout stop ends STOPPED, not BACKOFF', () => {
    const r = run([ev.start(), ev.spawned(7), ev.tick(T0 + 5000), ev.stop(T0 + 5001), ev.exit(null, T0 + 5010, 'SIGTERM')]);
    expect(r.snapshot.state).toBe('STOPPED');
  });

  it('without ready= nothing changes: RUNNING at startsecs, and a ready event is ignored', () => {
    const plain = run([ev.start(), ev.spawned(7), ev.tick(T0 + 1001)], prog());
    expect(plain.snapshot.state).toBe('RUNNING');
    expect(transition(plain.snapshot, { type: 'ready', now: T0 + 1002, by: 'x' }, prog()).effects).toEqual([]);
  });
});

/** A run that fails at once every time: spawn, exit 1 10 ms later, wait out the backoff, again. */
function crashLoop(h: Harness, spawns: number): void {
  if (h.s.state !== 'STARTING') h.send({ type: 'start', now: h.now });
  for (let i = 0; i < spawns && h.s.state === 'STARTING'; i++) {
    h.send({ type: 'spawned', now: h.now, pid: h.nextPid++ });
    h.now += 10;
    h.send({ type: 'exited', now: h.now, code: 1, signal: null });
    if ((h.s.state as ProcessSnapshot['state']) === 'BACKOFF') h.fire();
  }
}

describe('backoff= and backoff_max (tssupervisor extension)', () => {
  const waits = (h: Harness): number[] => h.of('setTimer').filter((x) => x.e.at - x.at >= 1000).map((x) => x.e.at - x.at);

  it('exponential: the waits are 1, 2, 4, 8 s, then capped at backoff_max', () => {
    const h = new Harness(prog({ startRetries: 6, startMs: 500, backoff: 'exponential', backoffMaxMs: 10_000 }));
    crashLoop(h, 7);
    expect(waits(h)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(h.s.state).toBe('FATAL');
  });

  it('linear (the default) is supervisord\'s 1, 2, 3 ... s, and backoff_max does not cap it', () => {
    const h = new Harness(prog({ startRetries: 4, startMs: 500, backoffMaxMs: 2000 }));
    crashLoop(h, 5);
    expect(waits(h)).toEqual([1000, 2000, 3000, 4000]);
  });
});

describe('fatal_retry_after (tssupervisor extension)', () => {
  it('a FATAL process starts again after that long, from a fresh retry count, and says so', () => {
    const h = new Harness(prog({ startRetries: 1, startMs: 500, fatalRetryAfterMs: 30_000 }));
    crashLoop(h, 2);
    expect(h.s.state).toBe('FATAL');
    const gaveUpAt = h.now;
    expect(h.timer).toBe(gaveUpAt + 30_000);
    expect(h.logs().slice(-2)).toEqual([
      'info gave up: x entered FATAL state, too many start retries too quickly',
      'info x will be started again in 30 seconds (fatal_retry_after)',
    ]);
    // An early tick (a stale timer) does nothing.
    expect(h.send({ type: 'tick', now: gaveUpAt + 29_999 }).filter((e) => e.type !== 'setTimer')).toEqual([]);
    h.fire();
    expect(h.now).toBe(gaveUpAt + 30_000);
    expect(h.s).toMatchObject({ state: 'STARTING', backoff: 0 });
    expect(h.logs()).toContain('info retrying: x after 30 seconds in FATAL state (fatal_retry_after)');
    // Fresh count: it takes the whole startretries again before the next FATAL.
    crashLoop(h, 2);
    expect(h.s.state).toBe('FATAL');
    expect(h.of('spawn')).toHaveLength(4);
  });

  it('without it FATAL stays FATAL (supervisord); shutting down never retries; stop keeps it down', () => {
    const never = new Harness(prog({ startRetries: 0, startMs: 500 }));
    crashLoop(never, 1);
    expect(never.s).toMatchObject({ state: 'FATAL', delayUntil: 0 });

    const down = new Harness(prog({ startRetries: 0, startMs: 500, fatalRetryAfterMs: 5000 }));
    crashLoop(down, 1);
    const at = down.timer ?? 0;
    expect(down.send({ type: 'tick', now: at, shuttingDown: true })).toEqual([]);
    expect(down.s.state).toBe('FATAL');
    down.send({ type: 'stop', now: at });
    expect(down.s).toMatchObject({ state: 'STOPPED', delayUntil: 0 });
    expect(down.send({ type: 'tick', now: at + 60_000 })).toEqual([]);
  });

  it('the shutdown give-up (stop_all) never schedules a retry', () => {
    const r = transition(backoff, ev.giveUp(), prog({ fatalRetryAfterMs: 5000 }));
    expect(r.snapshot).toMatchObject({ state: 'FATAL', delayUntil: 0 });
  });
});

describe('restart (health checks, max_memory): stop with stopsignal, then start', () => {
  const restart = (now = T0): ProcessEvent => ({ type: 'restart', now, cause: 'unhealthy', message: 'unhealthy: x (3/3: boom): restarting' });

  it('RUNNING → STOPPING (stopsignal, then SIGCONT) → STOPPED → STARTING, logged with the caller\'s line', () => {
    const h = new Harness(prog({ stopSignal: 'INT', stopAsGroup: true, killAsGroup: true }));
    h.s = running;
    h.send(restart());
    expect(h.s).toMatchObject({ state: 'STOPPING', restarting: 'unhealthy', killing: true });
    expect(h.of('signal').map((x) => x.e)).toEqual([
      { type: 'signal', signal: 'INT', group: true }, { type: 'signal', signal: 'CONT', group: true },
    ]);
    expect(h.logs()).toEqual(['warn unhealthy: x (3/3: boom): restarting']);
    h.now += 20;
    h.send({ type: 'exited', now: h.now, code: null, signal: 'SIGINT' });
    expect(h.s).toMatchObject({ state: 'STARTING', restarting: null, pid: 0 });
    expect(h.of('stateChanged').map((x) => `${x.e.from}>${x.e.to}`)).toEqual(['RUNNING>STOPPING', 'STOPPING>STOPPED', 'STOPPED>STARTING']);
    expect(h.of('ended').map((x) => x.e.end)).toEqual([{
      pid: 123, startedAt: T0 - 5000, endedAt: T0 + 20, exitCode: null, signal: 'INT', description: 'terminated by SIGINT',
      expected: false, stoppedFor: 'unhealthy', stateAfter: 'STOPPED',
    }]);
  });

  it('SIGKILL after stopwaitsecs as for any stop; still started again after', () => {
    const h = new Harness(prog());
    h.s = running;
    h.send(restart());
    h.fire();
    expect(h.of('signal').map((x) => x.e.signal)).toEqual(['TERM', 'CONT', 'KILL']);
    h.send({ type: 'exited', now: h.now, code: null, signal: 'SIGKILL' });
    expect(h.s.state).toBe('STARTING');
  });

  it('an operator\'s stop during the restart wins: it ends STOPPED and stays so', () => {
    const h = new Harness(prog());
    h.s = running;
    h.send(restart());
    h.send({ type: 'stop', now: h.now });
    h.send({ type: 'exited', now: h.now + 5, code: null, signal: 'SIGTERM' });
    expect(h.s).toMatchObject({ state: 'STOPPED', administrativeStop: true });
    expect(h.of('spawn')).toHaveLength(0);
    expect(h.of('ended')[0]?.e.end.stoppedFor).toBe('stopped');
  });

  it('before it is up (STARTING): a failed start, retried with backoff and counted toward FATAL, never a loop', () => {
    // max_memory watches from the spawn: a program over the limit from the start must end FATAL
    // as a crashing one does, not be restarted twice a second for ever.
    const h = new Harness(prog({ startRetries: 1, startMs: 1000 }));
    const over = (): ProcessEvent => ({ type: 'restart', now: h.now, cause: 'max_memory', message: 'x exceeded max_memory (43 MB > 10 MB): restarting' });
    h.send({ type: 'start', now: h.now });
    for (let i = 0; i < 2; i++) {
      h.send({ type: 'spawned', now: h.now, pid: h.nextPid++ });
      h.now += 500;
      h.send(over());
      expect(h.s).toMatchObject({ state: 'STOPPING', restarting: 'max_memory' });
      h.now += 5;
      h.send({ type: 'exited', now: h.now, code: null, signal: 'SIGTERM' });
      if (i === 0) {
        expect(h.s).toMatchObject({ state: 'BACKOFF', backoff: 1, restarting: null, spawnErr: 'stopped for max_memory while starting' });
        expect(h.timer).toBe(h.now + 1000);
        h.fire();
      }
    }
    expect(h.s.state).toBe('FATAL');
    expect(h.of('spawn')).toHaveLength(2);
    expect(h.logs().filter((l) => l.startsWith('warn exited:'))).toEqual([
      'warn exited: x (terminated by SIGTERM; stopped for max_memory while starting)',
      'warn exited: x (terminated by SIGTERM; stopped for max_memory while starting)',
    ]);
    expect(h.of('ended').map((x) => [x.e.end.stoppedFor, x.e.end.stateAfter])).toEqual([['max_memory', 'BACKOFF'], ['max_memory', 'BACKOFF']]);
  });

  it('an operator\'s stop during a restart from STARTING still ends STOPPED', () => {
    const h = new Harness(prog());
    h.s = starting;
    h.send({ type: 'restart', now: h.now, cause: 'max_memory', message: 'm' });
    h.send({ type: 'stop', now: h.now });
    h.send({ type: 'exited', now: h.now + 5, code: null, signal: 'SIGTERM' });
    expect(h.s).toMatchObject({ state: 'STOPPED', administrativeStop: true });
    expect(h.of('spawn')).toHaveLength(0);
  });

  it('not while shutting down; not when it is not up; a second restart is ignored', () => {
    const h = new Harness(prog());
    h.s = running;
    h.send(restart());
    expect(h.send(restart())).toEqual([]);
    h.send({ type: 'exited', now: h.now + 5, code: 0, signal: null, shuttingDown: true });
    expect(h.s).toMatchObject({ state: 'STOPPED', restarting: null });
    for (const from of [snap(), backoff, stopping, startingNoPid, snap({ state: 'EXITED' })]) {
      expect(transition(from, restart(), prog()).effects).toEqual([]);
    }
  });
});

describe('ended: the facts of each run\'s end (crash history)', () => {
  const end = (from: ProcessSnapshot, e: ProcessEvent, p = prog()): unknown =>
    transition(from, e, p).effects.find((x) => x.type === 'ended');

  it('an exit of its own, a signal death, a too-quick exit, a stop, a not-ready stop', () => {
    expect(end(running, ev.exit(3, T0 + 1))).toEqual({ type: 'ended', end: {
      pid: 123, startedAt: T0 - 5000, endedAt: T0 + 1, exitCode: 3, signal: null, description: 'exit status 3',
      expected: false, stoppedFor: null, stateAfter: 'EXITED',
    } });
    expect(end(running, ev.exit(null, T0, 'SIGKILL'))).toMatchObject({ end: { exitCode: null, signal: 'KILL', description: 'terminated by SIGKILL', expected: false } });
    expect(end(starting, ev.exit(0))).toMatchObject({ end: { exitCode: 0, expected: false, stateAfter: 'BACKOFF', stoppedFor: null } });
    expect(end(stopping, ev.exit(null, T0, 'SIGTERM'))).toMatchObject({ end: { stoppedFor: 'stopped', stateAfter: 'STOPPED' } });
    expect(end({ ...stopping, readyFailed: true }, ev.exit(null, T0, 'SIGTERM'))).toMatchObject({ end: { stoppedFor: 'not ready', stateAfter: 'BACKOFF' } });
  });
});
