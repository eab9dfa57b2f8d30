// The pure per-process state machine: supervisor/process.py Subprocess (spawn, finish, kill,
// stop, give_up, transition, change_state) turned inside out. supervisord polls every process
// once a second; here the runner feeds events (each carrying `now`, epoch ms) and performs the
// returned effects, and the machine asks for a `tick` exactly at its next deadline instead.
// No I/O, no timers, no clock: everything time-related comes from the events.
import type { ProcessState } from './state.js';

/** The part of a program's config the machine reads (ProcessConfig satisfies it). */
export interface MachineProgram {
  readonly name: string;
  readonly startMs: number;
  readonly startRetries: number;
  readonly autorestart: 'true' | 'false' | 'unexpected';
  readonly exitCodes: readonly number[];
  /** Signal name without the SIG prefix, e.g. 'TERM'. */
  readonly stopSignal: string;
  readonly stopWaitMs: number;
  readonly stopAsGroup: boolean;
  readonly killAsGroup: boolean;
  /** `ready=` is set (the spec itself is the probe's business): STARTING → RUNNING also waits for a `ready` event. */
  readonly ready: object | null;
  readonly readyTimeoutMs: number;
  /** How the wait before retry N grows: linear N s (supervisord), exponential 2^(N-1) s up to backoffMaxMs. */
  readonly backoff: 'linear' | 'exponential';
  readonly backoffMaxMs: number;
  /** FATAL is retried (from a fresh count) this long after giving up; 0 = never, as supervisord. */
  readonly fatalRetryAfterMs: number;
}

/** Why the daemon restarts a run that is up (a failing health check, max_memory): named in its end. */
export type RestartCause = 'unhealthy' | 'max_memory';

/** A run ended (its child was reaped): the facts crash history keeps of it. */
export interface RunEnd {
  readonly pid: number;
  /** Epoch ms of the spawn and of the exit. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The exit code, or null for a signal death. */
  readonly exitCode: number | null;
  /** The signal that ended it without the SIG prefix ('KILL'), or null. */
  readonly signal: string | null;
  /** decode_wait_status text: 'exit status 1', 'terminated by SIGKILL'. */
  readonly description: string;
  readonly expected: boolean;
  /** null: it ended on its own; 'stopped': a stop asked for it; 'not ready': ready_timeout; or a restart's cause. */
  readonly stoppedFor: 'stopped' | 'not ready' | RestartCause | null;
  /** The state the end put it in (EXITED, BACKOFF, STOPPED), before any automatic restart. */
  readonly stateAfter: ProcessState;
}

export interface ProcessSnapshot {
  readonly state: ProcessState;
  /** 0 when there is no child (also while a spawn is in flight, before `spawned`). */
  readonly pid: number;
  /** Epoch ms of the last spawn attempt and of the last exit; 0 = never. */
  readonly laststart: number;
  readonly laststop: number;
  /** Consecutive failed starts; reset on RUNNING, on an exit from RUNNING and by give_up. */
  readonly backoff: number;
  /** The pending deadline (epoch ms) for the current state, 0 if none: STARTING → RUNNING,
   *  BACKOFF → retry, STOPPING → SIGKILL. The machine requests a tick at exactly this time. */
  readonly delayUntil: number;
  /** Last exit code; -1 for a signal death; null after a too-quick exit or a (re)spawn. */
  readonly exitStatus: number | null;
  readonly spawnErr: string | null;
  /** A stop was requested: the next exit means STOPPED. */
  readonly killing: boolean;
  readonly administrativeStop: boolean;
  /** Set by give_up (BACKOFF → FATAL), cleared by spawn. */
  readonly systemStop: boolean;
  /** Whether the last exit was expected (null before any exit). */
  readonly expected: boolean | null;
  /** decode_wait_status text of the last exit: 'exit status 0', 'terminated by SIGKILL'. */
  readonly exitDescription: string | null;
  /** Last signal sent to stop/kill the child, without SIG prefix ('TERM', 'KILL'). */
  readonly lastSignal: string | null;
  /** With ready=: the probe that passed in this run ('tcp:127.0.0.1:6380'), null until then. */
  readonly readyBy: string | null;
  /** With ready=: the child is being stopped because it was not ready within ready_timeout. */
  readonly readyFailed: boolean;
  /** The daemon is stopping this run to start it again (a `restart` event), and why. */
  readonly restarting: RestartCause | null;
  /** That restart came before the run was up (STARTING): its exit is a failed start (BACKOFF). */
  readonly restartFailsStart: boolean;
}

