// Runs a real Supervisor (real children, real pipes) inside the test process, with ms-level
// timings and a log captured in memory. Every child is killed when the test ends.

import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import type { ChannelConfig, DaemonConfig, GroupConfig, ProcessConfig } from '../../src/config/schema.js';
import { createChildLogs } from '../../src/logging/child-output.js';
import { systemClock } from '../../src/process/clock.js';
import type { ProcessRunner } from '../../src/process/runner.js';
import { processSpawner, statForExec } from '../../src/process/spawner.js';
import type { ProcessState } from '../../src/process/state.js';
import type { ProbeFactory } from '../../src/process/probe.js';
import type { RunWatch } from '../../src/process/run-watch.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { tempDir } from './tmp.js';

/** How long cleanup waits for an orderly stop before it SIGKILLs what is left (not a sync wait). */
const CLEANUP_DEADLINE_MS = 5000;

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A daemon config over `groups` for a Supervisor on fakes (nothing here is read from disk). */
export function fakeDaemonConfig(groups: readonly GroupConfig[]): DaemonConfig {
  return {
    configFile: '/etc/test.conf', files: [], groups, unixServers: [], inetServers: [],
    supervisord: {
      logfile: '/logs/sup.log', logfileMaxBytes: 0, logfileBackups: 0, loglevel: 'info', pidfile: '/run/sup.pid', umask: 0o22,
      nodaemon: true, silent: true, minfds: 1024, minprocs: 200, nocleanup: false, childlogdir: '/logs', user: null,
      directory: null, stripAnsi: false, environment: {}, identifier: 'test-ident', logformat: 'text',
    },
    ctl: { serverurl: 'http://localhost:9001', username: null, password: null, prompt: 'supervisor', historyFile: null },
  };
}

/** `node test/fixtures/<name> args…` as a command line. */
export function fixture(name: string, ...args: (string | number)[]): string {
  return [process.execPath, `${FIXTURES}${name}`, ...args.map(String)].map((w) => `'${w}'`).join(' ');
}

const NO_LOG: ChannelConfig = {
  logfile: { kind: 'none' }, maxBytes: 0, backups: 0, captureMaxBytes: 0, eventsEnabled: false, syslog: false, timestamps: false,
};

/** A channel (stdout/stderr) logging to `path`, without rotation. */
export function fileChannel(path: string): ChannelConfig {
  return { ...NO_LOG, logfile: { kind: 'file', path } };
}

/** A ProcessConfig with test-friendly timings (ms) and no log files unless given. */
export function programConfig(overrides: Partial<ProcessConfig> & { name: string; command: string }): ProcessConfig {
  return {
    group: overrides.name, programName: overrides.name, kind: 'program', section: `program:${overrides.name}`, file: 'test.conf',
    processNum: 0, numprocs: 1, directory: null, umask: null, priority: 999, autostart: true, autorestart: 'unexpected',
    startMs: 100, startRetries: 3, exitCodes: [0], stopSignal: 'TERM', stopWaitMs: 2000, stopAsGroup: false,
    killAsGroup: false, user: null, uid: null, redirectStderr: false, stdout: NO_LOG, stderr: NO_LOG, environment: {},
    serverurl: null, stripAnsi: false, ready: null, readyTimeoutMs: 60_000, dependsOn: [],
    health: null, maxMemoryBytes: 0, backoff: 'linear', backoffMaxMs: 60_000, fatalRetryAfterMs: 0,
    ...overrides,
  };
}

export function groupOf(processes: readonly ProcessConfig[], name = processes[0]?.group ?? 'g', priority = 999): GroupConfig {
  return { name, priority, kind: 'process', processes: processes.map((p) => ({ ...p, group: name })), eventListener: null, fcgi: null };
}

/** One state change as the harness saw it, with the wall-clock time it was emitted. */
export interface Transition {
  readonly at: number;
  readonly name: string;
  readonly group: string;
  readonly from: ProcessState;
  readonly to: ProcessState;
  readonly expected?: boolean;
  readonly pid: number;
}

export interface LogEntry {
  readonly at: number;
  readonly line: string;
}

export interface HarnessOptions {
  autostart?: boolean;
  /** SUPERVISOR_SERVER_URL for children (the daemon's first control server); default none. */
  serverUrl?: string | null;
  /** The daemon's environment the children inherit; default process.env. */
  daemonEnv?: Readonly<Record<string, string | undefined>>;
  /** ready= probes; default none (ready= then has no effect). */
  probes?: ProbeFactory;
  /** What watches each run (healthcheck=, max_memory: supervisor/run-watches.ts); default none. */
  watchesFor?: (process: ProcessConfig) => readonly RunWatch[];
}

