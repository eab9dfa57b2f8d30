// The engine side of /metrics: builds a MetricsSnapshot from the runners, their counters, logs and
// crash history, and /proc, when a scrape asks. Per process a scrape reads /proc/PID/stat (CPU) and
// the statm and children files of its tree (proc-tree.ts), only for processes with a live child;
// every 200 processes it yields to the event loop, so 1000 programs never block it in one piece.
// Concurrent scrapes (several servers, several Prometheus) share the sample in flight. Nothing
// here runs, and nothing is allocated per program, until the first scrape: the event-loop delay
// monitor starts then too.

import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { DaemonMetrics, MetricsSnapshot, ProcessExtras, ProcessMetrics } from '../api/metrics-snapshot.js';
import { CLOCK_TICKS_PER_SECOND, procStat } from '../host/proc-stat.js';
import { treeRss } from '../host/proc-tree.js';
import type { ChildLogs } from '../logging/child-output.js';
import { healthFailuresOf } from '../process/health.js';
import type { ProcessRunner } from '../process/runner.js';
import type { ProcessCounters } from '../supervisor/process-counters.js';
import type { Supervisor } from '../supervisor/supervisor.js';

export interface MetricsSourceDeps {
  readonly supervisor: Supervisor;
  readonly counters: ProcessCounters;
  readonly logsOf: (runner: ProcessRunner) => ChildLogs | undefined;
  readonly configReloads: () => number;
}

/** How many processes are sampled between two yields to the event loop. */
const BATCH = 200;
/**
 * The delay monitor's timer: how late it fires is the delay. Each wake-up is C++ only, but they
 * add up for an idle daemon (measured under the daemon's flags, cpu-s per 20 s idle: 0.043 at
 * 20 ms, 0.014 at 100 ms, 0.0024 at 1000 ms against 0.0005 without; the idle budget is 0.01).
 * Once a second misses short stalls between two samples; a stall that lasts or recurs shows.
 */
const LOOP_DELAY_RESOLUTION_MS = 1000;

const NS = 1e9;

const nextTurn = async (): Promise<void> => new Promise((resolve) => {
  setImmediate(resolve);
});

/** The descriptors open in this process now (the listing's own descriptor left out). */
function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return 0;
  }
}

/** The last end's exit code from crash history: -1 for a signal death, null before the first end. */
function lastExitCode(supervisor: Supervisor, runner: ProcessRunner): number | null {
  const last = supervisor.lastEndOf(runner);
  return last === undefined ? null : last.exitCode ?? -1;
}

export class MetricsSource {
  private readonly deps: MetricsSourceDeps;
  private inFlight: Promise<MetricsSnapshot> | null = null;
  private loopDelay: IntervalHistogram | null = null;

  constructor(deps: MetricsSourceDeps) {
    this.deps = deps;
  }

  /** A snapshot now; a scrape that comes while one is being taken gets that one. */
  async sample(): Promise<MetricsSnapshot> {
    this.inFlight ??= this.take().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** `restarts` and `memory` (the tree's RSS while RUNNING) of one process, for the JSON API. */
  extrasOf(namespec: string): ProcessExtras {
    const runner = this.deps.supervisor.runnerNamed(namespec);
    if (runner === undefined) return { restarts: 0, memory: null };
    const { state, pid } = runner.snapshot;
    return {
      restarts: this.deps.counters.restartsOf(runner.config.group, runner.config.name),
      memory: state === 'RUNNING' && pid !== 0 ? treeRss(pid) ?? null : null,
    };
  }

  private async take(): Promise<MetricsSnapshot> {
    const { supervisor, counters } = this.deps;
    const runners = supervisor.runners();
    counters.retain(runners.map((r) => r.config));
    const processes: ProcessMetrics[] = [];
    for (let i = 0; i < runners.length; i++) {
      if (i > 0 && i % BATCH === 0) await nextTurn();
      const runner = runners[i];
      // A runner removed while we yielded is still sampled from what it was: harmless.
      if (runner !== undefined) processes.push(this.processMetrics(runner));
    }
    return { processes, daemon: this.daemonMetrics() };
  }

  private processMetrics(runner: ProcessRunner): ProcessMetrics {
    const { supervisor, counters, logsOf } = this.deps;
    const { group, name } = runner.config;
    const s = runner.snapshot;
    const counts = counters.of(group, name);
    const ticks = s.pid === 0 ? undefined : procStat(s.pid)?.cpuTicks;
    const logs = logsOf(runner);
    return {
      group, name, state: s.state,
      startTimeSeconds: s.laststart / 1000,
      restarts: Math.max(0, counts.starts - 1),
      exitsExpected: counts.exitsExpected,
      exitsUnexpected: counts.exitsUnexpected,
      lastExitCode: lastExitCode(supervisor, runner),
      residentBytes: s.pid === 0 ? null : treeRss(s.pid) ?? null,
      cpuSeconds: ticks === undefined ? null : ticks / CLOCK_TICKS_PER_SECOND,
      healthCheckFailures: healthFailuresOf(runner.watches),
      logBytesStdout: logs?.bytesRead('stdout') ?? 0,
      logBytesStderr: logs?.bytesRead('stderr') ?? 0,
    };
  }

  private daemonMetrics(): DaemonMetrics {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const uptime = process.uptime();
    return {
      residentBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      cpuUserSeconds: cpu.user / 1e6,
      cpuSystemSeconds: cpu.system / 1e6,
      eventLoopLag: this.loopLag(),
      openFds: openFds(),
      startTimeSeconds: Date.now() / 1000 - uptime,
      uptimeSeconds: uptime,
      configReloads: this.deps.configReloads(),
    };
  }

  /** The delay since the previous scrape (then the histogram starts again); null at the first. */
  private loopLag(): DaemonMetrics['eventLoopLag'] {
    if (this.loopDelay === null) {
      this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
      this.loopDelay.enable();
      return null;
    }
    const h = this.loopDelay;
    if (h.count === 0) return null;
    const lag = { mean: h.mean / NS, max: h.max / NS, p99: h.percentile(99) / NS };
    h.reset();
    return lag;
  }
}