/** `shuttingDown` mirrors supervisord's `mood <= RESTARTING`: no automatic (re)spawn. */
export type ProcessEvent =
  | { readonly type: 'start'; readonly now: number }
  | { readonly type: 'spawned'; readonly now: number; readonly pid: number }
  | { readonly type: 'spawnFailed'; readonly now: number; readonly message: string }
  /** The spawn was dropped while it waited for its turn (a stop, or the daemon shutting down). */
  | { readonly type: 'spawnCancelled'; readonly now: number }
  /** signal: 'SIGKILL' (Node's form) or 'KILL'; null for a normal exit. */
  | { readonly type: 'exited'; readonly now: number; readonly code: number | null; readonly signal: string | null; readonly shuttingDown?: boolean }
  | { readonly type: 'tick'; readonly now: number; readonly shuttingDown?: boolean }
  | { readonly type: 'stop'; readonly now: number }
  | { readonly type: 'giveUp'; readonly now: number }
  | { readonly type: 'signalFailed'; readonly now: number; readonly message: string }
  /** The ready= probe passed (`by` names it, for the success line). */
  | { readonly type: 'ready'; readonly now: number; readonly by: string }
  /** The ready= probe can never pass in this run (`reason` says why). */
  | { readonly type: 'probeFailed'; readonly now: number; readonly reason: string }
  /** Stop the run (stopsignal, stopwaitsecs) and start it again; `message` is the main log's line. */
  | { readonly type: 'restart'; readonly now: number; readonly cause: RestartCause; readonly message: string };

export type LogLevel = 'info' | 'warn' | 'debug' | 'critical';

export type Effect =
  | { readonly type: 'spawn' }
  /** signal without SIG prefix; group = signal -pid (the process group). */
  | { readonly type: 'signal'; readonly signal: string; readonly group: boolean }
  /** Tick me at `at`; replaces any earlier request. Stale ticks are harmless. */
  | { readonly type: 'setTimer'; readonly at: number }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string }
  /** A run ended (emitted as the exit is handled, before the state changes it causes are told). */
  | { readonly type: 'ended'; readonly end: RunEnd }
  /** Log the process's last lines of output now (right after the `gave up:` line). */
  | { readonly type: 'logLastOutput' }
  /** expected: only on transitions to EXITED (PROCESS_STATE_EXITED carries it). */
  | {
    readonly type: 'stateChanged'; readonly from: ProcessState; readonly to: ProcessState; readonly expected?: boolean;
    /** The pid and backoff count when the state changed (an exit's event still names the pid). */
    readonly pid: number; readonly tries: number;
  };

export interface TransitionResult {
  readonly snapshot: ProcessSnapshot;
  readonly effects: readonly Effect[];
}

export function initialSnapshot(): ProcessSnapshot {
  return {
    state: 'STOPPED', pid: 0, laststart: 0, laststop: 0, backoff: 0, delayUntil: 0,
    exitStatus: null, spawnErr: null, killing: false, administrativeStop: false,
    systemStop: false, expected: null, exitDescription: null, lastSignal: null, readyBy: null, readyFailed: false,
    restarting: null, restartFailsStart: false,
  };
}

export const EXITED_TOO_QUICKLY = 'Exited too quickly (process log may have details)';