export interface Harness {
  readonly supervisor: Supervisor;
  /** The config the supervisor was built from. */
  readonly config: DaemonConfig;
  readonly logs: string[];
  /** The same lines as `logs`, each with the time it was logged. */
  readonly logEntries: readonly LogEntry[];
  /** Every stateChanged event since the supervisor was created (autostart included). */
  readonly transitions: readonly Transition[];
  readonly dir: string;
  runner(name: string): ProcessRunner;
  waitForState(name: string, state: ProcessState, timeoutMs?: number): Promise<void>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function startSupervisor(groups: readonly GroupConfig[], options: HarnessOptions = {}): Harness {
  const dir = tempDir();
  const logs: string[] = [];
  const logEntries: LogEntry[] = [];
  const transitions: Transition[] = [];
  // Wakes waitForLog on every new line.
  const logWaiters = new Set<() => void>();
  const addLog = (line: string): void => {
    logs.push(line);
    logEntries.push({ at: Date.now(), line });
    for (const wake of [...logWaiters]) wake();
  };
  const nextLog = (timeoutMs: number): Promise<void> => new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      logWaiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    logWaiters.add(done);
  });
  const config: DaemonConfig = {
    configFile: `${dir}/test.conf`, files: [], groups, unixServers: [], inetServers: [],
    supervisord: {
      logfile: `${dir}/sup.log`, logfileMaxBytes: 0, logfileBackups: 0, loglevel: 'debug', pidfile: `${dir}/sup.pid`, umask: 0o22,
      nodaemon: true, silent: true, minfds: 1024, minprocs: 200, nocleanup: false, childlogdir: dir, user: null,
      directory: null, stripAnsi: false, environment: {}, identifier: 'supervisor', logformat: 'text',
    },
    ctl: { serverurl: 'http://localhost:9001', username: null, password: null, prompt: 'supervisor', historyFile: null },
  };
  const supervisor = new Supervisor(config, {
    spawner: processSpawner, clock: systemClock, stat: statForExec,
    log: (level, message) => { addLog(`${level.toUpperCase()} ${message}`); },
    daemonEnv: options.daemonEnv ?? process.env, serverUrl: options.serverUrl ?? null,
    outputFor: (p) => createChildLogs(p, { childlogdir: dir, identifier: 'supervisor', onError: (m) => { addLog(`ERROR ${m}`); } }),
    isRoot: process.getuid?.() === 0, gidOf: () => undefined,
    ...(options.probes === undefined ? {} : { probes: options.probes }),
    ...(options.watchesFor === undefined ? {} : { watchesFor: options.watchesFor }),
  });
  onTestFinished(async () => {
    // Stop the way the daemon does (no respawns once shutting down); SIGKILL whatever is left.
    const timeout = new Promise((resolve) => setTimeout(resolve, CLEANUP_DEADLINE_MS));
    await Promise.race([supervisor.shutdown(), timeout]);
    for (const r of supervisor.runners()) {
      if (r.snapshot.pid > 0) {
        try {
          process.kill(-r.snapshot.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
  const find = (name: string): ProcessRunner => {
    const runner = supervisor.runners().find((r) => r.config.name === name);
    if (runner === undefined) throw new Error(`no process ${name}`);
    return runner;
  };
  supervisor.events.on('stateChanged', (c) => {
    transitions.push({
      at: Date.now(), name: c.process.name, group: c.process.group, from: c.from, to: c.to, pid: c.snapshot.pid,
      ...(c.expected === undefined ? {} : { expected: c.expected }),
    });
  });
  if (options.autostart !== false) supervisor.startAutostart();
  return {
    supervisor, config, logs, logEntries, transitions, dir,
    runner: find,
    async waitForState(name, state, timeoutMs = 10_000) {
      if (find(name).snapshot.state === state) return;
      await supervisor.events.waitFor('stateChanged', (c) => c.process.name === name && c.to === state, timeoutMs)
        .catch(() => {
          throw new Error(`${name} did not reach ${state} in ${timeoutMs} ms; now ${find(name).snapshot.state}; log:\n${logs.join('\n')}`);
        });
    },
    async waitForLog(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs.find((l) => pattern.test(l));
        if (hit !== undefined) return hit;
        if (Date.now() > deadline) throw new Error(`no log line matching ${String(pattern)}; log:\n${logs.join('\n')}`);
        await nextLog(Math.max(1, deadline - Date.now() + 1));
      }
    },
  };
}
