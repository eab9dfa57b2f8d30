// What GET /metrics renders: a plain data snapshot the engine side builds at each scrape (one row
// per process plus the daemon's own figures). Here, beside the ControlApi contract, because the
// HTTP surface renders it and must not know the engine. Types and one constant only.

/** Every process state name, in supervisord's order: each process gets one gauge per name. */
export const METRIC_PROCESS_STATES = ['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'] as const;

export type MetricProcessState = (typeof METRIC_PROCESS_STATES)[number];

export interface ProcessMetrics {
  readonly group: string;
  readonly name: string;
  readonly state: MetricProcessState;
  /** Epoch seconds of the last spawn (0 = never started). */
  readonly startTimeSeconds: number;
  /** Spawns after the first (each automatic or asked-for restart). */
  readonly restarts: number;
  /** Ends on its own: EXITED with an expected / unexpected code; STARTING -> BACKOFF is unexpected. */
  readonly exitsExpected: number;
  readonly exitsUnexpected: number;
  /** The exit code of its last end (-1 for a signal death); null before its first. */
  readonly lastExitCode: number | null;
  /** Resident bytes of the process and its descendants; null when it has no live child. */
  readonly residentBytes: number | null;
  /** utime + stime of the child now (its own, not its descendants'); null without a live child. */
  readonly cpuSeconds: number | null;
  /** Failed health check tries (healthcheck=) since the process was loaded; null without a check. */
  readonly healthCheckFailures: number | null;
  /** Bytes read from the child's stdout / stderr pipes (whatever the logfile, NONE included). */
  readonly logBytesStdout: number;
  readonly logBytesStderr: number;
}

export interface DaemonMetrics {
  readonly residentBytes: number;
  readonly heapUsedBytes: number;
  readonly cpuUserSeconds: number;
  readonly cpuSystemSeconds: number;
  /** Event-loop delay since the previous scrape (monitorEventLoopDelay), seconds; null before the
   *  monitor has a sample (the first scrape starts it). */
  readonly eventLoopLag: { readonly mean: number; readonly max: number; readonly p99: number } | null;
  readonly openFds: number;
  readonly startTimeSeconds: number;
  readonly uptimeSeconds: number;
  /** Times the config file was read again (reread, update, reload, SIGHUP). */
  readonly configReloads: number;
}

export interface MetricsSnapshot {
  readonly processes: readonly ProcessMetrics[];
  readonly daemon: DaemonMetrics;
}

/** Per-process extras of the JSON API's process entries (`restarts`, `memory`). */
export interface ProcessExtras {
  readonly restarts: number;
  /** RSS bytes of the process tree while RUNNING, else null. */
  readonly memory: number | null;
}