type Draft = { -readonly [K in keyof ProcessSnapshot]: ProcessSnapshot[K] };

/**
 * A copy to change, as one literal rather than a spread: V8 lays a spread's copy out with part of
 * its fields out of the object (~330 B instead of ~170 B, held by every process), and the
 * literal has initialSnapshot's layout. The type checks that no field is missed.
 */
function draftOf(s: ProcessSnapshot): Draft {
  return {
    state: s.state, pid: s.pid, laststart: s.laststart, laststop: s.laststop, backoff: s.backoff, delayUntil: s.delayUntil,
    exitStatus: s.exitStatus, spawnErr: s.spawnErr, killing: s.killing, administrativeStop: s.administrativeStop,
    systemStop: s.systemStop, expected: s.expected, exitDescription: s.exitDescription, lastSignal: s.lastSignal,
    readyBy: s.readyBy, readyFailed: s.readyFailed, restarting: s.restarting, restartFailsStart: s.restartFailsStart,
  };
}

interface Ctx {
  readonly s: Draft;
  readonly fx: Effect[];
  readonly p: MachineProgram;
  readonly now: number;
  /** delayUntil was (re)assigned during this transition: announce it with setTimer. */
  timerDirty: boolean;
}

const bare = (sig: string): string => sig.toUpperCase().replace(/^SIG/, '');
const log = (c: Ctx, level: LogLevel, message: string): void => { c.fx.push({ type: 'log', level, message }); };
const setDelay = (c: Ctx, at: number): void => { c.s.delayUntil = at; c.timerDirty = true; };

/** The wait before retry `n` (1-based): supervisord's n seconds, or 1, 2, 4 ... s capped at backoff_max. */
export function backoffDelayMs(p: MachineProgram, n: number): number {
  if (p.backoff === 'linear') return n * 1000;
  // 2^(n-1) overflows to Infinity long before n could, and min() caps it either way.
  return Math.min(2 ** (n - 1) * 1000, p.backoffMaxMs);
}

/** change_state(): BACKOFF entry bumps the counter and schedules the retry. */
function changeState(c: Ctx, to: ProcessState, expected?: boolean): void {
  const from = c.s.state;
  if (from === to) return;
  c.s.state = to;
  if (to === 'BACKOFF') {
    c.s.backoff += 1;
    setDelay(c, c.now + backoffDelayMs(c.p, c.s.backoff));
  }
  // pid and tries as they are now, as supervisord's events render them when raised.
  const change = { type: 'stateChanged', from, to, pid: c.s.pid, tries: c.s.backoff } as const;
  c.fx.push(expected === undefined ? change : { ...change, expected });
}

/** spawn() up to the fork: the pid (or the error) arrives later as spawned / spawnFailed. */
function spawn(c: Ctx): void {
  const reset: Partial<Draft> = {
    killing: false, spawnErr: null, exitStatus: null, systemStop: false,
    administrativeStop: false, lastSignal: null, laststart: c.now, readyBy: null, readyFailed: false, restarting: null,
    restartFailsStart: false,
  };
  Object.assign(c.s, reset);
  changeState(c, 'STARTING');
  c.fx.push({ type: 'spawn' });
  // RUNNING needs now - laststart > startsecs, strictly: the first whole ms past it.
  setDelay(c, c.now + c.p.startMs + 1);
}

/** kill(): log, enter STOPPING, signal; SIGKILL escalation happens at delayUntil. */
function kill(c: Ctx, sig: string, group: boolean): void {
  const as = group ? 'process group ' : '';
  log(c, 'debug', `killing ${c.p.name} (pid ${c.s.pid}) ${as}with signal SIG${sig}`);
  c.s.killing = true;
  c.s.lastSignal = sig;
  setDelay(c, c.now + c.p.stopWaitMs);
  changeState(c, 'STOPPING');
  c.fx.push({ type: 'signal', signal: sig, group });
}

