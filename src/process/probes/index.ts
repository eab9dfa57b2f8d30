// createProbe: the Probe for a `ready=` spec (see ../probe.ts for the contract). tcp:, http:// and
// exec: are polled (poll.ts; each kind's interval and per-try timeout are next to it), and tcp:
// and http:// also try at once when the child writes output; notify and log: are told (a
// datagram, a line of output), so they pass as soon as the fact arrives. A spec that can never
// pass (a URL that is not http(s), a pattern that is not a RegExp, a command that cannot be split)
// gives a probe whose every start() reports failed(reason).

import type { HealthSpec } from '../../config/schema.js';
import { shlexSplit } from '../../config/shlex.js';
import { TIMED_OUT, tcpConnect } from '../../host/tcp-connect.js';
import { describeReady, failed, PASSED, type CheckOutcome, type Probe, type ProbeFactory, type ProbeRun } from '../probe.js';
import { execAttempt, EXEC_TIMING } from './exec.js';
import { httpAttempt, HTTP_TIMING } from './http.js';
import { logPattern, watchLog } from './log.js';
import { notifyProbe } from './notify.js';
import { poll, type Attempt, type PollTiming } from './poll.js';
import { tcpAttempt, TCP_TIMING } from './tcp.js';

type Starter = (run: ProbeRun, ready: () => void, failed: (reason: string) => void) => () => void;

/**
 * The contract's guarantees in one place, whatever the kind does: ready() or failed() at most
 * once between them, never after stop, and stop idempotent.
 */
function guarded(starter: Starter): Probe['start'] {
  return (run, ready, failed) => {
    // `as boolean`: set by the callbacks, which the compiler cannot see run during starter().
    let settled = false as boolean;
    let stopInner: (() => void) | undefined;
    const stop = (): void => {
      settled = true;
      const inner = stopInner;
      stopInner = undefined;
      inner?.();
    };
    const settle = <A extends unknown[]>(then: ((...args: A) => void) | undefined) => (...args: A): void => {
      if (settled) return;
      stop();
      then?.(...args);
    };
    try {
      stopInner = starter(run, settle(ready), settle(failed));
    } catch (error) {
      // A kind must not throw; if one does, this run's probe cannot pass, and the caller hears why.
      const fail = settle(failed);
      setImmediate(() => { fail(`the ready probe could not start: ${(error as Error).message}`); });
    }
    // Settled while starting (a kind that answered at once): release what it made.
    if (settled) stop();
    return stop;
  };
}

function simpleProbe(description: string, start: Starter): Probe {
  return { description, environment: () => ({}), start: guarded(start), close: () => undefined };
}

/** `nudged`: the child's output brings the next try forward (poll.ts); not for exec:, whose tries fork. */
function polledProbe(description: string, timing: PollTiming, attemptFor: (run: ProbeRun) => Attempt, nudged: boolean): Probe {
  return simpleProbe(description, (run, ready) => poll(attemptFor(run), timing, ready,
    nudged ? (wake) => run.watchOutput(() => { wake(); }) : undefined));
}

/** A probe that can never pass: each start() says why, in a later turn. */
function failingProbe(description: string, reason: string): Probe {
  return simpleProbe(description, (_run, _ready, failed) => {
    const timer = setImmediate(() => { failed(reason); });
    return () => { clearImmediate(timer); };
  });
}

function httpUrl(text: string, key = 'ready'): URL | string {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
    return `${key}=${text}: not an http:// or https:// URL`;
  } catch {
    return `${key}=${text}: not a valid URL`;
  }
}

/** Why an exec: command can never run (it cannot be split, or is empty), or null. */
function unsplittable(description: string, command: string, key = 'ready'): string | null {
  try {
    return shlexSplit(command).length === 0 ? `${key}=${description}: the command is empty` : null;
  } catch (error) {
    return `${key}=${description}: cannot split the command: ${(error as Error).message}`;
  }
}

export const createProbe: ProbeFactory = (spec) => {
  const description = describeReady(spec);
  switch (spec.kind) {
    case 'tcp':
      return polledProbe(description, TCP_TIMING, () => tcpAttempt(spec.host, spec.port), true);
    case 'http': {
      const url = httpUrl(spec.url);
      if (typeof url === 'string') return failingProbe(description, url);
      return polledProbe(description, HTTP_TIMING, () => httpAttempt(url), true);
    }
    case 'exec': {
      const problem = unsplittable(description, spec.command);
      if (problem !== null) return failingProbe(description, problem);
      return polledProbe(description, EXEC_TIMING, (run) => execAttempt(spec.command, run), false);
    }
    case 'notify': {
      const probe = notifyProbe();
      return { ...probe, start: guarded((run, ready, failed) => probe.start(run, ready, failed)) };
    }
    case 'log': {
      const pattern = logPattern(spec.pattern);
      if (typeof pattern === 'string') return failingProbe(description, pattern);
      return simpleProbe(description, (run, ready) => watchLog(pattern, run, ready));
    }
  }
};

/** One try of a health check: it settles by `timeoutMs` (or when `signal` aborts: the watch stopped). */
export type Check = (run: ProbeRun, timeoutMs: number, signal: AbortSignal) => Promise<CheckOutcome>;

/**
 * The single try a health check makes each interval, with the attempts of ready='s polled kinds.
 * A try cut at its timeout says so in the words of its kind (`exec 'redis-cli ping' timed out
 * after 2 s`), not with what the aborted attempt saw. A spec that can never pass fails each try
 * with the reason, so status shows it.
 */
export function createCheck(spec: HealthSpec): Check {
  const description = describeReady(spec);
  let said: string;
  let attemptFor: (run: ProbeRun) => Attempt;
  switch (spec.kind) {
    case 'tcp':
      // The connect keeps its own time: no AbortController and no timer per try (see tcp-connect.ts).
      return async (_run, timeoutMs, signal) => {
        const why = await tcpConnect(spec.host, spec.port, signal, timeoutMs);
        if (why === null) return PASSED;
        return failed(why === TIMED_OUT ? `${description} timed out after ${timeoutMs / 1000} s` : why);
      };
    case 'http': {
      const url = httpUrl(spec.url, 'healthcheck');
      if (typeof url === 'string') return async () => Promise.resolve(failed(url));
      said = `GET ${url.href}`;
      attemptFor = () => httpAttempt(url);
      break;
    }
    case 'exec': {
      const problem = unsplittable(description, spec.command, 'healthcheck');
      if (problem !== null) return async () => Promise.resolve(failed(problem));
      said = `exec '${spec.command}'`;
      attemptFor = (run) => execAttempt(spec.command, run);
      break;
    }
  }
  return async (run, timeoutMs, signal) => {
    const controller = new AbortController();
    // `as boolean`: set by the timer, which the compiler cannot see run during the await.
    let timedOut = false as boolean;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => { controller.abort(); };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) controller.abort();
    try {
      const outcome = await attemptFor(run)(controller.signal);
      return timedOut ? failed(`${said} timed out after ${timeoutMs / 1000} s`) : outcome;
    } catch (error) {
      return failed(`${said}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  };
}