function enterRunning(c: Ctx): void {
  c.s.backoff = 0;
  setDelay(c, 0);
  changeState(c, 'RUNNING');
  const secs = String(c.p.startMs / 1000);
  const ready = c.s.readyBy === null ? '' : ` and is ready (${c.s.readyBy})`;
  log(c, 'info', `success: ${c.p.name} entered RUNNING state, process has stayed up for > than ${secs} seconds (startsecs)${ready}`);
}

/** A start that failed for want of readiness: stopped as by `stop`; its exit goes to BACKOFF. */
function notReady(c: Ctx, why: string, spawnErr: string): void {
  log(c, 'warn', `not ready: ${c.p.name} ${why}; stopping it`);
  c.s.readyFailed = true;
  c.s.spawnErr = spawnErr;
  kill(c, bare(c.p.stopSignal), c.p.stopAsGroup);
}

const hasProbe = (p: MachineProgram): boolean => p.ready !== null;

/** startsecs has passed since the spawn (strictly, as supervisord's `now - laststart > startsecs`). */
const startsecsPassed = (c: Ctx): boolean => c.now - c.s.laststart > c.p.startMs;

/**
 * STARTING with a child: RUNNING once startsecs has passed and (with ready=) the probe passed; a
 * probe still failing at ready_timeout stops the child as `stop` would, and its exit is a failed
 * start (BACKOFF). Otherwise the next of those two deadlines is the one to wake up for.
 */
function checkStarting(c: Ctx): void {
  const { s, p, now } = c;
  const probe = hasProbe(p);
  const readyDeadline = s.laststart + p.readyTimeoutMs;
  if (probe && s.readyBy === null && now >= readyDeadline) {
    notReady(c, `did not pass its ready probe within ${p.readyTimeoutMs / 1000} seconds (ready_timeout)`,
      `not ready within ${p.readyTimeoutMs / 1000} seconds (ready_timeout)`);
    return;
  }
  if (startsecsPassed(c)) {
    if (!probe || s.readyBy !== null) enterRunning(c);
    else setDelay(c, readyDeadline);
    return;
  }
  const startDeadline = s.laststart + p.startMs + 1;
  setDelay(c, probe && s.readyBy === null ? Math.min(startDeadline, readyDeadline) : startDeadline);
}

/** transition()'s BACKOFF → FATAL branch (give_up + its log line), then the why and the next try. */
function maybeGiveUp(c: Ctx): void {
  if (c.s.state !== 'BACKOFF' || c.s.backoff <= c.p.startRetries) return;
  giveUp(c);
  log(c, 'info', `gave up: ${c.p.name} entered FATAL state, too many start retries too quickly`);
  c.fx.push({ type: 'logLastOutput' });
  if (c.p.fatalRetryAfterMs > 0) {
    // The FATAL deadline: a tick then starts it again from a fresh count (onTick).
    setDelay(c, c.now + c.p.fatalRetryAfterMs);
    log(c, 'info', `${c.p.name} will be started again in ${c.p.fatalRetryAfterMs / 1000} seconds (fatal_retry_after)`);
  }
}

function giveUp(c: Ctx): void {
  c.s.backoff = 0;
  c.s.systemStop = true;
  setDelay(c, 0);
  changeState(c, 'FATAL');
}

function wantsRestart(s: Draft, p: MachineProgram): boolean {
  return p.autorestart === 'true' || (p.autorestart === 'unexpected' && s.expected === false);
}

/** finish(): the child was reaped. */
function finish(c: Ctx, code: number | null, signal: string | null): void {
  const { s, p, now } = c;
  const sig = signal === null ? null : bare(signal);
  const es = sig === null ? (code ?? -1) : -1;
  const msg = sig === null ? `exit status ${es}` : `terminated by SIG${sig}`;
  s.laststop = now;
  let tooQuickly = false;
  // supervisord uses `now > laststart`; with ms timestamps an exit in the same ms as the spawn is
  // normal, so only a clock that really went backwards takes the "in the future" path.
  if (now >= s.laststart) tooQuickly = now - s.laststart < p.startMs;
  else log(c, 'warn', `process '${p.name}' (${s.pid}) laststart time is in the future, don't know how long process was running so assuming it did not exit too quickly`);
  // Signal deaths (exit status -1) are never expected, whatever exitcodes says.
  const expected = sig === null && p.exitCodes.includes(es);
  s.exitDescription = msg;
  const stoppedFor = !s.killing ? null : s.readyFailed ? 'not ready' : s.restarting ?? 'stopped';
  // With ready=, a start has not succeeded until the probe passed: an exit before is a failed start.
  if (s.state === 'STARTING' && hasProbe(p) && s.readyBy === null) tooQuickly = true;
  if (s.killing && s.readyFailed) {
    // Stopped for not being ready in time: a failed start attempt, retried like an early exit.
    s.killing = false;
    s.readyFailed = false;
    s.exitStatus = null;
    s.expected = false;
    s.spawnErr ??= `not ready within ${p.readyTimeoutMs / 1000} seconds (ready_timeout)`;
    changeState(c, 'BACKOFF');
    log(c, 'warn', `exited: ${p.name} (${msg}; not ready in time)`);
  } else if (s.killing && s.restarting !== null && s.restartFailsStart) {
    // Restarted before it was up (max_memory from the spawn): it did not start, so it is retried
    // as an early exit is (backoff, startretries, FATAL), never restarted at once for ever.
    s.killing = false;
    s.exitStatus = null;
    s.expected = false;
    s.spawnErr = `stopped for ${s.restarting} while starting`;
    changeState(c, 'BACKOFF');
    log(c, 'warn', `exited: ${p.name} (${msg}; stopped for ${s.restarting} while starting)`);
  } else if (s.killing) {
    // STOPPING → STOPPED; INFO only for an exit code listed in exitcodes.
    s.killing = false;
    setDelay(c, 0);
    s.exitStatus = es;
    s.expected = expected;
    changeState(c, 'STOPPED');
    log(c, expected ? 'info' : 'warn', `stopped: ${p.name} (${msg})`);
  } else if (tooQuickly && s.state === 'STARTING') {
    // STARTING → BACKOFF, whatever the exit code.
    s.exitStatus = null;
    s.expected = false;
    s.spawnErr = EXITED_TOO_QUICKLY;
    changeState(c, 'BACKOFF');
    log(c, 'warn', `exited: ${p.name} (${msg}; not expected)`);
  } else {
    // RUNNING → EXITED; STARTING passes through RUNNING silently as in finish().
    s.backoff = 0;
    setDelay(c, 0);
    s.exitStatus = es;
    s.expected = expected;
    if (s.state === 'STARTING') changeState(c, 'RUNNING');
    if (!expected) s.spawnErr = `Bad exit code ${es}`;
    changeState(c, 'EXITED', expected);
    log(c, expected ? 'info' : 'warn', `exited: ${p.name} (${msg}; ${expected ? '' : 'not '}expected)`);
  }
  c.fx.push({ type: 'ended', end: {
    pid: s.pid, startedAt: s.laststart, endedAt: now, exitCode: sig === null ? es : null, signal: sig,
    // As the machine judged it: an exit too soon after the spawn is never expected, whatever its code.
    description: msg, expected: s.expected, stoppedFor, stateAfter: s.state,
  } });
  s.pid = 0;
}

/** Subprocess.transition() for one deadline, plus the immediate follow-ups of other events. */
function onTick(c: Ctx, shuttingDown: boolean): void {
  const { s, p, now } = c;
  switch (s.state) {
    case 'EXITED':
      if (!shuttingDown && wantsRestart(s, p)) spawn(c);
      return;
    case 'BACKOFF':
      if (!shuttingDown && s.backoff <= p.startRetries && now >= s.delayUntil) spawn(c);
      else maybeGiveUp(c);
      return;
    case 'STARTING':
      if (s.pid !== 0) checkStarting(c);
      return;
    case 'STOPPING':
      // stopwaitsecs elapsed: SIGKILL, repeated every stopwaitsecs if it does not work.
      if (s.pid !== 0 && s.killing && s.delayUntil > 0 && now >= s.delayUntil) {
        log(c, 'warn', `killing '${p.name}' (${s.pid}) with SIGKILL`);
        kill(c, 'KILL', p.killAsGroup);
      }
      return;
    case 'FATAL':
      // fatal_retry_after: gave up a while ago; try again from a fresh count.
      if (!shuttingDown && s.delayUntil > 0 && now >= s.delayUntil) {
        log(c, 'info', `retrying: ${p.name} after ${p.fatalRetryAfterMs / 1000} seconds in FATAL state (fatal_retry_after)`);
        s.backoff = 0;
        spawn(c);
      }
      return;
    case 'STOPPED': case 'RUNNING': case 'UNKNOWN':
      return;
  }
}

function apply(c: Ctx, ev: ProcessEvent): boolean {
  const { s, p } = c;
  switch (ev.type) {
    case 'start':
      // spawn() asserts EXITED/FATAL/BACKOFF/STOPPED and refuses when a pid exists.
      if (s.pid !== 0 || !['STOPPED', 'EXITED', 'FATAL', 'BACKOFF'].includes(s.state)) return false;
      spawn(c);
      return true;
    case 'spawned':
      if (s.pid !== 0 || (s.state !== 'STARTING' && s.state !== 'STOPPING')) return false;
      s.pid = ev.pid;
      // supervisord's laststart is the fork's own time. Ours waits its turn in the spawn queue
      // (seconds, when a thousand programs start at once), so startsecs and ready_timeout count
      // from when the child really began: the last of a batch stays up startsecs too.
      s.laststart = ev.now;
      log(c, 'info', `spawned: '${p.name}' with pid ${ev.pid}`);
      // A stop that arrived while the spawn was in flight is delivered now.
      if (s.state === 'STOPPING') kill(c, bare(p.stopSignal), p.stopAsGroup);
      else if (!hasProbe(p) && p.startMs === 0) enterRunning(c);
      else checkStarting(c);
      return true;
    case 'spawnFailed':
      if (s.pid !== 0 || (s.state !== 'STARTING' && s.state !== 'STOPPING')) return false;
      // record_spawnerr() logs before the state change.
      s.spawnErr = ev.message;
      log(c, 'info', `spawnerr: ${ev.message}`);
      if (s.state === 'STOPPING') {
        s.killing = false;
        changeState(c, 'STOPPED');
      } else {
        changeState(c, 'BACKOFF');
        maybeGiveUp(c);
      }
      return true;
    case 'spawnCancelled':
      // STOPPING: stopped while it waited; STARTING: the daemon began shutting down meanwhile.
      if (s.pid !== 0 || (s.state !== 'STOPPING' && s.state !== 'STARTING')) return false;
      s.killing = false;
      changeState(c, 'STOPPED');
      log(c, 'info', `stopped: ${p.name} (before it was spawned)`);
      return true;
    case 'exited': {
      if (s.pid === 0) return false;
      const again = s.killing && s.restarting !== null && !s.readyFailed && !s.restartFailsStart;
      finish(c, ev.code, ev.signal);
      s.restarting = null;
      s.restartFailsStart = false;
      // A restart is a stop then a start, as `supervisorctl restart` (but not while shutting down).
      if (again && s.state === 'STOPPED' && ev.shuttingDown !== true) spawn(c);
      else onTick(c, ev.shuttingDown ?? false); // EXITED → STARTING, BACKOFF → FATAL without a wait
      return true;
    }
    case 'tick':
      onTick(c, ev.shuttingDown ?? false);
      return true;
    case 'ready':
      if (s.state !== 'STARTING' || s.pid === 0 || s.readyBy !== null) return false;
      s.readyBy = ev.by;
      if (p.startMs === 0 || startsecsPassed(c)) enterRunning(c);
      return true;
    case 'probeFailed':
      if (s.state !== 'STARTING' || s.pid === 0 || s.readyBy !== null) return false;
      notReady(c, `cannot pass its ready probe: ${ev.reason}`, `ready probe cannot pass: ${ev.reason}`);
      return true;
    case 'restart':
      // Only a run that is up; a stop or another restart already under way wins.
      if (s.pid === 0 || (s.state !== 'RUNNING' && s.state !== 'STARTING')) return false;
      log(c, 'warn', ev.message);
      s.restarting = ev.cause;
      s.restartFailsStart = s.state === 'STARTING';
      kill(c, bare(p.stopSignal), p.stopAsGroup);
      // As systemd after its stop signal: a stopped (SIGSTOP, a debugger) child cannot act on the
      // stop signal until it runs again, and a hung child is often just that.
      c.fx.push({ type: 'signal', signal: 'CONT', group: p.stopAsGroup });
      return true;
    case 'stop':
      if (s.state === 'STOPPING' && s.restarting !== null) {
        // An operator's stop while a restart stops it: it ends STOPPED and stays so.
        s.restarting = null;
        s.administrativeStop = true;
        return true;
      }
      if (s.state === 'FATAL' && s.delayUntil > 0) {
        // Stopping a FATAL process that fatal_retry_after would start again: it stays down.
        s.administrativeStop = true;
        setDelay(c, 0);
        changeState(c, 'STOPPED');
        return true;
      }
      if (s.state === 'STOPPING' && s.readyFailed) {
        // An operator's stop while a not-ready child is being stopped: it ends STOPPED, not BACKOFF.
        s.readyFailed = false;
        s.administrativeStop = true;
        return true;
      }
      if (s.state === 'BACKOFF') {
        // kill() in BACKOFF: straight to STOPPED, no signal; backoff deliberately kept.
        s.administrativeStop = true;
        log(c, 'debug', `Attempted to kill ${p.name}, which is in BACKOFF state.`);
        setDelay(c, 0);
        changeState(c, 'STOPPED');
        return true;
      }
      if (s.state !== 'RUNNING' && s.state !== 'STARTING') return false;
      s.administrativeStop = true;
      if (s.pid !== 0) {
        kill(c, bare(p.stopSignal), p.stopAsGroup);
      } else {
        // Spawn in flight: remember the stop, signal as soon as the pid is known.
        s.killing = true;
        setDelay(c, 0);
        changeState(c, 'STOPPING');
      }
      return true;
    case 'giveUp':
      if (s.state !== 'BACKOFF') return false;
      giveUp(c); // stop_all() gives up silently: no "gave up:" line
      return true;
    case 'signalFailed':
      if (s.pid === 0 || !['RUNNING', 'STARTING', 'STOPPING'].includes(s.state)) return false;
      log(c, 'critical', `unknown problem killing ${p.name} (${s.pid}):${ev.message}`);
      changeState(c, 'UNKNOWN');
      s.killing = false;
      setDelay(c, 0);
      return true;
  }
}

/** Feed one event; returns the next snapshot and the effects to perform, in order. */
export function transition(snapshot: ProcessSnapshot, event: ProcessEvent, program: MachineProgram): TransitionResult {
  const c: Ctx = { s: draftOf(snapshot), fx: [], p: program, now: event.now, timerDirty: false };
  if (!apply(c, event)) return { snapshot, effects: [] };
  // A tick consumes the runner's timer, so a still-pending deadline is re-requested after one.
  const at = c.s.delayUntil;
  if (at > c.now && (c.timerDirty || event.type === 'tick')) c.fx.push({ type: 'setTimer', at });
  return { snapshot: Object.freeze(c.s), effects: c.fx };
}
